/**
 * `task.run(name, { wait: true })`: after the Job is created, `pulumi up` waits until
 * it completes, like Pulumi's own await logic for Jobs, and fails with an error that
 * names the task and carries the last lines of the failed pod's log (the provider's
 * own error would only say "Job failed").
 *
 * The waiting is done by the program against the Kubernetes API, with the kubeconfig
 * the default Kubernetes provider uses: the stack's `kubernetes:kubeconfig` (a path or
 * the contents) and `kubernetes:context`, else `$KUBECONFIG` (first file), else
 * `~/.kube/config`. Client certificates and bearer tokens are supported (no exec
 * plugins). Previews never wait. Logs are never put into outputs or state: a task may
 * print anything.
 */
import * as fs from "fs";
import * as https from "https";
import * as http from "http";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { ValidationError, joinPath } from "../core/errors";
import { argsSchema, checkedLater, parseArgs } from "../core/validate";
import { Duration, durationSeconds } from "../core/duration";

export interface WaitOptions {
    /** How long `pulumi up` waits for the Job (default "10m", Pulumi's default for Jobs). */
    timeout?: Duration;
    /** Lines of the failed pod's log in the error (default 20). */
    logLines?: number;
}

/** `wait` as given to `run`: true, false, or options. */
export type WaitInput = boolean | WaitOptions;

const waitOptionsSchema = argsSchema<WaitOptions>()(
    { timeout: checkedLater<Duration>(), logLines: checkedLater<number>() },
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
    const w = parseArgs(waitOptionsSchema, wait as WaitOptions, field);
    const timeoutSeconds =
        w.timeout === undefined ? DEFAULT_TIMEOUT_SECONDS : durationSeconds(joinPath(field, "timeout"), w.timeout);
    if (!(timeoutSeconds > 0))
        throw new ValidationError(joinPath(field, "timeout"), w.timeout, 'a positive duration such as "10m"');
    const logLines = w.logLines ?? DEFAULT_LOG_LINES;
    if (!Number.isInteger(logLines) || logLines < 0 || logLines > 10_000)
        throw new ValidationError(joinPath(field, "logLines"), w.logLines, "an integer from 0 to 10000");
    return { timeoutSeconds, logLines };
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
            return await awaitCompletion(kubeApi(), m.namespace ?? "default", m.name, target, wait);
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

interface Api {
    get(path: string): Promise<{ status: number; body: unknown; text: string }>;
}

/** The parts of Kubernetes' Job and Pod objects the wait reads. */
interface Condition {
    type?: string;
    status?: string;
    reason?: string;
    message?: string;
}
interface JobObject {
    metadata?: { uid?: string };
    status?: { conditions?: Condition[]; succeeded?: number };
}
interface ContainerState {
    terminated?: { exitCode?: number; reason?: string };
    waiting?: { reason?: string; message?: string };
    running?: object;
}
interface PodObject {
    metadata?: { name?: string; creationTimestamp?: string; ownerReferences?: { uid?: string }[] };
    spec?: { nodeName?: string };
    status?: {
        phase?: string;
        conditions?: Condition[];
        containerStatuses?: { name?: string; state?: ContainerState }[];
    };
}

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
        const failed = cond("Failed");
        if (failed) {
            const last = pods.pop();
            throw new Error(
                `${what} failed: ${failed.reason ?? "Failed"}${failed.message ? ` (${failed.message})` : ""}${await podReport(api, namespace, last, target, wait.logLines)}`,
            );
        }
        if (Date.now() > deadline) {
            const last = pods.pop();
            throw new Error(
                `${what} did not complete within ${wait.timeoutSeconds}s${await podReport(api, namespace, last, target, wait.logLines)}`,
            );
        }
        await new Promise((r) => setTimeout(r, pollMs));
    }
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

// ---------------------------------------------------------------- a small API client

export interface KubeConfigFile {
    "current-context"?: string;
    contexts?: { name: string; context: { cluster: string; user: string } }[];
    clusters?: {
        name: string;
        cluster: {
            server: string;
            "certificate-authority"?: string;
            "certificate-authority-data"?: string;
            "insecure-skip-tls-verify"?: boolean;
        };
    }[];
    users?: {
        name: string;
        user: {
            "client-certificate"?: string;
            "client-certificate-data"?: string;
            "client-key"?: string;
            "client-key-data"?: string;
            token?: string;
            exec?: unknown;
        };
    }[];
}

/** The kubeconfig the default Kubernetes provider would use (see the module comment). */
export function loadKubeconfig(): { config: KubeConfigFile; dir: string; context?: string } {
    const k8s = new pulumi.Config("kubernetes");
    const given = k8s.get("kubeconfig");
    const context = k8s.get("context");
    if (given !== undefined) {
        if (fs.existsSync(given))
            return {
                config: yaml.load(fs.readFileSync(given, "utf8")) as KubeConfigFile,
                dir: path.dirname(path.resolve(given)),
                context,
            };
        return { config: yaml.load(given) as KubeConfigFile, dir: process.cwd(), context };
    }
    const file =
        (process.env.KUBECONFIG ?? "").split(path.delimiter).find((f) => f) ??
        path.join(os.homedir(), ".kube", "config");
    if (!fs.existsSync(file))
        throw new Error(`run wait: no kubeconfig (set kubernetes:kubeconfig or KUBECONFIG; ${file} does not exist)`);
    return {
        config: yaml.load(fs.readFileSync(file, "utf8")) as KubeConfigFile,
        dir: path.dirname(path.resolve(file)),
        context,
    };
}

type KubeCluster = NonNullable<KubeConfigFile["clusters"]>[number]["cluster"];
type KubeUser = NonNullable<KubeConfigFile["users"]>[number]["user"];

/** The current context of a loaded kubeconfig and its cluster and user entries (undefined where missing). */
export function currentContext(loaded: { config: KubeConfigFile; context?: string }): {
    name?: string;
    context?: { cluster: string; user: string };
    cluster?: KubeCluster;
    user?: KubeUser;
} {
    const { config } = loaded;
    const name = loaded.context ?? config["current-context"];
    const context = (config.contexts ?? []).find((c) => c.name === name)?.context;
    const cluster = (config.clusters ?? []).find((c) => c.name === context?.cluster)?.cluster;
    const user = (config.users ?? []).find((u) => u.name === context?.user)?.user;
    return { name, context, cluster, user };
}

/** True when an HTTP(S) proxy is configured: the Kubernetes provider would use it, our small client does not. */
export function proxyConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
    return ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"].some((v) => env[v]);
}

export function kubeApi(loaded = loadKubeconfig()): Api {
    const { dir } = loaded;
    const { name, context: ctx, cluster, user = {} } = currentContext(loaded);
    if (!ctx) throw new Error(`run wait: kubeconfig has no context "${name}"`);
    if (!cluster) throw new Error(`run wait: kubeconfig has no cluster "${ctx.cluster}"`);
    if (user.exec)
        throw new Error(
            "run wait: kubeconfig users with exec plugins are not supported; use a client certificate or a token",
        );
    const read = (inline?: string, file?: string) =>
        inline ? Buffer.from(inline, "base64") : file ? fs.readFileSync(path.resolve(dir, file)) : undefined;
    const server = new URL(cluster.server);
    const secure = server.protocol === "https:";
    const agent = secure
        ? new https.Agent({
              ca: read(cluster["certificate-authority-data"], cluster["certificate-authority"]),
              cert: read(user["client-certificate-data"], user["client-certificate"]),
              key: read(user["client-key-data"], user["client-key"]),
              rejectUnauthorized: !cluster["insecure-skip-tls-verify"],
              keepAlive: true,
          })
        : new http.Agent({ keepAlive: true });
    const base = server.pathname.replace(/\/$/, "");
    return {
        get: (p) =>
            new Promise((resolve, reject) => {
                const req = (secure ? https : http).request(
                    {
                        host: server.hostname,
                        port: server.port || (secure ? 443 : 80),
                        path: base + p,
                        method: "GET",
                        agent,
                        headers: {
                            Accept: "application/json, */*",
                            ...(user.token ? { Authorization: `Bearer ${user.token}` } : {}),
                        },
                    },
                    (res) => {
                        const chunks: Buffer[] = [];
                        res.on("data", (c) => chunks.push(c));
                        res.on("end", () => {
                            const text = Buffer.concat(chunks).toString("utf8");
                            let body: unknown;
                            try {
                                body = JSON.parse(text);
                            } catch {
                                body = undefined;
                            }
                            resolve({ status: res.statusCode ?? 0, body, text });
                        });
                    },
                );
                req.setTimeout(30_000, () => req.destroy(new Error(`GET ${p}: no answer in 30s`)));
                req.on("error", reject);
                req.end();
            }),
    };
}
