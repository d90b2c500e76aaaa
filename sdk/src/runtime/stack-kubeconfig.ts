import * as pulumi from "@pulumi/pulumi";
import { KubeconfigChoice, currentContext, loadKubeconfig } from "../kube/kubeconfig";
import { underMocks } from "./mocks";
import { programSlot } from "./program-state";

/**
 * The kubeconfig of the default Kubernetes provider, as the stack sets it:
 * `kubernetes:kubeconfig` (a path or the contents) and `kubernetes:context`; unset
 * keys leave the choice to the default lookup (kube/kubeconfig.ts).
 */
export function stackKubeconfig(): KubeconfigChoice {
    const k8s = new pulumi.Config("kubernetes");
    const kubeconfig = k8s.get("kubeconfig");
    const context = k8s.get("context");
    return { ...(kubeconfig !== undefined ? { kubeconfig } : {}), ...(context !== undefined ? { context } : {}) };
}

const memo = programSlot("stack namespace", () => ({ namespace: undefined as string | undefined }));

/**
 * The namespace the default Kubernetes provider puts an object in when it names none:
 * `kubernetes:namespace`, else the namespace of the kubeconfig's current context, else
 * "default" (read once per program). Under Pulumi's mocks only a kubeconfig the stack
 * sets is read (tests do not depend on the machine's).
 */
export function stackNamespace(): string {
    const m = memo();
    m.namespace ??= new pulumi.Config("kubernetes").get("namespace") ?? contextNamespace() ?? "default";
    return m.namespace;
}

function contextNamespace(): string | undefined {
    const choice = stackKubeconfig();
    if (choice.kubeconfig === undefined && underMocks()) return undefined;
    try {
        return currentContext(loadKubeconfig(choice)).context?.namespace;
    } catch {
        return undefined; // no kubeconfig: the provider says what it misses
    }
}
