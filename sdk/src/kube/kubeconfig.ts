/**
 * The kubeconfig, found as the Kubernetes provider and kubectl find it: the one given
 * (the stack's `kubernetes:kubeconfig`, a path or the contents, with `kubernetes:context`),
 * else the first file of `$KUBECONFIG`, else `~/.kube/config`. This module is the one
 * place that knows that order; it reads files and the environment, nothing else.
 */
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";

export interface KubeConfigFile {
    "current-context"?: string;
    contexts?: { name: string; context: { cluster: string; user: string; namespace?: string } }[];
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

/** Which kubeconfig to use, as a stack says it (`kubernetes:kubeconfig`, `kubernetes:context`); unset: the default lookup. */
export interface KubeconfigChoice {
    /** A path, or the kubeconfig's contents. */
    kubeconfig?: string;
    context?: string;
}

/** A kubeconfig as read: its contents, the folder its relative file names start from, the context asked for. */
export interface LoadedKubeconfig {
    config: KubeConfigFile;
    dir: string;
    context?: string;
}

export type KubeCluster = NonNullable<KubeConfigFile["clusters"]>[number]["cluster"];
export type KubeUser = NonNullable<KubeConfigFile["users"]>[number]["user"];

/** A kubeconfig that cannot be used: missing, or without the context, cluster or user it names. */
export class KubeconfigError extends Error {}

/** The service account token of a pod: present when the program runs inside a cluster. */
export const IN_CLUSTER_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token";

/** The files `$KUBECONFIG` lists (empty entries dropped; kubectl merges them in this order). */
export function kubeconfigPaths(env: NodeJS.ProcessEnv = process.env): string[] {
    return (env.KUBECONFIG ?? "").split(path.delimiter).filter((f) => f);
}

/** `~/.kube/config`, the file used when `$KUBECONFIG` is unset. */
export function homeKubeconfig(): string {
    return path.join(os.homedir(), ".kube", "config");
}

/** The kubeconfig file the default lookup reads: the first of `$KUBECONFIG`, else `~/.kube/config`. */
export function defaultKubeconfigFile(env: NodeJS.ProcessEnv = process.env): string {
    return kubeconfigPaths(env)[0] ?? homeKubeconfig();
}

/** Reads the kubeconfig `choice` names, or the default one (see the module comment). */
export function loadKubeconfig(choice: KubeconfigChoice = {}, env: NodeJS.ProcessEnv = process.env): LoadedKubeconfig {
    const { kubeconfig: given, context } = choice;
    if (given !== undefined) {
        if (fs.existsSync(given))
            return {
                config: yaml.load(fs.readFileSync(given, "utf8")) as KubeConfigFile,
                dir: path.dirname(path.resolve(given)),
                context,
            };
        return { config: yaml.load(given) as KubeConfigFile, dir: process.cwd(), context };
    }
    const file = defaultKubeconfigFile(env);
    if (!fs.existsSync(file))
        throw new KubeconfigError(`no kubeconfig (set kubernetes:kubeconfig or KUBECONFIG; ${file} does not exist)`);
    return {
        config: yaml.load(fs.readFileSync(file, "utf8")) as KubeConfigFile,
        dir: path.dirname(path.resolve(file)),
        context,
    };
}

/** The current context of a loaded kubeconfig and its cluster and user entries (undefined where missing). */
export function currentContext(loaded: { config: KubeConfigFile; context?: string }): {
    name?: string;
    context?: { cluster: string; user: string; namespace?: string };
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

/** True when an HTTP(S) proxy is configured: the Kubernetes provider would use it, our client does not. */
export function proxyConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
    return ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"].some((v) => env[v]);
}
