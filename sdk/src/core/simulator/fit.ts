/**
 * The kube-scheduler's Filter plugins that decide where a Flyte task's pod may go,
 * one pure function each, in the scheduler's terms (its plugin names and the reason
 * strings of Kubernetes v1.37's FailedScheduling events):
 *
 *   NodeUnschedulable  "node(s) were unschedulable"
 *   TaintToleration    "node(s) had untolerated taint(s)"
 *   NodeAffinity       "node(s) didn't match Pod's node affinity/selector"
 *   NodeResourcesFit   "Too many pods", "Insufficient cpu", "Insufficient <resource>"
 *   DynamicResources   "cannot allocate all claims" (./dra/dynamic-resources.ts)
 *
 * Nodes are judged empty: what other pods already use is not subtracted (the check
 * asks "could this pod ever run here", not "right now").
 */
import { tryParseQuantity } from "../quantity";

/** The filters simulated, in the order the default scheduler profile runs them. */
export const FILTERS = [
    "NodeUnschedulable",
    "TaintToleration",
    "NodeAffinity",
    "NodeResourcesFit",
    "DynamicResources",
] as const;
export type FilterName = (typeof FILTERS)[number];

/** A node as the simulation sees it: a real node, or the template of a declared pool. */
export interface SchedulingNode {
    name: string;
    labels: Readonly<Record<string, string>>;
    taints: readonly NodeTaint[];
    /** status.allocatable (quantities as strings). */
    allocatable: Readonly<Record<string, string>>;
    /** spec.unschedulable (cordoned). */
    unschedulable?: boolean;
    /** The node pool it belongs to (its pool label, or the declared pool's name). */
    pool?: string;
    /** A declared pool's template (no node exists yet: the pool scales from zero). */
    template?: boolean;
}

export interface NodeTaint {
    key: string;
    value?: string;
    effect: string;
}

/** A toleration as the API accepts it (operators Equal, Exists, and the alpha Lt / Gt). */
export interface PodToleration {
    key?: string;
    operator?: string;
    value?: string;
    effect?: string;
    tolerationSeconds?: number;
}

export interface PodRequirement {
    key: string;
    operator: string;
    values?: string[];
}

/** The subset of a core/v1 PodSpec the filters read. */
export interface SchedulablePodSpec {
    containers?: { resources?: { requests?: Record<string, string>; limits?: Record<string, string> } }[];
    initContainers?: {
        restartPolicy?: string;
        resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
    }[];
    overhead?: Record<string, string>;
    /** Pod-level resources (PodLevelResources, on by default since Kubernetes 1.34). */
    resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
    nodeSelector?: Record<string, string>;
    affinity?: {
        nodeAffinity?: {
            requiredDuringSchedulingIgnoredDuringExecution?: {
                nodeSelectorTerms?: { matchExpressions?: PodRequirement[]; matchFields?: PodRequirement[] }[];
            };
        };
    };
    tolerations?: PodToleration[];
    /** The pod's claims (resource.k8s.io): from a ResourceClaimTemplate or an existing ResourceClaim. */
    resourceClaims?: { name: string; resourceClaimName?: string; resourceClaimTemplateName?: string }[];
}

export interface FilterOptions {
    /** Tolerations may use Lt / Gt (feature gate TaintTolerationComparisonOperators, alpha and off in v1.37). */
    tolerationComparisonOperators?: boolean;
}

/** One filter's verdict on one node: undefined when it passes. */
export interface FilterFailure {
    filter: FilterName;
    /** The scheduler's reason strings, as counted in its FailedScheduling message. */
    reasons: string[];
    /** What exactly failed on this node, e.g. "untolerated taint `nvidia.com/gpu=present:NoSchedule`". */
    detail: string;
}

export const REASON = {
    unschedulable: "node(s) were unschedulable",
    taint: "node(s) had untolerated taint(s)",
    affinity: "node(s) didn't match Pod's node affinity/selector",
    tooManyPods: "Too many pods",
} as const;

// ---------------------------------------------------------------- NodeUnschedulable

const UNSCHEDULABLE_TAINT: NodeTaint = { key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" };

export function nodeUnschedulable(
    pod: SchedulablePodSpec,
    node: SchedulingNode,
    options: FilterOptions = {},
): FilterFailure | undefined {
    if (!node.unschedulable) return undefined;
    if ((pod.tolerations ?? []).some((t) => toleratesTaint(t, UNSCHEDULABLE_TAINT, options))) return undefined;
    return { filter: "NodeUnschedulable", reasons: [REASON.unschedulable], detail: "were unschedulable (cordoned)" };
}

// ---------------------------------------------------------------- TaintToleration

/** Kubernetes' Toleration.ToleratesTaint. */
export function toleratesTaint(t: PodToleration, taint: NodeTaint, options: FilterOptions = {}): boolean {
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.key && t.key !== taint.key) return false;
    switch (t.operator ?? "") {
        case "":
        case "Equal":
            return (t.value ?? "") === (taint.value ?? "");
        case "Exists":
            return true;
        case "Lt":
        case "Gt": {
            if (!options.tolerationComparisonOperators) return false;
            const tol = parseInt64(t.value ?? "");
            const val = parseInt64(taint.value ?? "");
            if (tol === undefined || val === undefined) return false;
            return t.operator === "Lt" ? val < tol : val > tol;
        }
        default:
            return false;
    }
}

export function taintToleration(
    pod: SchedulablePodSpec,
    node: SchedulingNode,
    options: FilterOptions = {},
): FilterFailure | undefined {
    const tolerations = pod.tolerations ?? [];
    // only NoSchedule and NoExecute taints keep a pod off a node; PreferNoSchedule only scores
    const untolerated = node.taints.find(
        (taint) =>
            (taint.effect === "NoSchedule" || taint.effect === "NoExecute") &&
            !tolerations.some((t) => toleratesTaint(t, taint, options)),
    );
    if (!untolerated) return undefined;
    return {
        filter: "TaintToleration",
        reasons: [REASON.taint],
        detail: `had untolerated taint \`${formatTaint(untolerated)}\``,
    };
}

export function formatTaint(t: NodeTaint): string {
    return `${t.key}${t.value ? `=${t.value}` : ""}:${t.effect}`;
}

// ---------------------------------------------------------------- NodeAffinity

/** labels.Requirement.Matches for node selector operators. */
export function matchesRequirement(r: PodRequirement, labels: Readonly<Record<string, string>>): boolean {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    const values = r.values ?? [];
    switch (r.operator) {
        case "In":
            return values.length > 0 && has && values.includes(labels[r.key]);
        case "NotIn":
            return values.length > 0 && (!has || !values.includes(labels[r.key]));
        case "Exists":
            return values.length === 0 && has;
        case "DoesNotExist":
            return values.length === 0 && !has;
        case "Gt":
        case "Lt": {
            if (values.length !== 1 || !has) return false;
            const want = parseInt64(values[0]);
            const got = parseInt64(labels[r.key]);
            if (want === undefined || got === undefined) return false;
            return r.operator === "Gt" ? got > want : got < want;
        }
        default:
            return false; // the API server rejects other operators
    }
}

/** matchFields: only metadata.name, with In / NotIn of exactly one value. */
function matchesField(r: PodRequirement, nodeName: string): boolean {
    const values = r.values ?? [];
    if (r.key !== "metadata.name" || values.length !== 1) return false;
    if (r.operator === "In") return nodeName === values[0];
    if (r.operator === "NotIn") return nodeName !== values[0];
    return false;
}

export function formatRequirement(r: PodRequirement): string {
    const values = r.values ?? [];
    return values.length ? `${r.key} ${r.operator} [${values.join(", ")}]` : `${r.key} ${r.operator}`;
}

export function nodeAffinity(pod: SchedulablePodSpec, node: SchedulingNode): FilterFailure | undefined {
    const fail = (detail: string): FilterFailure => ({ filter: "NodeAffinity", reasons: [REASON.affinity], detail });
    for (const [key, value] of Object.entries(pod.nodeSelector ?? {})) {
        if (node.labels[key] !== value) return fail(`didn't match node selector \`${key}=${value}\``);
    }
    const required = pod.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    if (!required) return undefined;
    // empty terms are skipped; with no term left nothing matches
    const terms = (required.nodeSelectorTerms ?? []).filter(
        (t) => (t.matchExpressions?.length ?? 0) + (t.matchFields?.length ?? 0) > 0,
    );
    const misses: string[] = [];
    for (const term of terms) {
        const missed = (term.matchExpressions ?? []).find((r) => !matchesRequirement(r, node.labels));
        const missedField = missed ? undefined : (term.matchFields ?? []).find((r) => !matchesField(r, node.name));
        if (!missed && !missedField) return undefined;
        misses.push(formatRequirement((missed ?? missedField)!));
    }
    if (misses.length === 0) return fail("didn't match node affinity (it has no non-empty term)");
    return fail(`didn't match node affinity \`${[...new Set(misses)].join("` or `")}\``);
}

// ---------------------------------------------------------------- NodeResourcesFit

/** Is the scheduler checking this resource against allocatable (besides cpu, memory, ephemeral-storage)? */
export function isScalarResource(name: string): boolean {
    if (name.startsWith("hugepages-") || name.startsWith("attachable-volumes-")) return true;
    // a DeviceClass's implicit extended resource (DRAExtendedResource): a prefixed native resource
    if (name.startsWith("deviceclass.resource.kubernetes.io/")) return true;
    // extended resources: a domain-qualified name outside kubernetes.io
    return name.includes("/") && !name.includes("kubernetes.io/") && !name.startsWith("requests.");
}

const CHECKED = (name: string) =>
    name === "cpu" || name === "memory" || name === "ephemeral-storage" || isScalarResource(name);

/**
 * The pod's effective requests in the scheduler's units (cpu in millicores, everything
 * else in whole units, both rounded up), as resource.PodRequests computes them: the sum
 * of the containers and restartable (sidecar) init containers, or the largest init
 * container plus the sidecars started before it if that is more, plus the pod overhead;
 * pod-level cpu/memory requests win. An unset request defaults to its limit (as the
 * API server defaults it).
 */
export function podRequests(pod: SchedulablePodSpec): Map<string, bigint> {
    const req = (
        c: { resources?: { requests?: Record<string, string>; limits?: Record<string, string> } } | undefined,
    ): Map<string, bigint> => {
        const out = new Map<string, bigint>();
        const merged = { ...(c?.resources?.limits ?? {}), ...(c?.resources?.requests ?? {}) };
        for (const [name, q] of Object.entries(merged)) {
            if (!CHECKED(name)) continue;
            out.set(name, units(name, q));
        }
        return out;
    };
    const add = (a: Map<string, bigint>, b: Map<string, bigint>) => {
        const out = new Map(a);
        for (const [k, v] of b) out.set(k, (out.get(k) ?? 0n) + v);
        return out;
    };
    const max = (a: Map<string, bigint>, b: Map<string, bigint>) => {
        const out = new Map(a);
        for (const [k, v] of b) if (v > (out.get(k) ?? 0n)) out.set(k, v);
        return out;
    };
    let total = new Map<string, bigint>();
    for (const c of pod.containers ?? []) total = add(total, req(c));
    let sidecars = new Map<string, bigint>();
    let initMax = new Map<string, bigint>();
    for (const c of pod.initContainers ?? []) {
        const r = req(c);
        if (c.restartPolicy === "Always") {
            sidecars = add(sidecars, r);
            initMax = max(initMax, sidecars);
        } else {
            initMax = max(initMax, add(sidecars, r));
        }
    }
    total = max(add(total, sidecars), initMax);
    const podLevel = req({ resources: { requests: pod.resources?.requests, limits: pod.resources?.limits } });
    for (const name of ["cpu", "memory"]) if (podLevel.has(name)) total.set(name, podLevel.get(name)!);
    if (pod.overhead) total = add(total, req({ resources: { requests: pod.overhead } }));
    return total;
}

/** A quantity in the scheduler's unit for the resource (millicores for cpu), rounded up; 0 if unparseable. */
export function units(resource: string, quantity: string | undefined): bigint {
    const q = quantity === undefined ? undefined : tryParseQuantity(String(quantity));
    if (!q) return 0n;
    const per = resource === "cpu" ? 1_000_000n : 1_000_000_000n;
    return (q.nanos + per - 1n) / per;
}

export function formatUnits(resource: string, value: bigint): string {
    if (resource === "cpu") return value % 1000n === 0n ? `${value / 1000n}` : `${value}m`;
    if (resource === "memory" || resource === "ephemeral-storage" || resource.startsWith("hugepages-")) {
        for (const [suffix, div] of [
            ["Ti", 1024n ** 4n],
            ["Gi", 1024n ** 3n],
            ["Mi", 1024n ** 2n],
            ["Ki", 1024n],
        ] as const) {
            if (value >= div && value % div === 0n) return `${value / div}${suffix}`;
        }
    }
    return `${value}`;
}

/**
 * NodeResourcesFit. `delegatedToDra`: extended resources a DeviceClass serves
 * (DRAExtendedResource); on a node without them in its allocatable, the
 * DynamicResources filter allocates them instead of this one counting them.
 */
export function nodeResourcesFit(
    pod: SchedulablePodSpec,
    node: SchedulingNode,
    requests: Map<string, bigint> = podRequests(pod),
    delegatedToDra: (resource: string) => boolean = () => false,
): FilterFailure | undefined {
    const reasons: string[] = [];
    const details: string[] = [];
    // a node without allocatable pods takes none (declared pools default to 110)
    if (units("pods", node.allocatable.pods) < 1n) {
        reasons.push(REASON.tooManyPods);
        details.push("too many pods (allocatable pods 0)");
    }
    // cpu, memory, ephemeral-storage first, then the extended resources (the scheduler's order)
    const names = [...requests.keys()].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
    for (const name of names) {
        const want = requests.get(name)!;
        if (want <= 0n) continue;
        const have = units(name, node.allocatable[name]);
        if (have === 0n && delegatedToDra(name)) continue;
        if (want > have) {
            reasons.push(`Insufficient ${name}`);
            details.push(
                `insufficient \`${name}\` (allocatable ${formatUnits(name, have)}, requested ${formatUnits(name, want)})`,
            );
        }
    }
    if (reasons.length === 0) return undefined;
    return { filter: "NodeResourcesFit", reasons, detail: `had ${details.join(", ")}` };
}

function rank(name: string): number {
    return name === "cpu" ? 0 : name === "memory" ? 1 : name === "ephemeral-storage" ? 2 : 3;
}

// ---------------------------------------------------------------- helpers

/** strconv.ParseInt(s, 10, 64). */
function parseInt64(s: string): bigint | undefined {
    if (!/^[+-]?\d+$/.test(s)) return undefined;
    const v = BigInt(s);
    if (v > 2n ** 63n - 1n || v < -(2n ** 63n)) return undefined;
    return v;
}

/** All filters but DynamicResources in order; the first that fails decides (as the scheduler stops at it). */
export function runFilters(
    pod: SchedulablePodSpec,
    node: SchedulingNode,
    options: FilterOptions = {},
    requests?: Map<string, bigint>,
    delegatedToDra?: (resource: string) => boolean,
): FilterFailure | undefined {
    return (
        nodeUnschedulable(pod, node, options) ??
        taintToleration(pod, node, options) ??
        nodeAffinity(pod, node) ??
        nodeResourcesFit(pod, node, requests, delegatedToDra)
    );
}
