/**
 * The nodes of a cluster (and other collections: ./dra.ts), read once for the scheduling check. A kubeconfig of one file
 * whose user is a client certificate or a token is read with our client (client.ts);
 * anything else (exec plugins, auth providers, merged files, proxies, in-cluster) with
 * @kubernetes/client-node, whose loading alone costs 2-3 s of CPU per program.
 */
import * as fs from "fs";
import type { KubernetesNodeLike } from "../core/simulator/simulate";
import { kubeApi, servesKubeconfig } from "./client";
import {
    IN_CLUSTER_TOKEN,
    KubeconfigChoice,
    LoadedKubeconfig,
    currentContext,
    homeKubeconfig,
    kubeconfigPaths,
    loadKubeconfig,
    proxyConfigured,
} from "./kubeconfig";

export type ObjectList<T> =
    | { ok: true; items: T[]; cluster: string }
    /** `status`: the API server's answer (404: the API is not served), absent for other failures. */
    | { ok: false; reason: string; status?: number };
export type NodeList = ObjectList<KubernetesNodeLike>;

/** How @kubernetes/client-node lists the same collection. */
type ClientNodeList = (
    client: typeof import("@kubernetes/client-node"),
    kc: import("@kubernetes/client-node").KubeConfig,
) => Promise<{ items?: unknown[] }>;

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

/**
 * A collection read with our client, when the kubeconfig is one it reads exactly as
 * @kubernetes/client-node would; undefined when it is not (the caller then uses
 * @kubernetes/client-node). Rejects on network errors.
 */
async function listWithOurClient<T>(choice: KubeconfigChoice, path: string): Promise<ObjectList<T> | undefined> {
    if (proxyConfigured()) return undefined;
    if (choice.kubeconfig === undefined) {
        const files = kubeconfigPaths();
        if (files.length > 1) return undefined; // merged kubeconfigs
        if (!fs.existsSync(files[0] ?? homeKubeconfig())) return undefined;
    }
    let loaded: LoadedKubeconfig;
    try {
        loaded = loadKubeconfig(choice);
    } catch {
        return undefined;
    }
    if (!servesKubeconfig(loaded)) return undefined;
    const server = currentContext(loaded).cluster!.server;
    const response = await withinReadTimeout(kubeApi(loaded).get(path), server);
    if (response.status !== 200) {
        const message = (response.body as { message?: unknown } | undefined)?.message ?? response.text.split("\n")[0];
        return { ok: false, reason: `${String(message).slice(0, 300)} (${response.status})`, status: response.status };
    }
    const items = ((response.body as { items?: unknown[] } | undefined)?.items ?? []) as T[];
    return { ok: true, items, cluster: server };
}

/** Lists the nodes of the cluster `choice` names (see the module comment); never rejects. */
export function listNodes(choice: KubeconfigChoice): Promise<NodeList> {
    return listCluster<KubernetesNodeLike>(choice, "/api/v1/nodes", (client, kc) =>
        kc.makeApiClient(client.CoreV1Api).listNode(),
    );
}

/** Lists a collection (`path`, or `viaClientNode`) of the cluster `choice` names; never rejects. */
export async function listCluster<T>(
    choice: KubeconfigChoice,
    path: string,
    viaClientNode: ClientNodeList,
): Promise<ObjectList<T>> {
    try {
        const ours = await listWithOurClient<T>(choice, path);
        if (ours) return ours;
        const { kubeconfig: given, context } = choice;
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
            const files = kubeconfigPaths();
            const home = homeKubeconfig();
            const inCluster = fs.existsSync(IN_CLUSTER_TOKEN);
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
        const list = await withinReadTimeout(viaClientNode(client, kc), cluster.server);
        return { ok: true, items: (list.items ?? []) as T[], cluster: cluster.server };
    } catch (err) {
        const e = err as { code?: unknown; statusCode?: unknown } | undefined;
        const status = Number(e?.code ?? e?.statusCode);
        return { ok: false, reason: describeKubeError(err), ...(Number.isInteger(status) ? { status } : {}) };
    }
}

/** A failed read in one line: the API server's or the network's message, with its code or status. */
export function describeKubeError(err: unknown): string {
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
