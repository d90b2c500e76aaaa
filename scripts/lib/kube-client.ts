/**
 * A small Kubernetes REST client for the demo report and the end-to-end tests:
 * admin kubeconfig (client certificates), JSON in and out. No dependency beyond
 * Node's https and js-yaml.
 */
import * as fs from "fs";
import * as https from "https";
import * as yaml from "js-yaml";

export interface KubeClient {
    request<T = any>(
        method: string,
        path: string,
        body?: unknown,
        contentType?: string,
    ): Promise<{ status: number; body: T }>;
    get<T = any>(path: string): Promise<T>;
    list<T = any>(path: string): Promise<T[]>;
    create<T = any>(path: string, body: unknown): Promise<T>;
    remove(path: string): Promise<void>;
}

export function kubeClient(kubeconfigPath: string): KubeClient {
    const config = yaml.load(fs.readFileSync(kubeconfigPath, "utf8")) as any;
    const contextName = config["current-context"];
    const context =
        (config.contexts ?? []).find((c: any) => c.name === contextName)?.context ?? config.contexts[0].context;
    const cluster = config.clusters.find((c: any) => c.name === context.cluster).cluster;
    const user = config.users.find((u: any) => u.name === context.user).user;
    const data = (inline: string | undefined, file: string | undefined) =>
        inline ? Buffer.from(inline, "base64") : file ? fs.readFileSync(file) : undefined;
    const server = new URL(cluster.server);
    const agent = new https.Agent({
        ca: data(cluster["certificate-authority-data"], cluster["certificate-authority"]),
        cert: data(user["client-certificate-data"], user["client-certificate"]),
        key: data(user["client-key-data"], user["client-key"]),
        keepAlive: true,
    });
    const token = user.token as string | undefined;

    const request = <T>(method: string, path: string, body?: unknown, contentType = "application/json") =>
        new Promise<{ status: number; body: T }>((resolve, reject) => {
            const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
            const req = https.request(
                {
                    host: server.hostname,
                    port: server.port || 443,
                    path,
                    method,
                    agent,
                    headers: {
                        Accept: "application/json",
                        ...(payload ? { "Content-Type": contentType, "Content-Length": payload.length } : {}),
                        ...(token ? { Authorization: `Bearer ${token}` } : {}),
                    },
                },
                (res) => {
                    const chunks: Buffer[] = [];
                    res.on("data", (c) => chunks.push(c));
                    res.on("end", () => {
                        const text = Buffer.concat(chunks).toString("utf8");
                        let parsed: any = text;
                        try {
                            parsed = text ? JSON.parse(text) : undefined;
                        } catch {
                            // leave as text
                        }
                        resolve({ status: res.statusCode ?? 0, body: parsed });
                    });
                },
            );
            req.on("error", reject);
            if (payload) req.write(payload);
            req.end();
        });

    const ok = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
        const res = await request<T>(method, path, body);
        if (res.status >= 300)
            throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body).slice(0, 500)}`);
        return res.body;
    };

    return {
        request,
        get: (path) => ok("GET", path),
        list: async (path) => (await ok<any>("GET", path)).items ?? [],
        create: (path, body) => ok("POST", path, body),
        remove: async (path) => {
            const res = await request("DELETE", path);
            if (res.status >= 300 && res.status !== 404) throw new Error(`DELETE ${path}: ${res.status}`);
        },
    };
}

/** Creates a pod from a PodTemplate's template, waits until the scheduler decides, then deletes the pod. */
export async function probeScheduling(
    client: KubeClient,
    namespace: string,
    podTemplateName: string,
    probeName: string,
    timeoutMs = 30_000,
): Promise<{ node?: string; reason?: string; message?: string }> {
    const tpl = await client.get(`/api/v1/namespaces/${namespace}/podtemplates/${podTemplateName}`);
    const pod = {
        apiVersion: "v1",
        kind: "Pod",
        metadata: {
            name: probeName,
            namespace,
            labels: { ...(tpl.template.metadata?.labels ?? {}), "pulumi-flyte.io/probe": "true" },
        },
        spec: { ...tpl.template.spec, restartPolicy: "Never" },
    };
    await client.remove(`/api/v1/namespaces/${namespace}/pods/${probeName}?gracePeriodSeconds=0`);
    await waitFor(
        async () => (await client.request("GET", `/api/v1/namespaces/${namespace}/pods/${probeName}`)).status === 404,
        20_000,
    );
    await client.create(`/api/v1/namespaces/${namespace}/pods`, pod);
    let last: any;
    const decided = await waitFor(async () => {
        last = await client.get(`/api/v1/namespaces/${namespace}/pods/${probeName}`);
        const cond = (last.status?.conditions ?? []).find((c: any) => c.type === "PodScheduled");
        return !!last.spec?.nodeName || (cond?.status === "False" && cond?.reason === "Unschedulable");
    }, timeoutMs);
    // the probe has answered: free the node's capacity for the next one
    await client.remove(`/api/v1/namespaces/${namespace}/pods/${probeName}?gracePeriodSeconds=0`);
    const cond = (last?.status?.conditions ?? []).find((c: any) => c.type === "PodScheduled");
    if (!decided && !last?.spec?.nodeName) return { reason: cond?.reason ?? "Timeout", message: cond?.message };
    return last.spec?.nodeName ? { node: last.spec.nodeName } : { reason: cond?.reason, message: cond?.message };
}

export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, intervalMs = 250): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        if (await check()) return true;
        if (Date.now() > deadline) return false;
        await new Promise((r) => setTimeout(r, intervalMs));
    }
}
