/**
 * The scheduling check: at `pulumi preview` and `pulumi up`, every environment's and
 * task's pod is put through the scheduler's filters (core/simulator/simulate.ts)
 * against the nodes of the cluster the Kubernetes provider deploys to, plus the node
 * pools declared for clusters that scale from zero.
 *
 * - Nodes are read once per program run from the kubeconfig the default Kubernetes
 *   provider uses: the stack's `kubernetes:kubeconfig` (a path or the contents) and
 *   `kubernetes:context`, else `$KUBECONFIG`, else `~/.kube/config`, else the in-cluster
 *   service account (kube/nodes.ts: our client where it reads the kubeconfig exactly
 *   as @kubernetes/client-node would, else @kubernetes/client-node).
 * - The nodes are grouped by shape once (core/simulator/node-shapes.ts): every pod is
 *   judged once per shape, so the check's cost grows with the shapes, not the nodes.
 * - `flyte:schedulingCheck`: `warn` (default: a pod no node or declared pool can take
 *   is a warning on its PodTemplate), `error` (the preview / update fails), `off`.
 * - `flyte:nodePools`: declared pools ({ name, labels, taints, allocatable }).
 * - With the nodes, the cluster's DeviceClasses, ResourceSlices and ResourceClaims
 *   (kube/dra-lists.ts): the DynamicResources filter allocates the pods' claims (from the
 *   ResourceClaimTemplates the program declares) and the extended resources a
 *   DeviceClass serves; when they cannot be read, pods with claims are unchecked.
 * - A cluster that cannot be read (first deploy, no credentials, no permission to
 *   list nodes) skips the check with one informational message: never a failure.
 * - Components with an explicit Kubernetes provider are not checked (its kubeconfig
 *   is not readable from the program); nor are programs under Pulumi's mocks.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { ValidationError } from "../core/errors";
import { Rendered } from "../core/podtemplate/render";
import { DraContext, prepareDra } from "../core/simulator/dra/dynamic-resources";
import type { DraCluster } from "../core/simulator/dra/dra-objects";
import { SchedulablePodSpec, SchedulingNode } from "../core/simulator/fit";
import { NodeShapes, groupNodeShapes } from "../core/simulator/node-shapes";
import {
    NodePoolDeclaration,
    SchedulingVerdict,
    declaredPoolNodes,
    fromKubernetesNode,
    simulateScheduling,
} from "../core/simulator/simulate";
import { parseWith } from "../core/validate";
import { listDraObjects } from "../kube/dra-lists";
import { describeKubeError, listNodes } from "../kube/nodes";
import { underMocks } from "../runtime/mocks";
import { programSlot } from "../runtime/program-state";
import { stackKubeconfig } from "../runtime/stack-kubeconfig";

export type SchedulingCheckMode = "warn" | "error" | "off";
/** The stack config keys this module reads and validates (`flyte:<key>`). */
export const SCHEDULING_STACK_CONFIG_KEYS = ["schedulingCheck", "nodePools"] as const;
export const SCHEDULING_CHECK_MODES: readonly SchedulingCheckMode[] = ["warn", "error", "off"];

/** Where an environment's or task's pod can run, as an output. */
export interface SchedulingReport {
    /** false when the check did not run (off, cluster unreachable, explicit provider, mocks). */
    checked: boolean;
    /** Some node, or a declared pool after scaling up, can take the pod (absent when not checked). */
    schedulable?: boolean;
    /** Nodes that can take it. */
    nodes: string[];
    /** Their node pools (nodes without a pool label by name). */
    pools: string[];
    /** Declared pools that would have to scale up (when no node fits). */
    scaleUp: string[];
    /** The kube-scheduler's FailedScheduling message for these nodes, when none fits. */
    schedulerMessage?: string;
    /** One line: pools and nodes, "none: <why>", or "unchecked: <why>". */
    placement: string;
}

export interface PlacementCheck {
    /** One line: pools and nodes, "none: <why>", or "unchecked: <why>". */
    placement: pulumi.Output<string>;
    report: pulumi.Output<SchedulingReport>;
}

// ---------------------------------------------------------------- settings

export interface SchedulingCheckOptions {
    /** warn (default), error, or off; the stack's `flyte:schedulingCheck` wins. */
    mode?: SchedulingCheckMode;
    /** Pools that may have no node yet; added to the stack's `flyte:nodePools`. */
    nodePools?: NodePoolDeclaration[];
}

/** The check's program state: settings given by the program, memos, and whether the unreachable cluster was said. */
const state = programSlot("scheduling check", () => ({
    options: {} as SchedulingCheckOptions,
    settings: undefined as SchedulingCheckSettings | undefined,
    nodeSource: undefined as NodeSource | undefined,
    nodes: undefined as Promise<ClusterNodes> | undefined,
    shapes: undefined as NodeShapes | undefined,
    /** Verdicts by pod (its spec and claim template as JSON) for these nodes and settings: see `simulated`. */
    verdicts: undefined as
        | {
              nodes: SchedulingNode[];
              settings: SchedulingCheckSettings;
              dra: unknown;
              byPod: Map<string, SchedulingVerdict>;
          }
        | undefined,
    /** The DRA objects prepared for the simulation, once per program. */
    dra: undefined as DraContext | { unreadable: string } | undefined,
    reportedUnreachable: false,
}));

const modeSchema = z.enum(SCHEDULING_CHECK_MODES as [SchedulingCheckMode, ...SchedulingCheckMode[]]);

/**
 * Program-level settings of the scheduling check (call before declaring environments):
 * `flyte.configureSchedulingCheck({ nodePools: [{ name: "h100", labels: {...}, taints: [...], allocatable: {...} }] })`.
 */
export function configureSchedulingCheck(options: SchedulingCheckOptions): void {
    const parsed = parseWith(
        z.object({ mode: modeSchema.optional(), nodePools: z.array(z.unknown()).optional() }).strict(),
        options,
        "configureSchedulingCheck",
    );
    if (parsed.nodePools) declaredPoolNodes(parsed.nodePools, "configureSchedulingCheck.nodePools");
    state().options = { ...options };
    state().settings = undefined;
}

export interface SchedulingCheckSettings {
    mode: SchedulingCheckMode;
    declaredPools: SchedulingNode[];
}

/** `flyte:schedulingCheck` and `flyte:nodePools`, validated (a mistake fails the preview naming the key). */
export function schedulingCheckSettings(): SchedulingCheckSettings {
    const s = state();
    if (s.settings) return s.settings;
    const config = new pulumi.Config("flyte");
    const modeText = config.get("schedulingCheck");
    const mode =
        modeText === undefined ? (s.options.mode ?? "warn") : parseWith(modeSchema, modeText, "flyte:schedulingCheck");
    let stackPools: unknown = [];
    const poolsText = config.get("nodePools");
    if (poolsText !== undefined) {
        try {
            stackPools = JSON.parse(poolsText);
        } catch {
            throw new ValidationError(
                "flyte:nodePools",
                poolsText,
                "expected a list of node pools [{ name, labels?, taints?, allocatable }] (structured stack config or JSON)",
            );
        }
    }
    const fromStack = declaredPoolNodes(stackPools, "flyte:nodePools");
    const fromProgram = declaredPoolNodes(s.options.nodePools ?? [], "configureSchedulingCheck.nodePools");
    for (const p of fromProgram) {
        if (fromStack.some((s) => s.name === p.name))
            throw new ValidationError(
                "configureSchedulingCheck.nodePools",
                p.name,
                `pool "${p.name}" is also declared in flyte:nodePools; declare each pool once`,
            );
    }
    s.settings = { mode, declaredPools: [...fromStack, ...fromProgram] };
    return s.settings;
}

// ---------------------------------------------------------------- the cluster's nodes

export type ClusterNodes =
    | {
          ok: true;
          nodes: SchedulingNode[];
          cluster: string;
          /** The cluster's DRA objects, or why they could not be read (absent: none). */
          dra?: DraCluster | { unreadable: string };
      }
    | { ok: false; reason: string };

/** Where nodes come from; replaceable in tests (`setNodeSource`). */
export type NodeSource = () => Promise<ClusterNodes>;

/** @internal Tests replace the cluster (also under mocks); `undefined` restores the real one. */
export function setNodeSource(source: NodeSource | undefined): void {
    const s = state();
    s.nodeSource = source;
    s.nodes = undefined;
    s.dra = undefined;
    s.settings = undefined;
    s.reportedUnreachable = false;
}

/** Lists the nodes and DRA objects of the default provider's cluster (kube/nodes.ts, kube/dra-lists.ts); never rejects. */
export async function readClusterNodes(): Promise<ClusterNodes> {
    try {
        const choice = stackKubeconfig();
        const [list, dra] = await Promise.all([listNodes(choice), listDraObjects(choice)]);
        if (!list.ok) return list;
        return {
            ok: true,
            nodes: list.items.map(fromKubernetesNode),
            cluster: list.cluster,
            dra: dra.ok ? dra.cluster : { unreadable: dra.reason },
        };
    } catch (err) {
        return { ok: false, reason: describeKubeError(err) };
    }
}

/** The cluster's DRA objects prepared for the simulation (once per program). */
function draContext(cluster: Extract<ClusterNodes, { ok: true }>): DraContext | { unreadable: string } {
    const s = state();
    if (!s.dra) {
        const dra = cluster.dra ?? { deviceClasses: [], resourceSlices: [], resourceClaims: [] };
        s.dra = "unreadable" in dra ? dra : prepareDra(dra);
    }
    return s.dra;
}

/**
 * The nodes the check judges pods against: the cluster's (read once per program) and the
 * declared pools; `ok: false` when neither is available (the cluster cannot be read and
 * no pool is declared).
 */
export async function clusterSchedulingNodes(): Promise<
    { ok: true; nodes: SchedulingNode[]; declaredPools: SchedulingNode[] } | { ok: false; reason: string }
> {
    const cluster = await clusterNodes();
    const { declaredPools } = schedulingCheckSettings();
    if (!cluster.ok && declaredPools.length === 0) return cluster;
    return { ok: true, nodes: cluster.ok ? cluster.nodes : [], declaredPools };
}

function clusterNodes(): Promise<ClusterNodes> {
    const s = state();
    if (!s.nodes)
        s.nodes = (s.nodeSource ?? readClusterNodes)().catch((err) => ({
            ok: false as const,
            reason: describeKubeError(err),
        }));
    return s.nodes;
}

/** The cluster's nodes grouped by shape, once per program: each pod's simulation judges one node per shape. */
function nodeShapes(nodes: SchedulingNode[]): NodeShapes {
    const s = state();
    if (s.shapes?.nodes !== nodes) s.shapes = groupNodeShapes(nodes);
    return s.shapes;
}

// ---------------------------------------------------------------- the check

function unchecked(why: string): SchedulingReport {
    return { checked: false, nodes: [], pools: [], scaleUp: [], placement: `unchecked: ${why}` };
}

export function reportOf(verdict: SchedulingVerdict): SchedulingReport {
    return {
        checked: true,
        schedulable: verdict.schedulable,
        nodes: verdict.nodes,
        pools: verdict.pools,
        scaleUp: verdict.scaleUp,
        ...(verdict.schedulerMessage && !verdict.nodes.length ? { schedulerMessage: verdict.schedulerMessage } : {}),
        placement: verdict.placement,
    };
}

/** The pod to check: its spec, and the ResourceClaimTemplate its claim comes from. */
export interface CheckedPod {
    spec: SchedulablePodSpec;
    claimTemplate?: Rendered["claimTemplate"];
}

/**
 * Checks where `pod` (an environment's or task's, `what` names it: `environment
 * "train"`, `task "train.fit"`) can run; reports on `resource` (its PodTemplate).
 * Settings are validated synchronously: a mistake throws a ValidationError here.
 */
export function checkSchedulability(
    what: string,
    pod: CheckedPod | SchedulablePodSpec,
    resource: pulumi.Resource,
): PlacementCheck {
    const settings = schedulingCheckSettings();
    const checked: CheckedPod =
        "spec" in pod && typeof pod.spec === "object" ? (pod as CheckedPod) : { spec: pod as SchedulablePodSpec };
    const result = runCheck(what, checked, resource, settings);
    // Outputs are made when read: each costs the Pulumi runtime several tracked promises,
    // and most programs never read a placement (bench B1: two per environment and task)
    let report: pulumi.Output<SchedulingReport> | undefined;
    let placement: pulumi.Output<string> | undefined;
    return {
        get report() {
            return (report ??= pulumi.output(result));
        },
        get placement() {
            return (placement ??= this.report.apply((r) => r.placement));
        },
    };
}

async function runCheck(
    what: string,
    pod: CheckedPod,
    resource: pulumi.Resource,
    settings: SchedulingCheckSettings,
): Promise<SchedulingReport> {
    if (settings.mode === "off") return unchecked("flyte:schedulingCheck is off");
    if (!state().nodeSource && underMocks()) return unchecked("no cluster under Pulumi's mocks");
    if (resource.getProvider("kubernetes:core/v1:PodTemplate"))
        return unchecked("the component uses an explicit Kubernetes provider, whose cluster the check cannot read");
    // the program waits for the check (its warnings and, with `error`, its failure),
    // whether or not anything reads the placement
    const done = keepAlive();
    try {
        return await checkAgainstCluster(what, pod, resource, settings);
    } finally {
        done();
    }
}

/** The Pulumi runtime's keep-alive (an internal API of @pulumi/pulumi; a no-op where absent). */
export function keepAlive(): () => void {
    const fn = (pulumi.runtime as unknown as { rpcKeepAlive?: () => () => void }).rpcKeepAlive;
    return typeof fn === "function" ? fn() : () => undefined;
}

const NO_NODES: SchedulingNode[] = [];

/**
 * The simulation of `pod` on the cluster: once per distinct pod for the same nodes and
 * settings (a task that keeps its environment's pod, and environments asking for the
 * same, are simulated once).
 */
function simulated(
    pod: CheckedPod,
    nodes: SchedulingNode[],
    settings: SchedulingCheckSettings,
    dra: DraContext | { unreadable: string } | undefined,
): SchedulingVerdict {
    const template = pod.claimTemplate;
    const key = JSON.stringify([pod.spec, template ?? null]);
    const s = state();
    if (s.verdicts?.nodes !== nodes || s.verdicts.settings !== settings || s.verdicts.dra !== dra)
        s.verdicts = { nodes, settings, dra, byPod: new Map() };
    const memo = s.verdicts.byPod;
    let verdict = memo.get(key);
    if (!verdict) {
        verdict = simulateScheduling(pod.spec, nodes.length ? nodeShapes(nodes) : nodes, {
            declaredPools: settings.declaredPools,
            ...(dra && !("unreadable" in dra) ? { dra } : {}),
            ...(template
                ? {
                      claimTemplates: { [template.metadata.name]: template.spec.spec },
                      ...(template.metadata.namespace ? { namespace: template.metadata.namespace } : {}),
                  }
                : {}),
        });
        memo.set(key, verdict);
    }
    return verdict;
}

async function checkAgainstCluster(
    what: string,
    pod: CheckedPod,
    resource: pulumi.Resource,
    settings: SchedulingCheckSettings,
): Promise<SchedulingReport> {
    const cluster = await clusterNodes();
    const s = state();
    if (!cluster.ok && settings.declaredPools.length === 0) {
        if (!s.reportedUnreachable) {
            s.reportedUnreachable = true;
            pulumi.log.info(
                `flyte scheduling check skipped: the cluster cannot be read (${cluster.reason}); placements are "unchecked". Declare flyte:nodePools to check against node pools without a cluster, or set flyte:schedulingCheck: off.`,
            );
        }
        return unchecked(`cluster unreachable: ${cluster.reason}`);
    }
    if (!cluster.ok && !s.reportedUnreachable) {
        s.reportedUnreachable = true;
        pulumi.log.info(
            `flyte scheduling check: the cluster cannot be read (${cluster.reason}); checking against the declared node pools only.`,
        );
    }
    const dra = cluster.ok ? draContext(cluster) : undefined;
    const verdict = simulated(pod, cluster.ok ? cluster.nodes : NO_NODES, settings, dra);
    if (verdict.unchecked)
        return unchecked(
            dra && "unreadable" in dra
                ? `the cluster's DRA objects cannot be read (${dra.unreadable})`
                : verdict.unchecked,
        );
    const report = reportOf(verdict);
    if (!verdict.schedulable) {
        const message = `${what} cannot be scheduled on any node of the cluster${settings.declaredPools.length ? " nor on any declared node pool" : ""}: ${verdict.placement.replace(/^none: /, "")}`;
        if (settings.mode === "error")
            throw new pulumi.ResourceError(`${message} (flyte:schedulingCheck is error)`, resource, true);
        pulumi.log.warn(message, resource);
    } else if (!verdict.nodes.length) {
        pulumi.log.info(
            `${what}: no node of the cluster fits; node pool ${verdict.scaleUp.join(" or ")} would have to scale up. ${verdict.schedulerMessage ?? ""}`.trim(),
            resource,
        );
    }
    return report;
}
