/**
 * An API server that cannot be reached, said in a user's terms. The Kubernetes provider
 * fails each object with "configured Kubernetes cluster is unreachable: unable to load
 * schema information ...: dial tcp ...: connection refused"; this names the API server,
 * the cause and what to do, once per program, on the first component that deploys
 * objects. Only in a `pulumi up`, only for the default provider's kubeconfig (the one
 * `run wait` uses too) and without an HTTP(S) proxy in the environment, which the
 * provider would use and this check would not.
 */
import * as pulumi from "@pulumi/pulumi";
import { KubeApi, kubeApi } from "../kube/client";
import { currentContext, loadKubeconfig, proxyConfigured } from "../kube/kubeconfig";
import { networkErrorCode, unreachableBecause } from "../net/causes";
import { underMocks } from "../runtime/mocks";
import { programSlot } from "../runtime/program-state";
import { stackKubeconfig } from "../runtime/stack-kubeconfig";

const state = programSlot("cluster check", () => ({
    reported: false,
    probe: undefined as Promise<string | undefined> | undefined,
}));

/** The message when the API server at `server` cannot be reached (`code`: the network error). */
export function apiServerDownMessage(server: string, code: string): string {
    return (
        `the API server at ${server} is unreachable: it ${unreachableBecause(code) ?? `cannot be reached (${code})`}; no Kubernetes object of this stack could be created, updated or deleted. ` +
        "Start the cluster (or fix the network to it), or point kubernetes:kubeconfig / KUBECONFIG at a running one, then run `pulumi up` again"
    );
}

/** Logs the API server's unreachability (once per program) as an error on `resource`. */
export function checkApiServer(resource: pulumi.Resource): void {
    const s = state();
    if (s.reported || pulumi.runtime.isDryRun() || underMocks()) return;
    // an explicit provider has a kubeconfig of its own; a proxy is the provider's way in
    if ((resource as unknown as { getProvider?: (m: string) => unknown }).getProvider?.("kubernetes::") !== undefined)
        return;
    if (proxyConfigured()) return;
    s.probe ??= reachApiServer();
    void s.probe.then((problem) => {
        if (!problem || s.reported) return;
        s.reported = true;
        pulumi.log.error(problem, resource);
    });
}

async function reachApiServer(): Promise<string | undefined> {
    let server: string;
    let api: KubeApi;
    try {
        const loaded = loadKubeconfig(stackKubeconfig());
        server = currentContext(loaded).cluster?.server ?? "";
        api = kubeApi(loaded);
    } catch {
        return undefined; // no usable kubeconfig: the provider says what it misses
    }
    try {
        await api.get("/version");
        return undefined; // it answered (whatever it said)
    } catch (err) {
        const e = err as Error;
        const code = networkErrorCode(err) ?? (/no answer in/.test(e.message) ? "ETIMEDOUT" : undefined);
        return unreachableBecause(code) ? apiServerDownMessage(server, code!) : undefined;
    }
}
