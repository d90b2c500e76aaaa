/**
 * Would Kueue admit a queued run, in which flavour, and if not, why: a pure simulation
 * of Kueue v0.17's admission of one workload (sigs.k8s.io/kueue pkg/scheduler/
 * flavorassigner and pkg/cache/scheduler/resource_node.go), in Kueue's own terms (its
 * Workload's "couldn't assign flavors to pod set main: ..." message).
 *
 * Simulated: LocalQueue and ClusterQueue lookup, stopped and inactive queues (stopPolicy,
 * missing flavours), the ClusterQueue's namespaceSelector (by namespace name), resources
 * the ClusterQueue does not count, flavour order, each flavour's taints against the
 * pods' tolerations and its node labels against their node selection (Kueue's
 * flavorSelector: only keys some flavour of the group labels), quotas with cohorts
 * (nominal quota, borrowing and lending limits, Cohort objects and their parents) and
 * current usage (the ClusterQueues' reservations plus runs admitted before this one),
 * and flavour fungibility (whenCanBorrow, whenCanPreempt).
 *
 * Not simulated: preemption (which workloads would be evicted, priorities, preemption
 * order), fair sharing and admission fair sharing, the order of pending workloads (a
 * StrictFIFO head that blocks, priorities), partial admission, topology-aware
 * scheduling, admission checks, resource transformations and excluded resources of
 * Kueue's configuration, LimitRanges, and namespace labels other than the name.
 */
import { ClusterQueue, Cohort, FlavorUsage, LocalQueue, ResourceFlavor, ResourceGroup } from "../queue/kueue";
import { formatQuantity, tryParseQuantity } from "../quantity";
import {
    PodRequirement,
    PodToleration,
    SchedulablePodSpec,
    matchesRequirement,
    podRequests,
    toleratesTaint,
} from "./fit";

/** The Kueue objects of a cluster (and of the program) the simulation reads. */
export interface KueueSnapshot {
    localQueues: readonly LocalQueue[];
    clusterQueues: readonly ClusterQueue[];
    cohorts: readonly Cohort[];
    flavors: readonly ResourceFlavor[];
}

/** A queued run: its pods (one pod set, "main" as Kueue names a Job's) in a LocalQueue. */
export interface QueuedWorkload {
    namespace: string;
    queue: string;
    pod: SchedulablePodSpec;
    /** Pods that run at once (a Job's parallelism). */
    count: number;
}

/** Quantities in Kueue's units (cpu in millicores, the rest in whole units) by flavour, then resource. */
export type FlavorUsageMap = Map<string, Map<string, bigint>>;

export type AdmissionOutcome =
    /** Admitted now, with the flavours `flavors`. */
    | "fits"
    /** Could be admitted, but the quota is in use: waits until it frees (or Kueue preempts). */
    | "waits"
    /** Can never be admitted as declared: more than the quota can ever hold, or no flavour matches its pods. */
    | "never"
    /** The LocalQueue or ClusterQueue is missing, stopped or inactive. */
    | "inadmissible";

export interface AdmissionVerdict {
    outcome: AdmissionOutcome;
    clusterQueue?: string;
    /** The flavour of each counted resource (for `fits` and `waits`: the flavour it would get). */
    flavors: Record<string, string>;
    /** The flavour, when one flavour takes every resource (the usual single resource group). */
    flavor?: string;
    /** What Kueue adds to the admitted pods: the flavours' node labels and tolerations. */
    nodeSelector: Record<string, string>;
    tolerations: PodToleration[];
    /** The admission borrows quota from the cohort. */
    borrows: boolean;
    /** Why not admitted (Kueue's message), or how it is admitted. */
    message: string;
    /**
     * The flavour was chosen although its nodes may not be the ones the pods select:
     * an alternative (term) of their node affinity names none of the flavours' label
     * keys, so Kueue ignores their affinity altogether when matching flavours.
     */
    caveat?: string;
    /** The workload's total requests in Kueue's units. */
    requests: Map<string, bigint>;
}

const POD_SET = "main";

/**
 * Simulates Kueue's admission of `workload`; `pending` adds usage of workloads admitted
 * before it (runs of the same program), by ClusterQueue name.
 */
export function simulateAdmission(
    workload: QueuedWorkload,
    snapshot: KueueSnapshot,
    pending: ReadonlyMap<string, FlavorUsageMap> = new Map(),
): AdmissionVerdict {
    const requests = workloadRequests(workload);
    const none = (outcome: AdmissionOutcome, message: string, clusterQueue?: string): AdmissionVerdict => ({
        outcome,
        ...(clusterQueue ? { clusterQueue } : {}),
        flavors: {},
        nodeSelector: {},
        tolerations: [],
        borrows: false,
        message,
        requests,
    });
    const found = admittingQueue(workload, snapshot);
    if ("refused" in found) return none("inadmissible", found.refused, found.clusterQueue);
    const { cq, flavorByName } = found;
    const cqName = cq.metadata.name;
    const node = new QuotaTree(snapshot, pending).clusterQueue(cqName);
    const wanted = new Map(requests);
    if ((cq.spec.resourceGroups ?? []).some((g) => g.coveredResources.includes("pods")))
        wanted.set("pods", BigInt(workload.count));
    const { assigned, reasons, outcome, borrows, caveat } = assignFlavors(workload, wanted, cq, flavorByName, node);
    const flavorNames = [...new Set(Object.values(assigned))];
    const nodeSelector: Record<string, string> = {};
    const tolerations: PodToleration[] = [];
    for (const f of flavorNames) {
        Object.assign(nodeSelector, flavorByName.get(f)!.spec.nodeLabels ?? {});
        tolerations.push(...(flavorByName.get(f)!.spec.tolerations ?? []));
    }
    const message =
        outcome === "fits"
            ? `admitted by ClusterQueue ${cqName} in flavor ${flavorNames.join(", ") || "(none: it requests nothing the queue counts)"}${borrows ? ", borrowing from its cohort" : ""}`
            : `couldn't assign flavors to pod set ${POD_SET}: ${[...reasons].sort().join(", ")}`;
    return {
        outcome,
        clusterQueue: cqName,
        flavors: outcome === "never" ? {} : assigned,
        ...(outcome !== "never" && flavorNames.length === 1 ? { flavor: flavorNames[0] } : {}),
        nodeSelector: outcome === "never" ? {} : nodeSelector,
        tolerations: outcome === "never" ? [] : tolerations,
        borrows,
        message,
        ...(caveat && outcome !== "never" ? { caveat } : {}),
        requests,
    };
}

/** The ClusterQueue the workload's LocalQueue points at, or why Kueue would not admit anything through it. */
function admittingQueue(
    workload: QueuedWorkload,
    snapshot: KueueSnapshot,
): { cq: ClusterQueue; flavorByName: Map<string, ResourceFlavor> } | { refused: string; clusterQueue?: string } {
    const lq = snapshot.localQueues.find(
        (q) => q.metadata.name === workload.queue && (q.metadata.namespace ?? "") === workload.namespace,
    );
    if (!lq)
        return {
            refused: `LocalQueue ${workload.queue} doesn't exist in namespace ${workload.namespace || "(the provider's default)"}`,
        };
    if (lq.spec.stopPolicy && lq.spec.stopPolicy !== "None")
        return { refused: `LocalQueue ${workload.queue} is stopped (stopPolicy ${lq.spec.stopPolicy})` };
    const cqName = lq.spec.clusterQueue;
    const cq = snapshot.clusterQueues.find((c) => c.metadata.name === cqName);
    if (!cq) return { refused: `ClusterQueue ${cqName} not found`, clusterQueue: cqName };
    const flavorByName = new Map(snapshot.flavors.map((f) => [f.metadata.name, f]));
    const groups = cq.spec.resourceGroups ?? [];
    const missing = groups.flatMap((g) => g.flavors.map((f) => f.name)).filter((n) => !flavorByName.has(n));
    if (missing.length || (cq.spec.stopPolicy && cq.spec.stopPolicy !== "None"))
        return {
            refused: `ClusterQueue ${cqName} is inactive (${missing.length ? `missing ResourceFlavor ${missing.join(", ")}` : `stopPolicy ${cq.spec.stopPolicy}`})`,
            clusterQueue: cqName,
        };
    if (!namespaceMatches(cq.spec.namespaceSelector, workload.namespace))
        return { refused: "Workload namespace doesn't match ClusterQueue selector", clusterQueue: cqName };
    return { cq, flavorByName };
}

/** A flavour for each resource group the workload asks of, in the order of its requests. */
function assignFlavors(
    workload: QueuedWorkload,
    wanted: Map<string, bigint>,
    cq: ClusterQueue,
    flavorByName: Map<string, ResourceFlavor>,
    node: QuotaNode,
): {
    assigned: Record<string, string>;
    reasons: string[];
    outcome: AdmissionOutcome;
    borrows: boolean;
    caveat?: string;
} {
    const groups = cq.spec.resourceGroups ?? [];
    const assigned: Record<string, string> = {};
    const reasons: string[] = [];
    let outcome: AdmissionOutcome = "fits";
    let borrows = false;
    let caveat: string | undefined;
    const done = new Set<string>();
    for (const [resource, quantity] of wanted) {
        if (done.has(resource)) continue;
        const group = groups.find((g) => g.coveredResources.includes(resource));
        if (!group) {
            if (quantity === 0n) continue;
            reasons.push(`resource ${resource} unavailable in ClusterQueue`);
            outcome = "never";
            break;
        }
        const groupRequests = new Map([...wanted].filter(([r]) => group.coveredResources.includes(r)));
        for (const r of groupRequests.keys()) done.add(r);
        const result = assignGroup(workload.pod, group, groupRequests, flavorByName, node, cq);
        reasons.push(...result.reasons);
        if (result.flavor) caveat ??= looseMatch(workload.pod, group, flavorByName, result.flavor);
        if (!result.flavor) {
            outcome = "never";
            break;
        }
        for (const r of groupRequests.keys()) assigned[r] = result.flavor;
        if (result.mode === "waits") outcome = "waits";
        borrows ||= result.borrows;
    }
    return { assigned, reasons, outcome, borrows, ...(caveat ? { caveat } : {}) };
}

/** Why a flavour matched only because Kueue dropped the pods' affinity (see AdmissionVerdict.caveat). */
function looseMatch(
    pod: SchedulablePodSpec,
    group: ResourceGroup,
    flavors: Map<string, ResourceFlavor>,
    chosen: string,
): string | undefined {
    const keys = new Set(group.flavors.flatMap((f) => Object.keys(flavors.get(f.name)?.spec.nodeLabels ?? {})));
    const terms = pod.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
    const blind = terms.find((t) => !(t.matchExpressions ?? []).some((r) => keys.has(r.key)));
    const kept = terms
        .map((t) => (t.matchExpressions ?? []).filter((r) => keys.has(r.key)))
        .filter((t) => t.length > 0);
    // only a blind alternative beside others that name flavour keys changes the outcome
    if (!blind || kept.length === 0) return undefined;
    const labels = flavors.get(chosen)?.spec.nodeLabels ?? {};
    if (kept.some((t) => t.every((r) => matchesRequirement(r, labels)))) return undefined;
    const text = (blind.matchExpressions ?? [])
        .map((r) => (r.values?.length ? `${r.key} ${r.operator} [${r.values.join(", ")}]` : `${r.key} ${r.operator}`))
        .join(", ");
    return `Kueue chose flavor ${chosen} although its node labels do not match the pods' node selection: one alternative of their node affinity (${text}) names none of the flavours' label keys, so Kueue ignores the affinity when it matches flavours; give the queue a flavour per alternative's nodes, or use a profile that selects the device one way`;
}

/** The pod set's total requests (per pod, times the pods that run at once), in Kueue's units. */
export function workloadRequests(workload: QueuedWorkload): Map<string, bigint> {
    const out = new Map<string, bigint>();
    for (const [r, v] of podRequests(workload.pod)) out.set(r, v * BigInt(workload.count));
    return out;
}

/** The usage a workload admitted with `verdict` adds to its ClusterQueue. */
export function admittedUsage(verdict: AdmissionVerdict): FlavorUsageMap {
    const out: FlavorUsageMap = new Map();
    for (const [resource, flavor] of Object.entries(verdict.flavors)) {
        const q = verdict.requests.get(resource) ?? 0n;
        if (!out.has(flavor)) out.set(flavor, new Map());
        out.get(flavor)!.set(resource, (out.get(flavor)!.get(resource) ?? 0n) + q);
    }
    return out;
}

/** Adds `usage` to the pending usage of `clusterQueue` (in place). */
export function addPendingUsage(
    pending: Map<string, FlavorUsageMap>,
    clusterQueue: string,
    usage: FlavorUsageMap,
): void {
    const mine = pending.get(clusterQueue) ?? new Map<string, Map<string, bigint>>();
    for (const [flavor, resources] of usage) {
        const m = mine.get(flavor) ?? new Map<string, bigint>();
        for (const [r, q] of resources) m.set(r, (m.get(r) ?? 0n) + q);
        mine.set(flavor, m);
    }
    pending.set(clusterQueue, mine);
}

type Mode = "fits" | "waits";

/** Kueue's findFlavorForPodSets for one resource group. */
function assignGroup(
    pod: SchedulablePodSpec,
    group: ResourceGroup,
    requests: Map<string, bigint>,
    flavors: Map<string, ResourceFlavor>,
    node: QuotaNode,
    cq: ClusterQueue,
): { flavor?: string; mode?: Mode; borrows: boolean; reasons: string[] } {
    const labelKeys = new Set(group.flavors.flatMap((f) => Object.keys(flavors.get(f.name)?.spec.nodeLabels ?? {})));
    const selector = flavorSelector(pod, labelKeys);
    const whenCanBorrow = cq.spec.flavorFungibility?.whenCanBorrow ?? "MayStopSearch";
    const whenCanPreempt = cq.spec.flavorFungibility?.whenCanPreempt ?? "TryNextFlavor";
    const reasons: string[] = [];
    let best: { flavor: string; mode: Mode; borrows: boolean } | undefined;
    for (const { name } of group.flavors) {
        const flavor = flavors.get(name)!;
        const mismatch = flavorMismatch(pod, flavor, selector);
        if (mismatch) {
            reasons.push(mismatch);
            continue;
        }
        let mode: Mode | "never" = "fits";
        let borrows = false;
        for (const [resource, value] of requests) {
            const fr = { flavor: name, resource };
            const max = node.potentialAvailable(fr);
            if (value > max) {
                reasons.push(
                    `insufficient quota for ${resource} in flavor ${name}, previously considered podsets requests (${quantityString(resource, 0n)}) + current podset request (${quantityString(resource, value)}) > maximum capacity (${quantityString(resource, max)})`,
                );
                mode = "never";
                break;
            }
            const available = node.available(fr);
            if (node.usage(fr) + value > node.nominal(fr)) borrows = true;
            if (value > available) {
                reasons.push(
                    `insufficient unused quota for ${resource} in flavor ${name}, ${quantityString(resource, value - available)} more needed`,
                );
                mode = "waits";
            }
        }
        if (mode === "never") continue;
        const better =
            !best || (best.mode === "waits" && mode === "fits") || (best.borrows && !borrows && mode === best.mode);
        if (better) best = { flavor: name, mode, borrows };
        const tryNext =
            mode === "waits" ? whenCanPreempt === "TryNextFlavor" : borrows && whenCanBorrow === "TryNextFlavor";
        if (!tryNext) break;
    }
    if (best?.mode === "fits") return { ...best, reasons: [] };
    return { ...(best ?? {}), borrows: best?.borrows ?? false, reasons };
}

/** Kueue's flavour checks: its taints against the pod's (and its own) tolerations, its labels against the pod's node selection. */
function flavorMismatch(pod: SchedulablePodSpec, flavor: ResourceFlavor, selector: PodSelection): string | undefined {
    const name = flavor.metadata.name;
    const tolerations = [...(pod.tolerations ?? []), ...(flavor.spec.tolerations ?? [])];
    const untolerated = (flavor.spec.nodeTaints ?? []).find(
        (t) =>
            (t.effect === "NoSchedule" || t.effect === "NoExecute") &&
            !tolerations.some((tol) => toleratesTaint(tol, t)),
    );
    if (untolerated)
        return `untolerated taint {${untolerated.key} ${untolerated.value ?? ""} ${untolerated.effect} <nil>} in flavor ${name}`;
    if (!selectorMatches(selector, flavor.spec.nodeLabels ?? {})) return `flavor ${name} doesn't match node affinity`;
    return undefined;
}

interface PodSelection {
    nodeSelector: Record<string, string>;
    /** ORed terms; undefined: no required affinity. */
    terms?: PodRequirement[][];
}

/** The pod's node selection restricted to the label keys the flavours of the group use (Kueue's flavorSelector). */
export function flavorSelector(pod: SchedulablePodSpec, keys: ReadonlySet<string>): PodSelection {
    const nodeSelector = Object.fromEntries(Object.entries(pod.nodeSelector ?? {}).filter(([k]) => keys.has(k)));
    const required = pod.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    let terms: PodRequirement[][] | undefined;
    for (const term of required?.nodeSelectorTerms ?? []) {
        const kept = (term.matchExpressions ?? []).filter((r) => keys.has(r.key));
        // a term with no relevant key matches any flavour: the terms are ORed, so the whole affinity does
        if (kept.length === 0) {
            terms = undefined;
            break;
        }
        (terms ??= []).push(kept);
    }
    return { nodeSelector, ...(terms ? { terms } : {}) };
}

function selectorMatches(s: PodSelection, labels: Readonly<Record<string, string>>): boolean {
    for (const [k, v] of Object.entries(s.nodeSelector)) if (labels[k] !== v) return false;
    if (!s.terms) return true;
    return s.terms.some((t) => t.every((r) => matchesRequirement(r, labels)));
}

/** Kueue's quantity strings (resources.ResourceQuantityString). */
export function quantityString(resource: string, value: bigint): string {
    if (resource === "cpu") return formatQuantity({ nanos: value * 1_000_000n, format: "DecimalSI" });
    const binary = resource === "memory" || resource === "ephemeral-storage" || resource.startsWith("hugepages-");
    const nanos = value * 1_000_000_000n;
    if (!binary) return formatQuantity({ nanos, format: "DecimalSI" });
    // printed as BinarySI and parsed back (128000 -> 125Ki; 100000 -> "100000", read as DecimalSI -> 100k)
    return formatQuantity(tryParseQuantity(formatQuantity({ nanos, format: "BinarySI" }))!);
}

/** A label selector on a namespace known by name only (its other labels are not read). */
function namespaceMatches(selector: ClusterQueue["spec"]["namespaceSelector"] | undefined, namespace: string): boolean {
    if (!selector) return false; // Kueue: no selector admits no namespace
    const labels = { "kubernetes.io/metadata.name": namespace };
    for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
        if (k !== "kubernetes.io/metadata.name") continue; // other labels: not known, assumed to match
        if (labels[k] !== v) return false;
    }
    for (const r of selector.matchExpressions ?? []) {
        if (r.key !== "kubernetes.io/metadata.name") continue;
        if (!matchesRequirement(r, labels)) return false;
    }
    return true;
}

// ---------------------------------------------------------------- quotas: Kueue's resource tree

interface FR {
    flavor: string;
    resource: string;
}

interface Quota {
    nominal: bigint;
    borrowingLimit?: bigint;
    lendingLimit?: bigint;
}

/** A ClusterQueue or a Cohort in the quota tree. */
class QuotaNode {
    parent?: QuotaNode;
    readonly children: QuotaNode[] = [];
    readonly quotas = new Map<string, Quota>();
    readonly ownUsage = new Map<string, bigint>();

    constructor(readonly name: string) {}

    nominal(fr: FR): bigint {
        return this.quotas.get(key(fr))?.nominal ?? 0n;
    }

    /** The node's own quota plus what its children lend it. */
    subtree(fr: FR): bigint {
        let total = this.nominal(fr);
        for (const c of this.children) total += c.subtree(fr) - c.localQuota(fr);
        return total;
    }

    /** The part of the subtree's quota not lent to the parent. */
    localQuota(fr: FR): bigint {
        const lend = this.quotas.get(key(fr))?.lendingLimit;
        if (lend === undefined) return 0n;
        return max0(this.subtree(fr) - lend);
    }

    usage(fr: FR): bigint {
        let total = this.ownUsage.get(key(fr)) ?? 0n;
        for (const c of this.children) total += max0(c.usage(fr) - c.localQuota(fr));
        return total;
    }

    /** The most this node could ever use (no usage anywhere), within its borrowing limit. */
    potentialAvailable(fr: FR): bigint {
        if (!this.parent) return this.subtree(fr);
        let available = this.localQuota(fr) + this.parent.potentialAvailable(fr);
        const borrow = this.quotas.get(key(fr))?.borrowingLimit;
        if (borrow !== undefined) available = min(available, this.subtree(fr) + borrow);
        return available;
    }

    /** What this node can use now. */
    available(fr: FR): bigint {
        if (!this.parent) return this.subtree(fr) - this.usage(fr);
        let parentAvailable = this.parent.available(fr);
        const borrow = this.quotas.get(key(fr))?.borrowingLimit;
        if (borrow !== undefined) {
            const storedInParent = this.subtree(fr) - this.localQuota(fr);
            const usedInParent = max0(this.usage(fr) - this.localQuota(fr));
            parentAvailable = min(storedInParent - usedInParent + borrow, parentAvailable);
        }
        return max0(this.localQuota(fr) - this.usage(fr)) + parentAvailable;
    }
}

class QuotaTree {
    private readonly cohorts = new Map<string, QuotaNode>();
    private readonly queues = new Map<string, QuotaNode>();

    constructor(snapshot: KueueSnapshot, pending: ReadonlyMap<string, FlavorUsageMap>) {
        for (const c of snapshot.cohorts) {
            const node = this.cohort(c.metadata.name);
            addQuotas(node, c.spec.resourceGroups ?? []);
            if (c.spec.parentName) this.link(node, this.cohort(c.spec.parentName));
        }
        for (const cq of snapshot.clusterQueues) {
            const node = new QuotaNode(cq.metadata.name);
            this.queues.set(cq.metadata.name, node);
            addQuotas(node, cq.spec.resourceGroups ?? []);
            addUsage(node, cq.status?.flavorsReservation ?? []);
            for (const [flavor, resources] of pending.get(cq.metadata.name) ?? [])
                for (const [r, q] of resources) {
                    const k = key({ flavor, resource: r });
                    node.ownUsage.set(k, (node.ownUsage.get(k) ?? 0n) + q);
                }
            if (cq.spec.cohortName) this.link(node, this.cohort(cq.spec.cohortName));
        }
    }

    clusterQueue(name: string): QuotaNode {
        return this.queues.get(name)!;
    }

    private cohort(name: string): QuotaNode {
        let node = this.cohorts.get(name);
        if (!node) {
            node = new QuotaNode(name);
            this.cohorts.set(name, node);
        }
        return node;
    }

    private link(child: QuotaNode, parent: QuotaNode): void {
        // a cycle of cohorts is rejected by Kueue: the edge that would close one is ignored here
        for (let p: QuotaNode | undefined = parent; p; p = p.parent) if (p === child) return;
        child.parent = parent;
        parent.children.push(child);
    }
}

function addQuotas(node: QuotaNode, groups: readonly ResourceGroup[]): void {
    for (const g of groups)
        for (const f of g.flavors)
            for (const r of f.resources) {
                node.quotas.set(key({ flavor: f.name, resource: r.name }), {
                    nominal: kueueUnits(r.name, r.nominalQuota),
                    ...(r.borrowingLimit !== undefined ? { borrowingLimit: kueueUnits(r.name, r.borrowingLimit) } : {}),
                    ...(r.lendingLimit !== undefined ? { lendingLimit: kueueUnits(r.name, r.lendingLimit) } : {}),
                });
            }
}

function addUsage(node: QuotaNode, usage: readonly FlavorUsage[]): void {
    for (const f of usage)
        for (const r of f.resources ?? [])
            node.ownUsage.set(key({ flavor: f.name, resource: r.name }), kueueUnits(r.name, r.total ?? "0"));
}

/** A quantity in Kueue's units: millicores for cpu, whole units (rounded up) otherwise. */
function kueueUnits(resource: string, quantity: string): bigint {
    const q = tryParseQuantity(String(quantity));
    if (!q) return 0n;
    const per = resource === "cpu" ? 1_000_000n : 1_000_000_000n;
    return (q.nanos + per - 1n) / per;
}

const key = (fr: FR) => `${fr.flavor}\u0000${fr.resource}`;
const max0 = (v: bigint) => (v > 0n ? v : 0n);
const min = (a: bigint, b: bigint) => (a < b ? a : b);
