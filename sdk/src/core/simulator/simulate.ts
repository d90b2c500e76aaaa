/**
 * Where could this pod go? A pure function of (pod spec, nodes) that runs the
 * scheduler's filters (./fit.ts, then DynamicResources:
 * ./dra/dynamic-resources.ts) on every node and on the template of every declared
 * node pool (pools that scale from zero have no node to look at), and says, in the
 * scheduler's terms, which nodes and pools could take the pod, or why none could.
 */
import { z } from "zod";
import { ValidationError } from "../errors";
import { tryParseQuantity } from "../quantity";
import { parseWith } from "../validate";
import {
    FILTERS,
    FilterFailure,
    FilterName,
    FilterOptions,
    SchedulablePodSpec,
    SchedulingNode,
    podRequests,
    runFilters,
    units,
} from "./fit";
import { DraContext, DraPreFilter, draFilter, draPreFilter } from "./dra/dynamic-resources";
import type { ResourceClaimSpec } from "./dra/dra-objects";
import { NodeShapes, nodeList, shapesFor } from "./node-shapes";

/** Labels naming a node's pool, by cluster flavour (first found wins). */
export const POOL_LABELS = [
    "cloud.google.com/gke-nodepool",
    "karpenter.sh/nodepool",
    "eks.amazonaws.com/nodegroup",
    "alpha.eksctl.io/nodegroup-name",
    "kubernetes.azure.com/agentpool",
    "agentpool",
] as const;

export function poolOf(labels: Readonly<Record<string, string>>): string | undefined {
    for (const key of POOL_LABELS) if (labels[key]) return labels[key];
    return undefined;
}

/** What the simulation reads of a core/v1 Node (as the API returns it, or a client library's V1Node). */
export interface KubernetesNodeLike {
    metadata?: { name?: string; labels?: Record<string, string> };
    spec?: { taints?: readonly { key: string; value?: string; effect: string }[]; unschedulable?: boolean };
    status?: { allocatable?: Record<string, unknown> };
}

/** A core/v1 Node (as the API returns it, or as a client library's object) as the simulation sees it. */
export function fromKubernetesNode(node: KubernetesNodeLike): SchedulingNode {
    const labels: Record<string, string> = { ...(node?.metadata?.labels ?? {}) };
    const allocatable: Record<string, string> = {};
    for (const [k, v] of Object.entries(node?.status?.allocatable ?? {})) allocatable[k] = String(v);
    return {
        name: String(node?.metadata?.name ?? ""),
        labels,
        taints: (node?.spec?.taints ?? []).map((t) => ({
            key: String(t.key),
            ...(t.value ? { value: String(t.value) } : {}),
            effect: String(t.effect),
        })),
        allocatable,
        unschedulable: node?.spec?.unschedulable === true,
        pool: poolOf(labels),
    };
}

// ---------------------------------------------------------------- declared node pools

/** A node pool that may have no node yet (autoscaled from zero): what its nodes will look like. */
export interface NodePoolDeclaration {
    /** Pool name, as the autoscaler knows it (e.g. the GKE node pool or Karpenter NodePool). */
    name: string;
    /** Labels of its nodes. */
    labels?: Record<string, string>;
    /** Taints of its nodes. */
    taints?: { key: string; value?: string; effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute" }[];
    /** Allocatable resources of one node, e.g. { cpu: "94", memory: "1300Gi", "nvidia.com/gpu": "8" } (pods default to 110). */
    allocatable: Record<string, string | number>;
}

const LABEL_KEY =
    /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

const labelKey = z.string().regex(LABEL_KEY, 'expected a label key such as "cloud.google.com/gke-accelerator"');
const poolSchema = z
    .object({
        name: z.string().min(1, "expected a non-empty pool name"),
        labels: z
            .record(
                labelKey,
                z
                    .string()
                    .regex(
                        LABEL_VALUE,
                        "expected a label value (at most 63 characters: letters, digits, '-', '_', '.')",
                    ),
            )
            .optional(),
        taints: z
            .array(
                z
                    .object({
                        key: labelKey,
                        value: z
                            .string()
                            .regex(
                                LABEL_VALUE,
                                "expected a taint value (at most 63 characters: letters, digits, '-', '_', '.')",
                            )
                            .optional(),
                        effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]),
                    })
                    .strict(),
            )
            .optional(),
        allocatable: z.record(z.string(), z.union([z.string(), z.number()])),
    })
    .strict();

/**
 * Validates declared pools (`field` names them in errors, e.g. "flyte:nodePools") and
 * turns each into the template node the simulation judges.
 */
export function declaredPoolNodes(pools: unknown, field: string): SchedulingNode[] {
    const parsed = parseWith(z.array(poolSchema), pools, field);
    const seen = new Set<string>();
    return parsed.map((p, i) => {
        if (seen.has(p.name)) throw new ValidationError(`${field}[${i}].name`, p.name, "pool names must be unique");
        seen.add(p.name);
        const allocatable: Record<string, string> = { pods: "110" };
        for (const [k, v] of Object.entries(p.allocatable)) {
            const text = String(v);
            if (!tryParseQuantity(text))
                throw new ValidationError(
                    `${field}[${i}].allocatable.${k}`,
                    v,
                    'expected a Kubernetes quantity such as "8", "500m" or "64Gi"',
                );
            allocatable[k] = text;
        }
        if (!("cpu" in p.allocatable) || !("memory" in p.allocatable)) {
            throw new ValidationError(
                `${field}[${i}].allocatable`,
                p.allocatable,
                'declare at least cpu and memory (and any extended resource the pool\'s nodes offer, e.g. "nvidia.com/gpu")',
            );
        }
        return {
            name: p.name,
            labels: p.labels ?? {},
            taints: p.taints ?? [],
            allocatable,
            pool: p.name,
            template: true,
        };
    });
}

// ---------------------------------------------------------------- the simulation

export interface NodeVerdict {
    node: string;
    pool?: string;
    /** A declared pool's template rather than a real node. */
    template: boolean;
    fits: boolean;
    failure?: FilterFailure;
}

/** Nodes that failed for the same reason. */
export interface NodeGroup {
    filter: FilterName;
    /** The scheduler's reason strings. */
    reasons: string[];
    /** What failed, in detail (taint, requirement, resource with allocatable and request). */
    detail: string;
    nodes: string[];
    pools: string[];
    /** Nodes of this group that belong to no pool. */
    unpooled: string[];
    /** Declared pools (no node yet) in this group. */
    declared: string[];
}

export interface SchedulingVerdict {
    /** Some node, or some declared pool after scaling up, could take the pod. */
    schedulable: boolean;
    /** Real nodes that could take it, by name. */
    nodes: string[];
    /** Pools of those nodes (nodes without a pool label are listed by name). */
    pools: string[];
    /** Declared pools whose nodes could take it: with no fitting node, one of them must scale up. */
    scaleUp: string[];
    /**
     * What the kube-scheduler's FailedScheduling event says when no real node fits:
     * "0/17 nodes are available: 1 Insufficient nvidia.com/gpu, 16 node(s) had untolerated taint(s)."
     */
    schedulerMessage?: string;
    /** Why the others could not, grouped. */
    groups: NodeGroup[];
    /** One line: where it runs ("a100-80gb (gke-a100-80gb)"), or "none: <why>". */
    placement: string;
    verdicts: NodeVerdict[];
    /**
     * The simulation cannot tell (e.g. a DRA selector uses what it does not evaluate,
     * or the pod has claims and the cluster's DRA objects were not read): why. Then
     * `schedulable` is true (no warning) and `placement` is "unchecked: <why>".
     */
    unchecked?: string;
    /** The scheduler gives up on the pod with this error (a DRA allocation error, e.g. a CEL runtime error). */
    schedulerError?: string;
}

/** The default admission plugins' tolerations (DefaultTolerationSeconds) every created pod gets. */
const ADMISSION_TOLERATIONS = [
    { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
    { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
];

export interface SimulateOptions extends FilterOptions {
    /** Declared pools' template nodes (declaredPoolNodes). */
    declaredPools?: readonly SchedulingNode[];
    /**
     * The cluster's DeviceClasses, ResourceSlices and ResourceClaims (prepareDra). Without
     * them, extended resources are counted against allocatable only, and a pod with
     * claims is unchecked.
     */
    dra?: DraContext;
    /** The ResourceClaimTemplates the pod's claims come from, by name (their `spec.spec`). */
    claimTemplates?: Readonly<Record<string, ResourceClaimSpec>>;
    /** The pod's namespace (where its named ResourceClaims live). */
    namespace?: string;
}

/**
 * Runs the filters for `pod` on every node (and declared pool) and summarises the
 * outcome. Pure: the same pod and nodes always give the same verdict. Nodes grouped
 * by shape (`groupNodeShapes`, once for many pods) are judged once per shape.
 */
export function simulateScheduling(
    pod: SchedulablePodSpec,
    nodes: readonly SchedulingNode[] | NodeShapes,
    options: SimulateOptions = {},
): SchedulingVerdict {
    const admitted = admittedPod(pod);
    const requests = podRequests(admitted);
    const dra = options.dra;
    const pre = draPre(pod, options, requests);
    const delegated = (resource: string) => !!dra?.extended.has(resource);
    let unchecked = pre.kind === "unsupported" ? pre.message : undefined;
    let schedulerError: string | undefined;
    // PreFilter failed: every node fails, the other filters' failures aside
    const preFailure: FilterFailure | undefined =
        pre.kind === "unschedulable"
            ? { filter: "DynamicResources", reasons: [pre.message], detail: pre.message }
            : undefined;
    const failureOf = (n: SchedulingNode) => runFilters(admitted, n, options, requests, delegated) ?? preFailure;
    /**
     * DynamicResources on one real node that passed the other filters (its devices are
     * its own: never shared by a node shape). A declared pool publishes no devices
     * before it scales up: its claims are assumed to fit.
     */
    const draFailureOf = (n: SchedulingNode): FilterFailure | undefined => {
        if (pre.kind !== "ready") return undefined;
        const outcome = draFilter(dra!, pre, n, (r) => units(r, n.allocatable[r]));
        if (outcome.kind === "fails") return outcome.failure;
        if (outcome.kind === "error") schedulerError ??= outcome.message;
        else if (outcome.kind === "unsupported") unchecked ??= outcome.message;
        return undefined;
    };
    const real = nodeList(nodes);
    const declaredPools = options.declaredPools ?? [];
    // one pass over the verdicts: at thousands of nodes per pod, every extra pass counts
    const verdicts: NodeVerdict[] = new Array(real.length + declaredPools.length);
    const shapes = shapesFor(nodes, admitted);
    const summary = new Summary(shapes?.representatives.length ?? 0);
    if (shapes) {
        // one node of each shape judged; the others share its failure (DRA's aside: per node)
        const failures = shapes.representatives.map(failureOf);
        const { shapeOf } = shapes;
        for (let i = 0; i < real.length; i++) {
            const shared = failures[shapeOf[i]];
            const own = shared ? undefined : draFailureOf(real[i]);
            summary.add((verdicts[i] = nodeVerdict(real[i], shared ?? own)), own ? -1 : shapeOf[i]);
        }
    } else {
        for (let i = 0; i < real.length; i++) {
            const failure = failureOf(real[i]) ?? draFailureOf(real[i]);
            summary.add((verdicts[i] = nodeVerdict(real[i], failure)), -1);
        }
    }
    for (let i = 0; i < declaredPools.length; i++)
        summary.add((verdicts[real.length + i] = nodeVerdict(declaredPools[i], failureOf(declaredPools[i]))), -1);
    return summaryVerdict(summary, verdicts, real.length, { unchecked, schedulerError, preFailure });
}

/** A node's verdict: one object per node and pod, literals, not spreads (5,000 nodes × every pod). */
function nodeVerdict(n: SchedulingNode, failure: FilterFailure | undefined): NodeVerdict {
    const template = !!n.template;
    if (n.pool)
        return failure
            ? { node: n.name, pool: n.pool, template, fits: false, failure }
            : { node: n.name, pool: n.pool, template, fits: true };
    return failure ? { node: n.name, template, fits: false, failure } : { node: n.name, template, fits: true };
}

/** The pod as admission leaves it: the tolerations the API server adds to every pod. */
function admittedPod(pod: SchedulablePodSpec): SchedulablePodSpec {
    const tolerations = [...(pod.tolerations ?? [])];
    for (const t of ADMISSION_TOLERATIONS) {
        if (!tolerations.some((x) => x.key === t.key && (x.effect ?? "") === t.effect)) tolerations.push(t);
    }
    return { ...pod, tolerations };
}

/** DynamicResources' PreFilter for the pod: its claims resolved once (none to check without the cluster's DRA objects). */
function draPre(pod: SchedulablePodSpec, options: SimulateOptions, requests: Map<string, bigint>): DraPreFilter {
    if (options.dra)
        return draPreFilter(
            options.dra,
            { namespace: options.namespace, resourceClaims: pod.resourceClaims, templates: options.claimTemplates },
            requests,
        );
    return pod.resourceClaims?.length
        ? { kind: "unsupported", message: "the pod has resource claims and the cluster's DRA objects were not read" }
        : { kind: "skip" };
}

/** The verdict from the nodes' outcomes: unchecked, the scheduler's error, or where the pod fits (or why not). */
function summaryVerdict(
    summary: Summary,
    verdicts: NodeVerdict[],
    nodeCount: number,
    outcome: { unchecked?: string; schedulerError?: string; preFailure?: FilterFailure },
): SchedulingVerdict {
    const { unchecked, schedulerError, preFailure } = outcome;
    const { fitting, byPool, scaleUp } = summary;
    const groups = summary.groups();
    if (unchecked)
        return {
            schedulable: true,
            nodes: [],
            pools: [],
            scaleUp: [],
            groups,
            placement: `unchecked: ${unchecked}`,
            verdicts,
            unchecked,
        };
    if (schedulerError)
        return {
            schedulable: false,
            nodes: [],
            pools: [],
            scaleUp: [],
            schedulerMessage: schedulerError,
            groups,
            placement: `none: the scheduler gives up on the pod: ${schedulerError}`,
            verdicts,
            schedulerError,
        };
    const schedulerMessage = fitting.length
        ? undefined
        : preFailure // PreFilter failed: the scheduler reports only its message
          ? `0/${nodeCount} nodes are available: ${preFailure.detail}.`
          : fitErrorMessage(nodeCount, summary.reasonCounts());
    let placement: string;
    if (fitting.length) {
        placement = [...byPool]
            .map(([p, names]) => (names.length === 1 && names[0] === p ? p : `${p} (${names.join(", ")})`))
            .join("; ");
    } else if (scaleUp.length) {
        placement = `${scaleUp.join(" or ")} (declared pool${scaleUp.length > 1 ? "s" : ""}, no fitting node yet: ${scaleUp.length > 1 ? "one" : "it"} must scale up)`;
    } else {
        placement = `none: ${explain(schedulerMessage!, groups)}`;
    }
    return {
        schedulable: fitting.length > 0 || scaleUp.length > 0,
        nodes: fitting,
        pools: [...byPool.keys()],
        scaleUp,
        ...(schedulerMessage ? { schedulerMessage } : {}),
        groups,
        placement,
        verdicts,
    };
}

/** The scheduler's FitError text (without its preemption part): counts per reason, sorted as strings. */
export function schedulerStyleMessage(verdicts: readonly NodeVerdict[]): string {
    const counts = new Map<string, number>();
    for (const v of verdicts) for (const r of v.failure?.reasons ?? []) counts.set(r, (counts.get(r) ?? 0) + 1);
    return fitErrorMessage(verdicts.length, counts);
}

function fitErrorMessage(nodes: number, counts: ReadonlyMap<string, number>): string {
    const parts = [...counts].map(([r, n]) => `${n} ${r}`).sort();
    return `0/${nodes} nodes are available${parts.length ? `: ${parts.join(", ")}` : ""}.`;
}

/** A group of failed nodes, with the set of its pools (for their order of first appearance). */
interface GroupEntry {
    group: NodeGroup;
    pools: Set<string>;
    /** Real nodes (not declared pools) with this failure. */
    real: number;
}

/**
 * What a simulation reports, collected verdict by verdict (real nodes first, then
 * declared pools): fitting nodes by pool, pools to scale up, and the failures grouped
 * by filter and detail. A verdict's `shape` (its node's shape, or -1) lets nodes of one
 * shape, which share their failure and pool, find their group and pool once.
 */
class Summary {
    /** Real nodes that fit, in order. */
    readonly fitting: string[] = [];
    /** The same by pool (a node without pool under its own name), pools in order of first appearance. */
    readonly byPool = new Map<string, string[]>();
    /** Declared pools that fit. */
    readonly scaleUp: string[] = [];
    private readonly byText = new Map<string, NodeGroup>();
    private readonly poolSets = new Map<NodeGroup, Set<string>>();
    private readonly byFailure = new Map<FilterFailure, GroupEntry>();
    /** By shape: its group (failed) or its pool's node list (fits, in a pool). */
    private readonly shapeEntry: (GroupEntry | undefined)[];
    private readonly shapeNames: (string[] | undefined)[];

    constructor(shapes: number) {
        this.shapeEntry = new Array(shapes);
        this.shapeNames = new Array(shapes);
    }

    add(v: NodeVerdict, shape: number): void {
        const f = v.failure;
        if (!f) {
            if (v.template) this.scaleUp.push(v.pool ?? v.node);
            else {
                this.fitting.push(v.node);
                let names = shape >= 0 && v.pool ? this.shapeNames[shape] : undefined;
                if (!names) {
                    const p = v.pool ?? v.node;
                    names = this.byPool.get(p);
                    if (!names) this.byPool.set(p, (names = []));
                    if (shape >= 0 && v.pool) this.shapeNames[shape] = names;
                }
                names.push(v.node);
            }
            return;
        }
        let entry = shape >= 0 ? this.shapeEntry[shape] : undefined;
        if (!entry) {
            entry = this.entryOf(f);
            if (shape >= 0) this.shapeEntry[shape] = entry;
        }
        const g = entry.group;
        if (v.template) g.declared.push(v.pool ?? v.node);
        else {
            entry.real++;
            g.nodes.push(v.node);
            if (v.pool && !entry.pools.has(v.pool)) {
                entry.pools.add(v.pool);
                g.pools.push(v.pool);
            }
            if (!v.pool) g.unpooled.push(v.node);
        }
    }

    private entryOf(f: FilterFailure): GroupEntry {
        let entry = this.byFailure.get(f);
        if (entry) return entry;
        const key = `${f.filter}\u0000${f.detail}`;
        let group = this.byText.get(key);
        if (!group) {
            group = {
                filter: f.filter,
                reasons: f.reasons,
                detail: f.detail,
                nodes: [],
                pools: [],
                unpooled: [],
                declared: [],
            };
            this.byText.set(key, group);
            this.poolSets.set(group, new Set());
        }
        entry = { group, pools: this.poolSets.get(group)!, real: 0 };
        this.byFailure.set(f, entry);
        return entry;
    }

    /** How many real nodes failed for each of the scheduler's reasons. */
    reasonCounts(): Map<string, number> {
        const counts = new Map<string, number>();
        for (const [f, { real }] of this.byFailure)
            if (real) for (const r of f.reasons) counts.set(r, (counts.get(r) ?? 0) + real);
        return counts;
    }

    /** The groups: the filters' order, then the biggest groups first. */
    groups(): NodeGroup[] {
        const order = (f: FilterName) => FILTERS.indexOf(f);
        return [...this.byText.values()].sort(
            (a, b) =>
                order(a.filter) - order(b.filter) ||
                b.nodes.length + b.declared.length - (a.nodes.length + a.declared.length) ||
                a.detail.localeCompare(b.detail),
        );
    }
}

/** "0/17 nodes are available: ... By node group: 10 nodes (pools a, b) had untolerated taint `k=v:NoSchedule`; ..." */
export function explain(schedulerMessage: string, groups: readonly NodeGroup[]): string {
    const parts = groups.map((g) => {
        const who: string[] = [];
        if (g.nodes.length) {
            // pools by name, and the nodes that belong to no pool
            const where = [
                ...(g.pools.length ? [`${g.pools.length > 1 ? "pools" : "pool"} ${g.pools.join(", ")}`] : []),
                ...(g.unpooled.length
                    ? [`${g.pools.length ? (g.unpooled.length > 1 ? "nodes " : "node ") : ""}${g.unpooled.join(", ")}`]
                    : []),
            ];
            who.push(`${g.nodes.length} node${g.nodes.length > 1 ? "s" : ""} (${where.join("; ")})`);
        }
        if (g.declared.length) who.push(`declared pool${g.declared.length > 1 ? "s" : ""} ${g.declared.join(", ")}`);
        return `${who.join(" and ")} ${g.detail} [${g.filter}]`;
    });
    return parts.length
        ? `${schedulerMessage} By node group: ${parts.join("; ")}.`
        : `${schedulerMessage} The cluster has no nodes and no node pool is declared.`;
}
