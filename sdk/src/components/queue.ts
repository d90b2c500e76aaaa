import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ValidationError, isOutputLike, joinPath } from "../core/errors";
import { checkNamespace } from "../core/names";
import { NormalizedQueue, localQueue, normalizeQueue } from "../core/queue/cluster-queue";
import { QueueSettings } from "../core/queue/queue-args";
import { declaredQueues } from "../runtime/declared-queues";
import { claimName } from "../runtime/name-claims";
import { checkedForConflicts } from "./field-conflicts";
import { stackDefaults } from "./stack-config";

export interface QueueArgs extends QueueSettings {
    /**
     * Namespaces that get the queue's LocalQueue (environments there give `queue: <name>`);
     * default: the `flyte:namespace` config, else the provider's namespace.
     */
    namespaces?: pulumi.Input<string>[];
}

/**
 * A Kueue queue for Flyte's `queue`: a ClusterQueue with quotas per flavour and
 * resource (cohort, preemption and queueing settings), one ResourceFlavor per kind of
 * node it offers (its labels and taints made from the profile and the device
 * catalogue, as the PodTemplates select those nodes), and a LocalQueue per namespace.
 * Runs of environments, tasks or overrides with `queue: <name>` wait in it: their Jobs
 * are created suspended and Kueue starts them once the ClusterQueue admits them.
 *
 * Everything is validated before anything registers (a typo or an impossible quota
 * fails the preview). Declare a queue before the environments that use it: their
 * runs then wait for its LocalQueue (and are deleted before it).
 */
export class Queue extends pulumi.ComponentResource {
    /** The LocalQueues' name: what environments, tasks and runs give as `queue`. */
    readonly queueName: string;
    readonly clusterQueueName: string;
    /** The flavours, in the order Kueue tries them. */
    readonly flavorNames: string[];
    readonly clusterQueue: k8s.apiextensions.CustomResource;
    readonly localQueues: k8s.apiextensions.CustomResource[];
    /** The ResourceFlavors this queue registered (a flavour another queue of the program registered first is that queue's). */
    readonly resourceFlavors: k8s.apiextensions.CustomResource[];

    constructor(name: string, args: QueueArgs, opts?: pulumi.ComponentResourceOptions) {
        const plan = planQueue(name, args);
        super("flyte:index:Queue", name, {}, opts);
        const deployed = deployQueue(this, name, plan);
        this.queueName = plan.queue.name;
        this.clusterQueueName = plan.queue.clusterQueueName;
        this.flavorNames = plan.queue.flavors.map((f) => f.name);
        this.clusterQueue = deployed.clusterQueue;
        this.localQueues = deployed.localQueues;
        this.resourceFlavors = deployed.resourceFlavors;
        this.registerOutputs({
            queueName: this.queueName,
            clusterQueueName: this.clusterQueueName,
            flavorNames: this.flavorNames,
        });
    }
}

/** A queue validated, before anything registers. */
export interface QueuePlan {
    readonly queue: NormalizedQueue;
    readonly namespaces: readonly (pulumi.Input<string> | undefined)[];
}

/** Validates a queue's arguments (every rule: a mistake fails the preview). */
export function planQueue(name: string, args: QueueArgs, field = ""): QueuePlan {
    const { namespaces, ...settings } = args ?? ({} as QueueArgs);
    for (const [key, value] of Object.entries(settings)) {
        if (isOutputLike(value)) throw new ValidationError(joinPath(field, key), value, "");
    }
    const stack = stackDefaults();
    const queue = normalizeQueue(name, settings as QueueSettings, stack, field);
    let list: (pulumi.Input<string> | undefined)[];
    if (namespaces === undefined) list = [stack.namespace];
    else {
        if (!Array.isArray(namespaces) || namespaces.length === 0)
            throw new ValidationError(
                joinPath(field, "namespaces"),
                namespaces,
                "a list of at least one namespace (each gets the queue's LocalQueue)",
            );
        list = namespaces.map((ns, i) =>
            typeof ns === "string" ? checkNamespace(joinPath(joinPath(field, "namespaces"), i), ns) : ns,
        );
        const plain = list.filter((ns): ns is string => typeof ns === "string");
        const dup = plain.find((ns, i) => plain.indexOf(ns) !== i);
        if (dup) throw new ValidationError(joinPath(field, "namespaces"), dup, "each namespace once");
    }
    const declared = declaredQueues();
    const other = declared.clusterQueues.get(queue.clusterQueueName);
    if (other)
        throw new ValidationError(
            joinPath(field, queue.clusterQueueName === queue.name ? "name" : "clusterQueue"),
            queue.clusterQueueName,
            `queue "${other.owner}" of this program declares the ClusterQueue "${queue.clusterQueueName}" already; give each queue its own`,
        );
    for (const [i, f] of queue.flavors.entries()) {
        const shared = declared.flavors.get(f.name);
        if (shared && JSON.stringify(shared.object.spec) !== JSON.stringify(f.resourceFlavor.spec))
            throw new ValidationError(
                joinPath(joinPath(field, "flavors"), i),
                f.name,
                `queue "${shared.owner}" declares the ResourceFlavor "${f.name}" with other node labels or taints (${JSON.stringify(shared.object.spec)}); give this flavour another name`,
            );
    }
    // one owner per LocalQueue: two queues of one name (other ClusterQueues) in a namespace would declare it twice
    for (const ns of list)
        claimName(
            joinPath(field, "name"),
            ns,
            "LocalQueue",
            queue.name,
            `queue "${name}"`,
            "give each queue its own name (`name`: the LocalQueue environments give as `queue`)",
        );
    return { queue, namespaces: list };
}

/** Registers a planned queue's objects under `parent`. */
export function deployQueue(
    parent: pulumi.ComponentResource,
    name: string,
    plan: QueuePlan,
): {
    clusterQueue: k8s.apiextensions.CustomResource;
    localQueues: k8s.apiextensions.CustomResource[];
    resourceFlavors: k8s.apiextensions.CustomResource[];
} {
    const { queue } = plan;
    const declared = declaredQueues();
    declared.clusterQueues.set(queue.clusterQueueName, { queue, owner: name });
    // names are Kueue's identities (runs and other queues refer to them): a change replaces, delete first
    const fixed = { parent, deleteBeforeReplace: true };
    const owner = `queue "${name}"`;
    const resourceFlavors: k8s.apiextensions.CustomResource[] = [];
    const flavorDeps: pulumi.Resource[] = [];
    for (const f of queue.flavors) {
        const shared = declared.flavors.get(f.name);
        if (shared) {
            flavorDeps.push(shared.resource);
            continue;
        }
        const rf = new k8s.apiextensions.CustomResource(
            `${name}-flavor-${f.name}`,
            checkedForConflicts("ResourceFlavor", f.resourceFlavor, owner, parent),
            fixed,
        );
        declared.flavors.set(f.name, { object: f.resourceFlavor, resource: rf, owner: name });
        resourceFlavors.push(rf);
        flavorDeps.push(rf);
    }
    const clusterQueue = new k8s.apiextensions.CustomResource(
        `${name}-clusterqueue`,
        checkedForConflicts("ClusterQueue", queue.clusterQueue, owner, parent),
        {
            ...fixed,
            dependsOn: flavorDeps,
        },
    );
    const localQueues = plan.namespaces.map((ns, i) => {
        const object = localQueue(queue, typeof ns === "string" ? ns : undefined);
        const resource = new k8s.apiextensions.CustomResource(
            `${name}-localqueue-${typeof ns === "string" ? ns : ns === undefined ? "default" : i}`,
            checkedForConflicts(
                "LocalQueue",
                { ...object, metadata: { ...object.metadata, ...(ns !== undefined ? { namespace: ns } : {}) } },
                owner,
                parent,
            ),
            // a LocalQueue's ClusterQueue cannot change: another one replaces it
            { ...fixed, dependsOn: [clusterQueue], replaceOnChanges: ["spec.clusterQueue"] },
        );
        declared.localQueues.push({ object, namespace: ns, resource, queue });
        return resource;
    });
    return { clusterQueue, localQueues, resourceFlavors };
}
