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
import { underMocks } from "./image-build";
import { currentContext, kubeApi, loadKubeconfig, proxyConfigured } from "./job-wait";

const NETWORK_CAUSES: Record<string, string> = {
    ECONNREFUSED: "refused the connection (nothing listens there)",
    ENOTFOUND: "cannot be found (DNS: no such host)",
    EAI_AGAIN: "cannot be resolved now (DNS: temporary failure)",
    EHOSTUNREACH: "is unreachable from this machine",
    ENETUNREACH: "is unreachable from this machine",
    ETIMEDOUT: "did not answer in time",
    ECONNRESET: "reset the connection",
};

let reported = false;
let probe: Promise<string | undefined> | undefined;

/** The message when the API server at `server` cannot be reached (`code`: the network error). */
export function apiServerDownMessage(server: string, code: string): string {
    return (
        `the API server at ${server} is unreachable: it ${NETWORK_CAUSES[code] ?? `cannot be reached (${code})`}; no Kubernetes object of this stack could be created, updated or deleted. ` +
        "Start the cluster (or fix the network to it), or point kubernetes:kubeconfig / KUBECONFIG at a running one, then run `pulumi up` again"
    );
}

/** Logs the API server's unreachability (once per program) as an error on `resource`. */
export function checkApiServer(resource: pulumi.Resource): void {
    if (reported || pulumi.runtime.isDryRun() || underMocks()) return;
    // an explicit provider has a kubeconfig of its own; a proxy is the provider's way in
    if ((resource as unknown as { getProvider?: (m: string) => unknown }).getProvider?.("kubernetes::") !== undefined)
        return;
    if (proxyConfigured()) return;
    probe ??= reachApiServer();
    void probe.then((problem) => {
        if (!problem || reported) return;
        reported = true;
        pulumi.log.error(problem, resource);
    });
}

async function reachApiServer(): Promise<string | undefined> {
    let server: string;
    let api: ReturnType<typeof kubeApi>;
    try {
        const loaded = loadKubeconfig();
        server = currentContext(loaded).cluster?.server ?? "";
        api = kubeApi(loaded);
    } catch {
        return undefined; // no usable kubeconfig: the provider says what it misses
    }
    try {
        await api.get("/version");
        return undefined; // it answered (whatever it said)
    } catch (err) {
        const e = err as NodeJS.ErrnoException;
        const code = e.code ?? (/no answer in/.test(e.message) ? "ETIMEDOUT" : undefined);
        return code && code in NETWORK_CAUSES ? apiServerDownMessage(server, code) : undefined;
    }
}
