/**
 * `task.run(name, { wait: true })`: after the Job is created, `pulumi up` waits until
 * it completes, like Pulumi's own await logic for Jobs, and fails with an error that
 * names the task and carries the last lines of the failed pod's log (the provider's
 * own error would only say "Job failed").
 *
 * The waiting is done by the program against the Kubernetes API (kube/client.ts), with
 * the kubeconfig the default Kubernetes provider uses (runtime/stack-kubeconfig.ts,
 * kube/kubeconfig.ts). Client certificates and bearer tokens are supported (no exec
 * plugins). Previews never wait. Logs are never put into outputs or state: a task may
 * print anything.
 */
import * as pulumi from "@pulumi/pulumi";
import { ValidationError } from "../core/errors";
import { argsSchema, normalizeArgs, rule } from "../core/validate";
import { Duration, durationSeconds } from "../core/duration";
import { KubeApi, kubeApi } from "../kube/client";
import { KubeconfigError, loadKubeconfig } from "../kube/kubeconfig";
import { stackKubeconfig } from "../runtime/stack-kubeconfig";

export interface WaitOptions {
    /** How long `pulumi up` waits for the Job (default "10m", Pulumi's default for Jobs). */
    timeout?: Duration;
    /** Lines of the failed pod's log in the error (default 20). */
    logLines?: number;
}

/** `wait` as given to `run`: true, false, or options. */
export type WaitInput = boolean | WaitOptions;

const waitOptionsSchema = argsSchema<WaitOptions>()(
    {
        timeout: rule((field, value) => {
            const seconds = durationSeconds(field, value);
            if (!(seconds > 0)) throw new ValidationError(field, value, 'a positive duration such as "10m"');
            return seconds;
        }),
        logLines: rule((field, value) => {
            if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 10_000)
                throw new ValidationError(field, value, "an integer from 0 to 10000");
            return value as number;
        }),
    },
    "true, false or { timeout?, logLines? }",
);

export interface NormalizedWait {
    timeoutSeconds: number;
    logLines: number;
}

const DEFAULT_TIMEOUT_SECONDS = 600;
const DEFAULT_LOG_LINES = 20;
const POLL_MS = 1000;

/** Validates `wait` (undefined/false: no waiting). */
export function normalizeWait(field: string, wait: unknown): NormalizedWait | undefined {
    if (wait === undefined || wait === false) return undefined;
    if (wait === true) return { timeoutSeconds: DEFAULT_TIMEOUT_SECONDS, logLines: DEFAULT_LOG_LINES };
    const w = normalizeArgs(waitOptionsSchema, wait, field);
    return { timeoutSeconds: w.timeout ?? DEFAULT_TIMEOUT_SECONDS, logLines: w.logLines ?? DEFAULT_LOG_LINES };
}

/** What a completed run reports (no logs: they stay in the cluster). */
export interface JobCompletion {
    namespace: string;
    jobName: string;
    /** Pods that succeeded. */
    succeeded: number;
    /** The pod that completed the Job and the node it ran on. */
    pod?: string;
    node?: string;
}

export interface JobWaitTarget {
    /** "env.task" and the run's name, for messages. */
    task: string;
    run: string;
    containerName: string;
}

/**
 * Waits (outside previews) for the Job to complete. If it fails, the error (with the
 * task's log tail) is logged on `resource` (the TaskRun), where Pulumi shows it without
 * a stack trace, and the returned Output rejects so that `pulumi up` fails.
 */
export function waitForJob(
    job: { metadata: pulumi.Output<{ name?: string; namespace?: string }> },
    target: JobWaitTarget,
    wait: NormalizedWait,
    resource?: pulumi.Resource,
): pulumi.Output<JobCompletion | undefined> {
    return job.metadata.apply(async (m) => {
        if (pulumi.runtime.isDryRun() || !m?.name) return undefined;
        try {
            return await awaitCompletion(runWaitApi(), m.namespace ?? "default", m.name, target, wait);
        } catch (err) {
            // a Job that is gone has nothing to wait for: said, not a failure of the update
            if (err instanceof JobGone) {
                pulumi.log.warn(err.message, resource);
                return undefined;
            }
            const message = err instanceof Error ? err.message : String(err);
            if (!resource) throw new pulumi.RunError(message);
            pulumi.log.error(message, resource);
            throw new pulumi.RunError(
                `task "${target.task}" run "${target.run}" did not complete; its error is logged on the TaskRun`,
            );
        }
    });
}

// ---------------------------------------------------------------- the wait itself

/**
 * The Job no longer exists: deleted, or removed by its ttlSecondsAfterFinished once it
 * finished (on an update that changed nothing, a waited run's Job may be long gone).
 */
export class JobGone extends Error {}

/** What the wait asks of the Kubernetes client. */
type Api = Pick<KubeApi, "get">;

/** The client for the default provider's cluster; a kubeconfig it cannot use is said as run wait's error. */
function runWaitApi(): Api {
    try {
        return kubeApi(loadKubeconfig(stackKubeconfig()));
    } catch (err) {
        if (err instanceof KubeconfigError) throw new Error(`run wait: ${err.message}`, { cause: err });
        throw err;
    }
}

/** The parts of Kubernetes' Job and Pod objects the wait reads. */
interface Condition {
    type?: string;
    status?: string;
    reason?: string;
    message?: string;
}
interface JobObject {
    metadata?: { uid?: string; labels?: Record<string, string> };
    spec?: { suspend?: boolean };
    status?: { conditions?: Condition[]; succeeded?: number };
}
interface ContainerState {
    terminated?: { exitCode?: number; reason?: string };
    waiting?: { reason?: string; message?: string };
    running?: object;
}
interface ContainerStatus {
    name?: string;
    image?: string;
    state?: ContainerState;
}
interface PodObject {
    metadata?: { name?: string; creationTimestamp?: string; ownerReferences?: { uid?: string }[] };
    spec?: { nodeName?: string; containers?: { name?: string; image?: string }[] };
    status?: {
        phase?: string;
        conditions?: Condition[];
        containerStatuses?: ContainerStatus[];
        initContainerStatuses?: ContainerStatus[];
    };
}
interface EventObject {
    reason?: string;
    message?: string;
    lastTimestamp?: string;
    eventTime?: string;
    metadata?: { creationTimestamp?: string };
}

/** A container's waiting reasons that mean its image cannot be pulled (the kubelet's). */
const PULL_FAILURES = new Set(["ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull"]);

export async function awaitCompletion(
    api: Api,
    namespace: string,
    jobName: string,
    target: JobWaitTarget,
    wait: NormalizedWait,
    pollMs = POLL_MS,
): Promise<JobCompletion> {
    const what = `task "${target.task}" run "${target.run}" (Job ${namespace}/${jobName})`;
    const deadline = Date.now() + wait.timeoutSeconds * 1000;
    for (;;) {
        const res = await api.get(`/apis/batch/v1/namespaces/${enc(namespace)}/jobs/${enc(jobName)}`);
        if (res.status === 404)
            throw new JobGone(
                `${what} no longer exists (deleted, or removed by ttlSecondsAfterFinished after it finished): there is nothing to wait for; \`pulumi up --refresh\` creates and runs it again`,
            );
        if (res.status !== 200)
            throw new Error(`${what}: cannot read the Job (HTTP ${res.status}: ${res.text.slice(0, 300)})`);
        const job = res.body as JobObject | undefined;
        const conditions = job?.status?.conditions ?? [];
        const cond = (type: string) => conditions.find((c) => c.type === type && c.status === "True");
        const pods = await jobPods(api, namespace, jobName, job?.metadata?.uid);
        if (cond("Complete")) {
            const done = pods.filter((p) => p.status?.phase === "Succeeded").pop();
            return {
                namespace,
                jobName,
                succeeded: job?.status?.succeeded ?? 0,
                pod: done?.metadata?.name,
                node: done?.spec?.nodeName,
            };
        }
        // an image that cannot be pulled fails the run now, not after its whole timeout
        const pull = await pullFailure(api, namespace, pods);
        if (pull) throw new Error(`${what} cannot start: ${pull}`);
        const failed = cond("Failed");
        if (failed) {
            const last = pods.pop();
            throw new Error(
                `${what} failed: ${failed.reason ?? "Failed"}${failed.message ? ` (${failed.message})` : ""}${await podReport(api, namespace, last, target, wait.logLines)}`,
            );
        }
        if (Date.now() > deadline) {
            if (job?.spec?.suspend)
                throw new Error(
                    `${what} did not start within ${wait.timeoutSeconds}s: ${await suspendedReport(api, namespace, job)}`,
                );
            const last = pods.pop();
            throw new Error(
                `${what} did not complete within ${wait.timeoutSeconds}s${await podReport(api, namespace, last, target, wait.logLines)}`,
            );
        }
        await new Promise((r) => setTimeout(r, pollMs));
    }
}

const QUEUE_LABEL = "kueue.x-k8s.io/queue-name";

/** Why a Job is still suspended: waiting in Kueue's queue (with the Workload's reason), or suspended by its spec. */
async function suspendedReport(api: Api, namespace: string, job: JobObject): Promise<string> {
    const queue = job.metadata?.labels?.[QUEUE_LABEL];
    if (!queue) return "it is suspended (spec.suspend)";
    const uid = job.metadata?.uid ?? "";
    const res = await api.get(
        `/apis/kueue.x-k8s.io/v1beta2/namespaces/${enc(namespace)}/workloads?labelSelector=${enc(`kueue.x-k8s.io/job-uid=${uid}`)}`,
    );
    type Workload = { metadata?: { name?: string }; status?: { conditions?: Condition[] } };
    const [workload] = res.status === 200 ? ((res.body as { items?: Workload[] } | undefined)?.items ?? []) : [];
    if (!workload)
        return `it waits, suspended, in queue "${queue}" and Kueue made no Workload for it (is Kueue running? ${res.status === 404 ? "the cluster does not serve Kueue's API" : "a queued Job waits until Kueue admits it"})`;
    const pending = (workload.status?.conditions ?? []).find((c) => c.type === "QuotaReserved" && c.status === "False");
    return `it waits, suspended, in queue "${queue}": Kueue has not admitted its Workload ${workload.metadata?.name}${pending?.message ? ` (${pending.message})` : ""}; it starts when its ClusterQueue has the quota`;
}

/** The Job's pods, oldest first (not those of a Job it replaced, which carry the same job-name while they terminate). */
async function jobPods(api: Api, namespace: string, jobName: string, uid?: string): Promise<PodObject[]> {
    const res = await api.get(`/api/v1/namespaces/${enc(namespace)}/pods?labelSelector=${enc(`job-name=${jobName}`)}`);
    const all = res.status === 200 ? ((res.body as { items?: PodObject[] } | undefined)?.items ?? []) : [];
    const items = uid ? all.filter((p) => (p.metadata?.ownerReferences ?? []).some((o) => o.uid === uid)) : all;
    return items.sort((a, b) =>
        String(a.metadata?.creationTimestamp).localeCompare(String(b.metadata?.creationTimestamp)),
    );
}

/**
 * "pod P on node N cannot pull the image I: <the kubelet's message, with the registry's
 * answer>" for the first container of the Job's pods whose image cannot be pulled.
 * Back-off says only "Back-off pulling image": the pod's last pull failure event has the cause.
 */
async function pullFailure(api: Api, namespace: string, pods: PodObject[]): Promise<string | undefined> {
    for (const pod of pods) {
        const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
        const stuck = statuses.find((c) => PULL_FAILURES.has(c.state?.waiting?.reason ?? ""));
        if (!stuck) continue;
        const name = pod.metadata?.name ?? "";
        const image =
            stuck.image || pod.spec?.containers?.find((c) => c.name === stuck.name)?.image || "(unknown image)";
        let cause = stuck.state?.waiting?.message ?? stuck.state?.waiting?.reason ?? "";
        if (!cause || /^Back-off pulling image/.test(cause)) {
            const res = await api.get(
                `/api/v1/namespaces/${enc(namespace)}/events?fieldSelector=${enc(`involvedObject.name=${name}`)}`,
            );
            const events = res.status === 200 ? ((res.body as { items?: EventObject[] })?.items ?? []) : [];
            const when = (e: EventObject) => e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? "";
            const last = events
                .filter((e) => e.reason === "Failed" && /^Failed to pull image/.test(e.message ?? ""))
                .sort((a, b) => when(a).localeCompare(when(b)))
                .pop();
            if (last?.message) cause = last.message;
        }
        return (
            `pod ${name}${pod.spec?.nodeName ? ` on node ${pod.spec.nodeName}` : ""} cannot pull the image ${image} ` +
            `(${stuck.state?.waiting?.reason}): ${cause}; make the image pullable (push it again, fix the registry or its credentials), then run \`pulumi up\` again`
        );
    }
    return undefined;
}

/** "; pod X on node N: exit code 3 (Error); last N log lines: ..." */
async function podReport(
    api: Api,
    namespace: string,
    pod: PodObject | undefined,
    target: JobWaitTarget,
    lines: number,
): Promise<string> {
    if (!pod) return "; no pod was created";
    const name = pod.metadata?.name;
    const cs = (pod.status?.containerStatuses ?? []).find((c) => c.name === target.containerName);
    const state = cs?.state ?? {};
    let how = `phase ${pod.status?.phase ?? "unknown"}`;
    if (state.terminated)
        how = `exit code ${state.terminated.exitCode}${state.terminated.reason ? ` (${state.terminated.reason})` : ""}`;
    else if (state.waiting)
        how = `waiting: ${state.waiting.reason}${state.waiting.message ? ` (${state.waiting.message})` : ""}`;
    else if (pod.status?.phase === "Pending") {
        const sched = (pod.status?.conditions ?? []).find((c) => c.type === "PodScheduled" && c.status === "False");
        if (sched) how = `not scheduled: ${sched.reason}${sched.message ? ` (${sched.message})` : ""}`;
    }
    let out = `; pod ${name}${pod.spec?.nodeName ? ` on node ${pod.spec.nodeName}` : ""}: ${how}`;
    if (lines > 0 && (state.terminated || state.running)) {
        const log = await api.get(
            `/api/v1/namespaces/${enc(namespace)}/pods/${enc(name ?? "")}/log?container=${enc(target.containerName)}&tailLines=${lines}`,
        );
        if (log.status === 200) {
            const text = log.text.replace(/\n$/, "");
            out += text
                ? `; last ${lines} log lines of "${target.task}":\n${text
                      .split("\n")
                      .map((l) => `    | ${l}`)
                      .join("\n")}`
                : "; its log is empty";
        } else {
            out += `; its log could not be read (HTTP ${log.status})`;
        }
    }
    return out;
}

const enc = encodeURIComponent;
