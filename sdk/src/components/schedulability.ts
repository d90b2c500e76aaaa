/**
 * The scheduling check: at `pulumi preview` and `pulumi up`, every environment's and
 * task's pod is put through the scheduler's filters (core/simulator/simulate.ts)
 * against the nodes of the cluster the Kubernetes provider deploys to, plus the node
 * pools declared for clusters that scale from zero.
 *
 * - Nodes are read once per program run from the kubeconfig the default Kubernetes
 *   provider uses: the stack's `kubernetes:kubeconfig` (a path or the contents) and
 *   `kubernetes:context`, else `$KUBECONFIG`, else `~/.kube/config`, else the in-cluster
 *   service account. A kubeconfig of one file whose user is a client certificate or a
 *   token is read with the small client `run wait` uses (job-wait.ts); anything else
 *   (exec plugins, auth providers, merged files, proxies, in-cluster) with
 *   @kubernetes/client-node, whose loading alone costs 2-3 s of CPU per program.
 * - `flyte:schedulingCheck`: `warn` (default: a pod no node or declared pool can take
 *   is a warning on its PodTemplate), `error` (the preview / update fails), `off`.
 * - `flyte:nodePools`: declared pools ({ name, labels, taints, allocatable }).
 * - A cluster that cannot be read (first deploy, no credentials, no permission to
 *   list nodes) skips the check with one informational message: never a failure.
 * - Components with an explicit Kubernetes provider are not checked (its kubeconfig
 *   is not readable from the program); nor are programs under Pulumi's mocks.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { ValidationError } from "../core/errors";
import { SchedulablePodSpec, SchedulingNode } from "../core/simulator/fit";
import {
    NodePoolDeclaration,
    SchedulingVerdict,
    declaredPoolNodes,
    fromKubernetesNode,
    simulateScheduling,
} from "../core/simulator/simulate";
import { parseWith } from "../core/validate";
import { KubeConfigFile, currentContext, kubeApi, loadKubeconfig, proxyConfigured } from "./job-wait";

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

let programOptions: SchedulingCheckOptions = {};

/**
 * Program-level settings of the scheduling check (call before declaring environments):
 * `flyte.configureSchedulingCheck({ nodePools: [{ name: "h100", labels: {...}, taints: [...], allocatable: {...} }] })`.
 */
export function configureSchedulingCheck(options: SchedulingCheckOptions): void {
    const parsed = parseWith(
        z
            .object({ mode: z.enum(["warn", "error", "off"]).optional(), nodePools: z.array(z.unknown()).optional() })
            .strict(),
        options,
        "configureSchedulingCheck",
    );
    if (parsed.nodePools) declaredPoolNodes(parsed.nodePools, "configureSchedulingCheck.nodePools");
    programOptions = { ...options };
    settingsMemo = undefined;
}

export interface SchedulingCheckSettings {
    mode: SchedulingCheckMode;
    declaredPools: SchedulingNode[];
}

let settingsMemo: SchedulingCheckSettings | undefined;

/** `flyte:schedulingCheck` and `flyte:nodePools`, validated (a mistake fails the preview naming the key). */
export function schedulingCheckSettings(): SchedulingCheckSettings {
    if (settingsMemo) return settingsMemo;
    const config = new pulumi.Config("flyte");
    const modeText = config.get("schedulingCheck");
    const mode =
        modeText === undefined
            ? (programOptions.mode ?? "warn")
            : parseWith(z.enum(["warn", "error", "off"]), modeText, "flyte:schedulingCheck");
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
    const fromProgram = declaredPoolNodes(programOptions.nodePools ?? [], "configureSchedulingCheck.nodePools");
    for (const p of fromProgram) {
        if (fromStack.some((s) => s.name === p.name))
            throw new ValidationError(
                "configureSchedulingCheck.nodePools",
                p.name,
                `pool "${p.name}" is also declared in flyte:nodePools; declare each pool once`,
            );
    }
    settingsMemo = { mode, declaredPools: [...fromStack, ...fromProgram] };
    return settingsMemo;
}

// ---------------------------------------------------------------- the cluster's nodes

export type ClusterNodes = { ok: true; nodes: SchedulingNode[]; cluster: string } | { ok: false; reason: string };

/** Where nodes come from; replaceable in tests (`setNodeSource`). */
export type NodeSource = () => Promise<ClusterNodes>;

let nodeSource: NodeSource | undefined;
let nodesMemo: Promise<ClusterNodes> | undefined;
let reportedUnreachable = false;

/** @internal Tests replace the cluster (also under mocks); `undefined` restores the real one. */
export function setNodeSource(source: NodeSource | undefined): void {
    nodeSource = source;
    nodesMemo = undefined;
    settingsMemo = undefined;
    reportedUnreachable = false;
}

const READ_TIMEOUT_MS = 15_000;

/** `promise`, or a rejection when `server` has not answered within READ_TIMEOUT_MS. */
async function withinReadTimeout<T>(promise: Promise<T>, server: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
            () => reject(new Error(`no answer from ${server} within ${READ_TIMEOUT_MS / 1000}s`)),
            READ_TIMEOUT_MS,
        );
        timer.unref?.();
    });
    try {
        return await Promise.race([promise, timeout]);
    } finally {
        if (timer) clearTimeout(timer);
    }
}

// what job-wait's small client handles; any other key goes to @kubernetes/client-node
const SMALL_CLIENT_CLUSTER_KEYS = new Set([
    "server",
    "certificate-authority",
    "certificate-authority-data",
    "insecure-skip-tls-verify",
]);
const SMALL_CLIENT_USER_KEYS = new Set([
    "client-certificate",
    "client-certificate-data",
    "client-key",
    "client-key-data",
    "token",
]);

/**
 * The nodes read with the small client, when the kubeconfig is one the small client
 * reads exactly as @kubernetes/client-node would; undefined when it is not (the caller
 * then uses @kubernetes/client-node). Rejects on network errors.
 */
async function readWithSmallClient(given: string | undefined): Promise<ClusterNodes | undefined> {
    if (proxyConfigured()) return undefined;
    if (given === undefined) {
        const files = (process.env.KUBECONFIG ?? "").split(path.delimiter).filter((f) => f);
        if (files.length > 1) return undefined; // merged kubeconfigs
        if (!fs.existsSync(files[0] ?? path.join(os.homedir(), ".kube", "config"))) return undefined;
    }
    let loaded: { config: KubeConfigFile; dir: string; context?: string };
    try {
        loaded = loadKubeconfig();
    } catch {
        return undefined;
    }
    const { cluster, user } = currentContext(loaded);
    if (!cluster || !user || typeof cluster.server !== "string") return undefined;
    if (!Object.keys(cluster).every((k) => SMALL_CLIENT_CLUSTER_KEYS.has(k))) return undefined;
    if (!Object.keys(user).every((k) => SMALL_CLIENT_USER_KEYS.has(k))) return undefined;
    const response = await withinReadTimeout(kubeApi(loaded).get("/api/v1/nodes"), cluster.server);
    if (response.status !== 200) {
        const message = (response.body as { message?: unknown } | undefined)?.message ?? response.text.split("\n")[0];
        return { ok: false, reason: `${String(message).slice(0, 300)} (${response.status})` };
    }
    const items = ((response.body as { items?: unknown[] } | undefined)?.items ?? []) as Parameters<
        typeof fromKubernetesNode
    >[0][];
    return { ok: true, nodes: items.map(fromKubernetesNode), cluster: cluster.server };
}

/** Lists the nodes of the default provider's cluster (see the module comment); never rejects. */
export async function readClusterNodes(): Promise<ClusterNodes> {
    try {
        const k8sConfig = new pulumi.Config("kubernetes");
        const given = k8sConfig.get("kubeconfig");
        const small = await readWithSmallClient(given);
        if (small) return small;
        const context = k8sConfig.get("context");
        // @kubernetes/client-node is an ES module: loaded only when a check runs (require(esm), Node >= 20.19)
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on use: an ES module (require(esm))
        const client: typeof import("@kubernetes/client-node") = require("@kubernetes/client-node");
        const kc = new client.KubeConfig();
        let source: string;
        if (given !== undefined) {
            if (fs.existsSync(given)) kc.loadFromFile(given);
            else kc.loadFromString(given);
            source = "kubernetes:kubeconfig";
        } else {
            const files = (process.env.KUBECONFIG ?? "").split(path.delimiter).filter((f) => f);
            const home = path.join(os.homedir(), ".kube", "config");
            const inCluster = fs.existsSync("/var/run/secrets/kubernetes.io/serviceaccount/token");
            if (!files.length && !fs.existsSync(home) && !inCluster)
                return {
                    ok: false,
                    reason: `no kubeconfig (kubernetes:kubeconfig and KUBECONFIG are not set, ${home} does not exist)`,
                };
            kc.loadFromDefault();
            source = files.length ? "KUBECONFIG" : fs.existsSync(home) ? home : "in-cluster service account";
        }
        if (context !== undefined) kc.setCurrentContext(context);
        const cluster = kc.getCurrentCluster();
        if (!cluster)
            return {
                ok: false,
                reason: `the kubeconfig (${source}) has no current cluster${context ? ` for context "${context}"` : ""}`,
            };
        const api = kc.makeApiClient(client.CoreV1Api);
        const list = await withinReadTimeout(api.listNode(), cluster.server);
        return { ok: true, nodes: (list.items ?? []).map(fromKubernetesNode), cluster: cluster.server };
    } catch (err) {
        return { ok: false, reason: describeError(err) };
    }
}

function describeError(err: unknown): string {
    const e = err as
        | {
              code?: unknown;
              statusCode?: unknown;
              response?: { statusCode?: unknown };
              body?: { message?: unknown };
              message?: unknown;
          }
        | undefined;
    const code = e?.code ?? e?.statusCode ?? e?.response?.statusCode;
    let text = String(e?.body?.message ?? e?.message ?? err).split("\n")[0];
    if (text.length > 300) text = `${text.slice(0, 300)}...`;
    return code && !text.includes(String(code)) ? `${text} (${code})` : text;
}

function clusterNodes(): Promise<ClusterNodes> {
    if (!nodesMemo)
        nodesMemo = (nodeSource ?? readClusterNodes)().catch((err) => ({
            ok: false as const,
            reason: describeError(err),
        }));
    return nodesMemo;
}

function underMocks(): boolean {
    const monitor = pulumi.runtime.getMonitor() as { constructor?: { name?: string }; mocks?: unknown } | undefined;
    return (
        !!monitor &&
        (monitor.constructor?.name === "MockMonitor" || (typeof monitor.mocks === "object" && monitor.mocks !== null))
    );
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

/**
 * Checks where `spec` (an environment's or task's pod, `what` names it: `environment
 * "train"`, `task "train.fit"`) can run; reports on `resource` (its PodTemplate).
 * Settings are validated synchronously: a mistake throws a ValidationError here.
 */
export function checkSchedulability(what: string, spec: SchedulablePodSpec, resource: pulumi.Resource): PlacementCheck {
    const settings = schedulingCheckSettings();
    const result = runCheck(what, spec, resource, settings);
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
    spec: SchedulablePodSpec,
    resource: pulumi.Resource,
    settings: SchedulingCheckSettings,
): Promise<SchedulingReport> {
    if (settings.mode === "off") return unchecked("flyte:schedulingCheck is off");
    if (!nodeSource && underMocks()) return unchecked("no cluster under Pulumi's mocks");
    if (resource.getProvider("kubernetes:core/v1:PodTemplate"))
        return unchecked("the component uses an explicit Kubernetes provider, whose cluster the check cannot read");
    // the program waits for the check (its warnings and, with `error`, its failure),
    // whether or not anything reads the placement
    const done = keepAlive();
    try {
        return await checkAgainstCluster(what, spec, resource, settings);
    } finally {
        done();
    }
}

/** The Pulumi runtime's keep-alive (an internal API of @pulumi/pulumi; a no-op where absent). */
function keepAlive(): () => void {
    const fn = (pulumi.runtime as unknown as { rpcKeepAlive?: () => () => void }).rpcKeepAlive;
    return typeof fn === "function" ? fn() : () => undefined;
}

async function checkAgainstCluster(
    what: string,
    spec: SchedulablePodSpec,
    resource: pulumi.Resource,
    settings: SchedulingCheckSettings,
): Promise<SchedulingReport> {
    const cluster = await clusterNodes();
    if (!cluster.ok && settings.declaredPools.length === 0) {
        if (!reportedUnreachable) {
            reportedUnreachable = true;
            pulumi.log.info(
                `flyte scheduling check skipped: the cluster cannot be read (${cluster.reason}); placements are "unchecked". Declare flyte:nodePools to check against node pools without a cluster, or set flyte:schedulingCheck: off.`,
            );
        }
        return unchecked(`cluster unreachable: ${cluster.reason}`);
    }
    if (!cluster.ok && !reportedUnreachable) {
        reportedUnreachable = true;
        pulumi.log.info(
            `flyte scheduling check: the cluster cannot be read (${cluster.reason}); checking against the declared node pools only.`,
        );
    }
    const verdict = simulateScheduling(spec, cluster.ok ? cluster.nodes : [], {
        declaredPools: settings.declaredPools,
    });
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
