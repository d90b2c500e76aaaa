/**
 * Node shapes: large clusters have thousands of nodes in a few dozen shapes (a node
 * pool's nodes differ only in their names and hostnames), and the filters give every
 * node of a shape the same verdict. The simulation judges one node per shape and
 * gives its verdict to the others, so its cost grows with the shapes, not the nodes.
 *
 * A shape is everything a filter reads of a node except its identity: its labels
 * (without the identity labels below), taints (in order: the first untolerated one is
 * reported), allocatable, unschedulable, pool and whether it is a declared pool's
 * template; plus whatever the `ShapePart`s given to `groupNodeShapes` say. A filter
 * that reads something else of a node must add a ShapePart for it (DRA: the devices
 * the node's ResourceSlices publish, without the node's name), or nodes it tells
 * apart would share a verdict.
 *
 * A pod that reads a node's identity (a node selector or affinity on an identity
 * label, or a `matchFields` on metadata.name) is judged node by node.
 */
import type { SchedulablePodSpec, SchedulingNode } from "./fit";

/** Labels that name one node, whatever its shape (besides any label whose value is the node's name). */
export const IDENTITY_LABELS: readonly string[] = ["kubernetes.io/hostname"];

/**
 * What else a filter reads of a node: the same text for nodes the filter cannot tell
 * apart, different texts for nodes it may judge differently. Return `node.name` to
 * keep a node out of every group.
 */
export type ShapePart = (node: SchedulingNode) => string;

export interface NodeShapes {
    readonly nodes: readonly SchedulingNode[];
    /** One node of each shape, in order of first appearance: the one that is judged. */
    readonly representatives: readonly SchedulingNode[];
    /** For each node (same index as `nodes`), the index of its shape in `representatives`. */
    readonly shapeOf: readonly number[];
    /** The labels left out of the shapes: a pod reading one of them is judged node by node. */
    readonly identityLabels: ReadonlySet<string>;
}

/** Groups `nodes` by shape (once per node list: the result serves every pod's simulation). */
export function groupNodeShapes(nodes: readonly SchedulingNode[], parts: readonly ShapePart[] = []): NodeShapes {
    const identityLabels = new Set(IDENTITY_LABELS);
    const labelKeys = new Set<string>();
    const resourceKeys = new Set<string>();
    for (const n of nodes) {
        for (const key in n.labels) {
            labelKeys.add(key);
            if (n.name && n.labels[key] === n.name) identityLabels.add(key);
        }
        for (const key in n.allocatable) resourceKeys.add(key);
    }
    // JSON.stringify with a list of keys writes those keys only, in the list's order:
    // labels and allocatable the same whatever their order in the node, identity labels left out
    const labelList = [...labelKeys].filter((k) => !identityLabels.has(k)).sort();
    const resourceList = [...resourceKeys].sort();
    const byKey = new Map<string, number>();
    const representatives: SchedulingNode[] = [];
    const shapeOf = nodes.map((n) => {
        const key =
            JSON.stringify(n.labels, labelList) +
            JSON.stringify(n.allocatable, resourceList) +
            JSON.stringify([
                n.taints.map((t) => [t.key, t.value ?? null, t.effect]),
                !!n.unschedulable,
                n.pool ?? null,
                !!n.template,
                parts.map((part) => part(n)),
            ]);
        let shape = byKey.get(key);
        if (shape === undefined) {
            shape = representatives.length;
            byKey.set(key, shape);
            representatives.push(n);
        }
        return shape;
    });
    return { nodes, representatives, shapeOf, identityLabels };
}

/** Does the pod's node selector or required node affinity read what makes one node differ from its shape? */
export function readsNodeIdentity(pod: SchedulablePodSpec, identityLabels: ReadonlySet<string>): boolean {
    if (Object.keys(pod.nodeSelector ?? {}).some((key) => identityLabels.has(key))) return true;
    const terms = pod.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
    return terms.some(
        (t) => (t.matchFields?.length ?? 0) > 0 || (t.matchExpressions ?? []).some((r) => identityLabels.has(r.key)),
    );
}

/**
 * The shapes to judge `pod` by: undefined when the nodes are not grouped, or when the
 * pod reads a node's identity (then every node is judged on its own).
 */
export function shapesFor(
    nodes: readonly SchedulingNode[] | NodeShapes,
    pod: SchedulablePodSpec,
): NodeShapes | undefined {
    if (!isNodeShapes(nodes) || readsNodeIdentity(pod, nodes.identityLabels)) return undefined;
    return nodes;
}

export function isNodeShapes(nodes: readonly SchedulingNode[] | NodeShapes): nodes is NodeShapes {
    return !Array.isArray(nodes);
}

/** The nodes themselves, whether given as a list or grouped. */
export function nodeList(nodes: readonly SchedulingNode[] | NodeShapes): readonly SchedulingNode[] {
    return isNodeShapes(nodes) ? nodes.nodes : nodes;
}
