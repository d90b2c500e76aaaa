import * as pulumi from "@pulumi/pulumi";
import { deployQueue } from "../../sdk/src/components/queue";
import { planQueueFromSpec } from "../../sdk/src/components/queue-from-spec";
import { inCallerTerms } from "../../sdk/src/spec/caller-terms";
import { QueueArgs as QueueSchema } from "../../sdk/src/spec/schema";
import { QueueArgs } from "./args";
import { namingStyle } from "./program";

/**
 * A Kueue queue for Flyte's `queue`: a ClusterQueue with quotas per flavour and resource
 * (cohort, preemption and queueing settings), a ResourceFlavor per kind of node it
 * offers (node labels and taints from the profile and the device catalogue) and a
 * LocalQueue per namespace. Runs of environments and tasks with `queue: <name>` wait
 * in it: their Jobs are created suspended and Kueue starts them once admitted.
 */
export class Queue extends pulumi.ComponentResource {
    /** The LocalQueues' name: what environments, tasks and runs give as `queue`. */
    public readonly queueName: pulumi.Output<string>;
    /** The ClusterQueue's name. */
    public readonly clusterQueueName: pulumi.Output<string>;
    /** The ResourceFlavors' names, in the order Kueue tries them. */
    public readonly flavorNames: pulumi.Output<string[]>;

    constructor(name: string, args: QueueArgs, opts?: pulumi.ComponentResourceOptions) {
        // every rule runs before anything registers: a mistake fails the preview
        const plan = inCallerTerms(QueueSchema, namingStyle(), () => planQueueFromSpec(name, args));
        super("flyte:index:Queue", name, {}, opts);
        deployQueue(this, name, plan);
        this.queueName = pulumi.output(plan.queue.name);
        this.clusterQueueName = pulumi.output(plan.queue.clusterQueueName);
        this.flavorNames = pulumi.output(plan.queue.flavors.map((f) => f.name));
        this.registerOutputs({
            queueName: this.queueName,
            clusterQueueName: this.clusterQueueName,
            flavorNames: this.flavorNames,
        });
    }
}
