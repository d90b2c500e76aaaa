/**
 * The package's Kubernetes API client: JSON over Node's http/https with the current
 * context's server, CA, client certificate or bearer token (no exec plugins, auth
 * providers or proxies: `servesKubeconfig` says whether a kubeconfig is one it reads
 * exactly as @kubernetes/client-node would). Run waiting, the scheduling check, the API
 * server check, the scripts and the end-to-end tests all talk to Kubernetes through it.
 */
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as path from "path";
import { KubeconfigError, LoadedKubeconfig, currentContext } from "./kubeconfig";

/** An answer of the API server: its status, its body parsed as JSON (undefined when it is not JSON), its text. */
export interface KubeResponse {
    status: number;
    body: unknown;
    text: string;
}

export interface KubeApi {
    /** Sends a request (a JSON body, if any); resolves whatever the status, rejects on network errors and after 30 s without an answer. */
    request(method: string, path: string, body?: unknown, contentType?: string): Promise<KubeResponse>;
    /** `request("GET", path)`. */
    get(path: string): Promise<KubeResponse>;
}

/** An answer outside 2xx where the caller wanted an object. */
export class KubeRequestError extends Error {
    constructor(
        readonly method: string,
        readonly path: string,
        readonly status: number,
        text: string,
    ) {
        super(`${method} ${path}: ${status} ${text.slice(0, 500)}`);
        this.name = "KubeRequestError";
    }
}

const REQUEST_TIMEOUT_MS = 30_000;

/** Where the current context's API server is and how to reach it: its URL, an HTTP(S) agent with its CA and client certificate, the token. */
function endpointOf(loaded: LoadedKubeconfig): { server: URL; agent: http.Agent; token?: string } {
    const { dir } = loaded;
    const { name, context: ctx, cluster, user = {} } = currentContext(loaded);
    if (!ctx) throw new KubeconfigError(`kubeconfig has no context "${name}"`);
    if (!cluster) throw new KubeconfigError(`kubeconfig has no cluster "${ctx.cluster}"`);
    if (user.exec)
        throw new KubeconfigError(
            "kubeconfig users with exec plugins are not supported; use a client certificate or a token",
        );
    const read = (inline?: string, file?: string) =>
        inline ? Buffer.from(inline, "base64") : file ? fs.readFileSync(path.resolve(dir, file)) : undefined;
    const server = new URL(cluster.server);
    const agent =
        server.protocol === "https:"
            ? new https.Agent({
                  ca: read(cluster["certificate-authority-data"], cluster["certificate-authority"]),
                  cert: read(user["client-certificate-data"], user["client-certificate"]),
                  key: read(user["client-key-data"], user["client-key"]),
                  rejectUnauthorized: !cluster["insecure-skip-tls-verify"],
                  keepAlive: true,
              })
            : new http.Agent({ keepAlive: true });
    return { server, agent, ...(user.token ? { token: user.token } : {}) };
}

/** A client for the current context of `loaded`; throws a KubeconfigError when the context cannot be used. */
export function kubeApi(loaded: LoadedKubeconfig): KubeApi {
    const { server, agent, token } = endpointOf(loaded);
    const secure = server.protocol === "https:";
    const base = server.pathname.replace(/\/$/, "");
    const request = (method: string, p: string, body?: unknown, contentType = "application/json") =>
        new Promise<KubeResponse>((resolve, reject) => {
            const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
            const req = (secure ? https : http).request(
                {
                    host: server.hostname,
                    port: server.port || (secure ? 443 : 80),
                    path: base + p,
                    method,
                    agent,
                    headers: {
                        Accept: "application/json, */*",
                        ...(payload ? { "Content-Type": contentType, "Content-Length": payload.length } : {}),
                        ...(token ? { Authorization: `Bearer ${token}` } : {}),
                    },
                },
                (res) => {
                    const chunks: Buffer[] = [];
                    res.on("data", (c) => chunks.push(c));
                    res.on("end", () => resolve(response(res.statusCode ?? 0, Buffer.concat(chunks).toString("utf8"))));
                },
            );
            req.setTimeout(REQUEST_TIMEOUT_MS, () =>
                req.destroy(new Error(`${method} ${p}: no answer in ${REQUEST_TIMEOUT_MS / 1000}s`)),
            );
            req.on("error", reject);
            if (payload) req.write(payload);
            req.end();
        });
    return { request, get: (p) => request("GET", p) };
}

/** An answer: its body parsed when it is JSON. */
function response(status: number, text: string): KubeResponse {
    let body: unknown;
    try {
        body = JSON.parse(text);
    } catch {
        body = undefined;
    }
    return { status, body, text };
}

/** The object at `path` (a KubeRequestError outside 2xx). */
export async function getObject<T>(api: KubeApi, path: string): Promise<T> {
    const res = await api.get(path);
    if (res.status < 200 || res.status >= 300) throw new KubeRequestError("GET", path, res.status, res.text);
    return res.body as T;
}

/** The items of the list at `path` (a KubeRequestError outside 2xx). */
export async function listObjects<T>(api: KubeApi, path: string): Promise<T[]> {
    return (await getObject<{ items?: T[] }>(api, path))?.items ?? [];
}

// what this client reads of a kubeconfig; any other key (exec, auth-provider, proxy-url,
// tls-server-name, ...) needs @kubernetes/client-node
const CLUSTER_KEYS = new Set([
    "server",
    "certificate-authority",
    "certificate-authority-data",
    "insecure-skip-tls-verify",
]);
const USER_KEYS = new Set(["client-certificate", "client-certificate-data", "client-key", "client-key-data", "token"]);

/** True when this client reads the current context of `loaded` exactly as @kubernetes/client-node would. */
export function servesKubeconfig(loaded: LoadedKubeconfig): boolean {
    const { cluster, user } = currentContext(loaded);
    if (!cluster || !user || typeof cluster.server !== "string") return false;
    return Object.keys(cluster).every((k) => CLUSTER_KEYS.has(k)) && Object.keys(user).every((k) => USER_KEYS.has(k));
}
