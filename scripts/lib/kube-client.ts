/**
 * The package's Kubernetes client (sdk/src/kube) as the demo report and the end-to-end
 * tests use it: a kubeconfig file (the platform's admin one), JSON in and out, errors
 * on anything but success.
 */
import { KubeRequestError, getObject, kubeApi, listObjects } from "../../sdk/src/kube/client";
import { loadKubeconfig } from "../../sdk/src/kube/kubeconfig";

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
    const api = kubeApi(loadKubeconfig({ kubeconfig: kubeconfigPath }));
    // a body that is not JSON (a log, an empty answer) is its text, or undefined when empty
    const request = async <T>(method: string, path: string, body?: unknown, contentType?: string) => {
        const res = await api.request(method, path, body, contentType);
        return { status: res.status, body: (res.body !== undefined ? res.body : res.text || undefined) as T };
    };
    return {
        request,
        get: (path) => getObject(api, path),
        list: (path) => listObjects(api, path),
        create: async (path, body) => {
            const res = await api.request("POST", path, body);
            if (res.status >= 300) throw new KubeRequestError("POST", path, res.status, res.text);
            return res.body as any;
        },
        remove: async (path) => {
            const res = await api.request("DELETE", path);
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
    // the probe has answered: free the node's capacity for the next one, devices included
    // (its ResourceClaims, from templates or for extended resources, go with it)
    await client.remove(`/api/v1/namespaces/${namespace}/pods/${probeName}?gracePeriodSeconds=0`);
    await waitFor(async () => !(await probeClaims(client, namespace, probeName)).length, 60_000);
    const cond = (last?.status?.conditions ?? []).find((c: any) => c.type === "PodScheduled");
    if (!decided && !last?.spec?.nodeName) return { reason: cond?.reason ?? "Timeout", message: cond?.message };
    return last.spec?.nodeName ? { node: last.spec.nodeName } : { reason: cond?.reason, message: cond?.message };
}

/** ResourceClaims a pod owns (made from its templates, or by the scheduler for extended resources). */
export async function probeClaims(client: KubeClient, namespace: string, podName: string): Promise<any[]> {
    const res = await client.request("GET", `/apis/resource.k8s.io/v1/namespaces/${namespace}/resourceclaims`);
    if (res.status === 404) return []; // resource.k8s.io/v1 not served
    return ((res.body as any)?.items ?? []).filter((c: any) =>
        (c.metadata?.ownerReferences ?? []).some((o: any) => o.kind === "Pod" && o.name === podName),
    );
}

export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, intervalMs = 250): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        if (await check()) return true;
        if (Date.now() > deadline) return false;
        await new Promise((r) => setTimeout(r, intervalMs));
    }
}
