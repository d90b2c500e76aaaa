import * as pulumi from "@pulumi/pulumi";
import { KubeconfigChoice } from "../kube/kubeconfig";

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
