/**
 * The queues and ResourceFlavors a program declares: runs find the LocalQueue they wait
 * in (and depend on it), the admission check reads the ClusterQueues and flavours the
 * update is about to create, and two queues that offer the same flavour share its
 * ResourceFlavor (cluster-scoped: one object, one owner).
 */
import * as pulumi from "@pulumi/pulumi";
import { NormalizedQueue } from "../core/queue/cluster-queue";
import { LocalQueue, ResourceFlavor } from "../core/queue/kueue";
import { programSlot } from "./program-state";

export interface DeclaredLocalQueue {
    /** The LocalQueue as rendered (without its namespace when that is an Output). */
    readonly object: LocalQueue;
    /** The namespace: a name, undefined for the provider's default namespace, or an Output (known after it resolves). */
    readonly namespace: pulumi.Input<string> | undefined;
    readonly resource: pulumi.Resource;
    readonly queue: NormalizedQueue;
}

export interface DeclaredFlavor {
    readonly object: ResourceFlavor;
    readonly resource: pulumi.Resource;
    /** The queue that registered it, for messages. */
    readonly owner: string;
}

export interface DeclaredQueues {
    readonly localQueues: DeclaredLocalQueue[];
    readonly flavors: Map<string, DeclaredFlavor>;
    readonly clusterQueues: Map<string, { queue: NormalizedQueue; owner: string }>;
}

const state = programSlot<DeclaredQueues>("declared queues", () => ({
    localQueues: [],
    flavors: new Map(),
    clusterQueues: new Map(),
}));

export function declaredQueues(): DeclaredQueues {
    return state();
}

/**
 * The LocalQueue `queue` this program declared in `namespace` (a name, or undefined for
 * the provider's default), when both namespaces are known now.
 */
export function findLocalQueue(
    queue: string,
    namespace: pulumi.Input<string> | undefined,
): DeclaredLocalQueue | undefined {
    if (namespace !== undefined && typeof namespace !== "string") return undefined;
    return state().localQueues.find(
        (q) =>
            q.object.metadata.name === queue &&
            (typeof q.namespace === "string" || q.namespace === undefined) &&
            q.namespace === namespace,
    );
}
