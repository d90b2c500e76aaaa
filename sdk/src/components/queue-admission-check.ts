/**
 * The scheduling check for queued runs: at `pulumi preview` and `pulumi up`, each run
 * with a `queue` is put through Kueue's admission (core/simulator/queue-admission.ts)
 * against the queues of the cluster and of the program (what this update declares wins
 * over what the cluster has): which flavour admits it, or why it waits (the quota is in
 * use now) or never starts (more than the quota and what the cohort lends can ever
 * hold, no flavour for its pods, no LocalQueue); then where its pods go once Kueue adds
 * the flavour's node labels (the node check of schedulability.ts).
 *
 * - Runs are checked in the order the program declares them: a run admitted first uses
 *   the quota the next one sees. A run whose Job exists already is reported as the
 *   cluster has it (admitted, finished, or pending with Kueue's message); its usage is
 *   in its ClusterQueue's reservations.
 * - `flyte:schedulingCheck` decides: `warn` (a run that never starts is a warning on
 *   its TaskRun), `error` (the preview fails), `off`. A run that waits for quota is an
 *   informational message, as is its admission.
 * - Kueue's objects are read once per program with the package's Kubernetes client
 *   (kube/); a cluster without Kueue's API is said once.
 */
import * as pulumi from "@pulumi/pulumi";
import { SchedulablePodSpec } from "../core/simulator/fit";
import { simulateScheduling } from "../core/simulator/simulate";
import {
    AdmissionVerdict,
    FlavorUsageMap,
    KueueSnapshot,
    addPendingUsage,
    admittedUsage,
    simulateAdmission,
} from "../core/simulator/queue-admission";
import { ClusterQueue, Cohort, LocalQueue, ResourceFlavor, Workload } from "../core/queue/kueue";
import { KubeApi, listObjects, kubeApi, servesKubeconfig } from "../kube/client";
import { loadKubeconfig } from "../kube/kubeconfig";
import { describeKubeError } from "../kube/nodes";
import { declaredQueues } from "../runtime/declared-queues";
import { underMocks } from "../runtime/mocks";
import { programSlot } from "../runtime/program-state";
import { stackKubeconfig, stackNamespace } from "../runtime/stack-kubeconfig";
import { clusterSchedulingNodes, keepAlive, schedulingCheckSettings } from "./schedulability";

/** What the check says of one queued run. */
export interface QueueAdmissionReport {
    checked: boolean;
    queue: string;
    clusterQueue?: string;
    /**
     * `fits` (admitted when created), `waits` (quota in use), `never`, `inadmissible`
     * (no LocalQueue or ClusterQueue, stopped, inactive); for a run whose Job exists:
     * `admitted`, `pending` or `finished`.
     */
    outcome?: "fits" | "waits" | "never" | "inadmissible" | "admitted" | "pending" | "finished";
    /** The flavour that admits it (or would, once quota frees). */
    flavor?: string;
    /** One line: how it is admitted, or why not, in Kueue's terms. */
    message: string;
    /** Where its pods go once admitted: pools and nodes, "none: <why>". */
    placement?: string;
    nodes?: string[];
}

export interface QueueAdmissionCheck {
    readonly report: pulumi.Output<QueueAdmissionReport>;
}

/** The cluster's Kueue objects, or why they could not be read. */
export type ClusterKueue = { ok: true; installed: boolean; snapshot: KueueSnapshot } | { ok: false; reason: string };

/** A run's Job as the cluster has it. */
export interface ExistingRun {
    finished: boolean;
    workload?: Workload;
}

/** Where Kueue's objects and the runs' Jobs come from; replaceable in tests. */
export interface KueueSource {
    snapshot(): Promise<ClusterKueue>;
    run(namespace: string, jobName: string): Promise<ExistingRun | undefined>;
}

const state = programSlot("queue admission check", () => ({
    source: undefined as KueueSource | undefined,
    cluster: undefined as Promise<ClusterKueue> | undefined,
    real: undefined as KueueSource | undefined,
    /** The checks of the program's runs, one after the other (declaration order). */
    chain: Promise.resolve() as Promise<void>,
    /** Usage of the runs this update creates, admitted before the next (by ClusterQueue). */
    pending: new Map<string, FlavorUsageMap>(),
    reported: new Set<string>(),
}));

/** @internal Tests replace the cluster's Kueue (also under mocks); `undefined` restores the real one. */
export function setKueueSource(source: KueueSource | undefined): void {
    const s = state();
    s.source = source;
    s.cluster = undefined;
    s.pending = new Map();
    s.reported = new Set();
}

export interface QueuedRun {
    /** `run "train.fit.nightly"` */
    what: string;
    queue: string;
    namespace: pulumi.Input<string> | undefined;
    jobName: string;
    pod: SchedulablePodSpec;
    /** Pods that run at once (the Job's parallelism). */
    count: number;
    /** A CronJob: each of its Jobs waits in the queue; none exists yet, none uses quota now. */
    scheduled?: boolean;
}

/** Checks a queued run's admission; reports on `resource` (its TaskRun). */
export function checkQueueAdmission(run: QueuedRun, resource: pulumi.Resource): QueueAdmissionCheck {
    const settings = schedulingCheckSettings();
    const s = state();
    // one check after the other; the chain holds turns, not results: a check that fails
    // (flyte:schedulingCheck error) is an unhandled rejection unless read, which fails the program
    const previous = s.chain;
    let release!: () => void;
    s.chain = new Promise<void>((r) => (release = r));
    const result = (async () => {
        await previous;
        try {
            return await admissionOf(run, resource, settings.mode);
        } finally {
            release();
        }
    })();
    let report: pulumi.Output<QueueAdmissionReport> | undefined;
    return {
        get report() {
            return (report ??= pulumi.output(result));
        },
    };
}

const unchecked = (queue: string, why: string): QueueAdmissionReport => ({
    checked: false,
    queue,
    message: `unchecked: ${why}`,
});

async function admissionOf(run: QueuedRun, resource: pulumi.Resource, mode: string): Promise<QueueAdmissionReport> {
    if (mode === "off") return unchecked(run.queue, "flyte:schedulingCheck is off");
    const s = state();
    if (!s.source && underMocks()) return unchecked(run.queue, "no cluster under Pulumi's mocks");
    if (resource.getProvider("kubernetes:batch/v1:Job"))
        return unchecked(
            run.queue,
            "the component uses an explicit Kubernetes provider, whose cluster the check cannot read",
        );
    const done = keepAlive();
    try {
        return await check(run, resource, mode);
    } finally {
        done();
    }
}

async function check(run: QueuedRun, resource: pulumi.Resource, mode: string): Promise<QueueAdmissionReport> {
    const s = state();
    const source = s.source ?? (s.real ??= clusterSource());
    const namespace = await namespaceOf(run.namespace);
    if (namespace === undefined) return unchecked(run.queue, "the namespace is not known at preview");
    s.cluster ??= source.snapshot().catch((err) => ({ ok: false as const, reason: describeKubeError(err) }));
    const cluster = await s.cluster;
    if (!cluster.ok) {
        once(`unreachable`, () =>
            pulumi.log.info(
                `flyte scheduling check: Kueue's queues cannot be read (${cluster.reason}); queued runs are "unchecked".`,
            ),
        );
        return unchecked(run.queue, `Kueue's queues cannot be read: ${cluster.reason}`);
    }
    if (!cluster.installed) {
        const message = `Kueue is not installed in the cluster (the API kueue.x-k8s.io/v1beta2 is not served): queued runs are created suspended and never start; install Kueue (on the local platform: npm run platform -- kueue)`;
        if (mode === "error")
            throw new pulumi.ResourceError(`${message} (flyte:schedulingCheck is error)`, resource, true);
        once("not installed", () => pulumi.log.warn(message, resource));
        return { checked: true, queue: run.queue, outcome: "inadmissible", message };
    }
    const snapshot = withDeclared(cluster.snapshot, await declaredSnapshot());
    const existing = run.scheduled ? undefined : await source.run(namespace, run.jobName).catch(() => undefined);
    const workload = { namespace, queue: run.queue, pod: run.pod, count: run.count };
    if (existing?.finished)
        return { checked: true, queue: run.queue, outcome: "finished", message: "its Job has finished" };
    const admission = existing?.workload?.status?.admission;
    if (admission?.clusterQueue) {
        const flavors = [...new Set(admission.podSetAssignments?.flatMap((p) => Object.values(p.flavors ?? {})) ?? [])];
        const message = `admitted by ClusterQueue ${admission.clusterQueue} in flavor ${flavors.join(", ")} (its Job runs)`;
        return {
            checked: true,
            queue: run.queue,
            clusterQueue: admission.clusterQueue,
            outcome: "admitted",
            ...(flavors.length === 1 ? { flavor: flavors[0] } : {}),
            message,
        };
    }
    const verdict = simulateAdmission(workload, snapshot, s.pending);
    if (verdict.outcome === "fits" && !existing && !run.scheduled)
        addPendingUsage(s.pending, verdict.clusterQueue!, admittedUsage(verdict));
    const placement =
        verdict.outcome === "fits" || verdict.outcome === "waits" ? await placementOf(run.pod, verdict) : undefined;
    const pendingMessage = existing?.workload ? pendingCondition(existing.workload) : undefined;
    return report(run, resource, mode, verdict, placement, existing ? (pendingMessage ?? "") : undefined);
}

function report(
    run: QueuedRun,
    resource: pulumi.Resource,
    mode: string,
    verdict: AdmissionVerdict,
    placement: { placement: string; nodes: string[] } | undefined,
    kueueSays: string | undefined,
): QueueAdmissionReport {
    const where = placement ? `; its pods go to ${placement.placement}` : "";
    const now = kueueSays ? ` (its Job exists and waits: Kueue says "${kueueSays}")` : "";
    const base = {
        checked: true,
        queue: run.queue,
        ...(verdict.clusterQueue ? { clusterQueue: verdict.clusterQueue } : {}),
        ...(verdict.flavor ? { flavor: verdict.flavor } : {}),
        message: verdict.message,
        ...(placement ? { placement: placement.placement, nodes: placement.nodes } : {}),
    };
    if (verdict.caveat) pulumi.log.warn(`${run.what} in queue "${run.queue}": ${verdict.caveat}`, resource);
    switch (verdict.outcome) {
        case "fits":
            pulumi.log.info(`${run.what} in queue "${run.queue}": ${verdict.message}${where}`, resource);
            return { ...base, outcome: kueueSays !== undefined ? "pending" : "fits" };
        case "waits":
            pulumi.log.info(
                `${run.what} waits in queue "${run.queue}" (ClusterQueue ${verdict.clusterQueue}): ${verdict.message}; it starts when quota frees (or Kueue preempts, as the ClusterQueue's preemption allows)${where}${now}`,
                resource,
            );
            return { ...base, outcome: kueueSays !== undefined ? "pending" : "waits" };
        default: {
            const message = `${run.what} can never be admitted by queue "${run.queue}"${verdict.clusterQueue ? ` (ClusterQueue ${verdict.clusterQueue})` : ""}: ${verdict.message}${now}`;
            if (mode === "error")
                throw new pulumi.ResourceError(`${message} (flyte:schedulingCheck is error)`, resource, true);
            pulumi.log.warn(message, resource);
            return { ...base, outcome: verdict.outcome };
        }
    }
}

/** Where the run's pods go with the flavour's node labels and tolerations added (as Kueue does). */
async function placementOf(
    pod: SchedulablePodSpec,
    verdict: AdmissionVerdict,
): Promise<{ placement: string; nodes: string[] } | undefined> {
    const nodes = await clusterSchedulingNodes();
    if (!nodes.ok) return undefined;
    const admitted: SchedulablePodSpec = {
        ...pod,
        nodeSelector: { ...(pod.nodeSelector ?? {}), ...verdict.nodeSelector },
        tolerations: [...(pod.tolerations ?? []), ...verdict.tolerations],
    };
    const v = simulateScheduling(admitted, nodes.nodes, { declaredPools: nodes.declaredPools });
    return { placement: v.placement, nodes: v.nodes };
}

/** The cluster's objects with the program's on top (this update creates or changes them); the cluster's usage stays. */
function withDeclared(cluster: KueueSnapshot, declared: KueueSnapshot): KueueSnapshot {
    const byName = <T extends { metadata: { name: string; namespace?: string } }>(
        mine: readonly T[],
        theirs: readonly T[],
    ) => {
        const key = (o: T) => `${o.metadata.namespace ?? ""}/${o.metadata.name}`;
        const keys = new Set(mine.map(key));
        return [...mine, ...theirs.filter((o) => !keys.has(key(o)))];
    };
    const clusterQueues = declared.clusterQueues.map((cq) => {
        const live = cluster.clusterQueues.find((c) => c.metadata.name === cq.metadata.name);
        return live?.status ? { ...cq, status: live.status } : cq;
    });
    return {
        localQueues: byName(declared.localQueues, cluster.localQueues),
        clusterQueues: byName(clusterQueues, cluster.clusterQueues),
        cohorts: cluster.cohorts,
        flavors: byName(declared.flavors, cluster.flavors),
    };
}

/** The Kueue objects this program declares, with the LocalQueues' namespaces resolved. */
async function declaredSnapshot(): Promise<KueueSnapshot> {
    const d = declaredQueues();
    const localQueues: LocalQueue[] = [];
    for (const lq of d.localQueues) {
        const ns = await namespaceOf(lq.namespace);
        if (ns !== undefined) localQueues.push({ ...lq.object, metadata: { ...lq.object.metadata, namespace: ns } });
    }
    return {
        localQueues,
        clusterQueues: [...d.clusterQueues.values()].map((q) => q.queue.clusterQueue),
        cohorts: [],
        flavors: [...d.flavors.values()].map((f) => f.object),
    };
}

/** A namespace's name: a string, the provider's default (stackNamespace), or an Output once known. */
async function namespaceOf(ns: pulumi.Input<string> | undefined): Promise<string | undefined> {
    if (typeof ns === "string") return ns;
    if (ns === undefined) return stackNamespace();
    const out = pulumi.output(ns);
    if (!(await (out as unknown as { isKnown: Promise<boolean> }).isKnown)) return undefined;
    return new Promise((resolve) => out.apply((v) => (resolve(v), v)));
}

function pendingCondition(w: Workload): string | undefined {
    const c = (w.status?.conditions ?? []).find((x) => x.type === "QuotaReserved" && x.status === "False");
    return c?.message;
}

function once(key: string, fn: () => void): void {
    const s = state();
    if (s.reported.has(key)) return;
    s.reported.add(key);
    fn();
}

// ---------------------------------------------------------------- the cluster

const KUEUE = "/apis/kueue.x-k8s.io/v1beta2";

/** Reads Kueue's objects and the runs' Jobs with the package's client (kube/), with the stack's kubeconfig. */
function clusterSource(): KueueSource {
    let api: KubeApi | undefined;
    const client = (): KubeApi => {
        if (api) return api;
        const loaded = loadKubeconfig(stackKubeconfig());
        if (!servesKubeconfig(loaded))
            throw new Error(
                "the kubeconfig's user needs @kubernetes/client-node (an exec plugin, an auth provider or a proxy): queued runs are not checked",
            );
        return (api = kubeApi(loaded));
    };
    return {
        async snapshot() {
            const k = client();
            const group = await k.get(KUEUE);
            if (group.status === 404) return { ok: true, installed: false, snapshot: EMPTY };
            if (group.status !== 200)
                return { ok: false, reason: `${group.text.split("\n")[0].slice(0, 300)} (${group.status})` };
            const [localQueues, clusterQueues, cohorts, flavors] = await Promise.all([
                listObjects<LocalQueue>(k, `${KUEUE}/localqueues`),
                listObjects<ClusterQueue>(k, `${KUEUE}/clusterqueues`),
                listObjects<Cohort>(k, `${KUEUE}/cohorts`),
                listObjects<ResourceFlavor>(k, `${KUEUE}/resourceflavors`),
            ]);
            return { ok: true, installed: true, snapshot: { localQueues, clusterQueues, cohorts, flavors } };
        },
        async run(namespace, jobName) {
            const k = client();
            const res = await k.get(`/apis/batch/v1/namespaces/${enc(namespace)}/jobs/${enc(jobName)}`);
            if (res.status !== 200) return undefined;
            const job = res.body as {
                metadata?: { uid?: string };
                status?: { conditions?: { type: string; status: string }[] };
            };
            const finished = (job.status?.conditions ?? []).some(
                (c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True",
            );
            const uid = job.metadata?.uid;
            const workloads = uid
                ? await listObjects<Workload>(
                      k,
                      `${KUEUE}/namespaces/${enc(namespace)}/workloads?labelSelector=${enc(`kueue.x-k8s.io/job-uid=${uid}`)}`,
                  ).catch(() => [])
                : [];
            return { finished, ...(workloads[0] ? { workload: workloads[0] } : {}) };
        },
    };
}

const EMPTY: KueueSnapshot = { localQueues: [], clusterQueues: [], cohorts: [], flavors: [] };
const enc = encodeURIComponent;
