import { ValidationError, joinPath } from "../core/errors";
import { definedFields } from "../core/objects";
import { QueueFlavorArgs } from "../core/queue/queue-args";
import { profileFromSpec } from "../spec/convert";
import { PathRule, atCallerPaths } from "../spec/paths";
import { parseSpec } from "../spec/parse";
import { QueueArgs as QueueSchema, QueueFlavorSpec } from "../spec/schema";
import { QueueArgs, QueuePlan, planQueue } from "./queue";

/**
 * Plans a Queue given in the data form (the multi-language package's arguments): the
 * same core validates it as in TypeScript, and errors name the data form's fields
 * (`flavors[0].device.partition`, `customProfile`).
 */
export function planQueueFromSpec(name: string, input: unknown): QueuePlan {
    const spec = parseSpec(QueueSchema, input ?? {}, "");
    const profile = profileFromSpec(spec.profile, spec.customProfile);
    const rules: PathRule[] = [...profile.rules];
    const flavors = spec.flavors.map((f: QueueFlavorSpec, i): QueueFlavorArgs => {
        const field = joinPath("flavors", i);
        if (f.gpu !== undefined && f.device !== undefined)
            throw new ValidationError(
                joinPath(field, "device"),
                f.device,
                "set either gpu (a device name) or device, not both",
            );
        if (f.device !== undefined) rules.push([joinPath(field, "gpu"), joinPath(field, "device")]);
        return definedFields({
            name: f.name,
            gpu: f.device !== undefined ? { ...f.device, quantity: f.device.quantity ?? 1 } : f.gpu,
            interruptible: f.interruptible,
            nodeLabels: f.nodeLabels,
            quota: definedFields(f.quota),
            borrowingLimit: f.borrowingLimit && definedFields(f.borrowingLimit),
            lendingLimit: f.lendingLimit && definedFields(f.lendingLimit),
        }) as QueueFlavorArgs;
    });
    const args: QueueArgs = definedFields({
        name: spec.name,
        clusterQueue: spec.clusterQueue,
        namespaces: spec.namespaces,
        profile: profile.value,
        migStrategy: spec.migStrategy,
        flavors,
        cohort: spec.cohort,
        preemption: spec.preemption,
        queueingStrategy: spec.queueingStrategy,
        stopPolicy: spec.stopPolicy,
        flavorFungibility: spec.flavorFungibility,
    }) as QueueArgs;
    return atCallerPaths(rules, () => planQueue(name, args));
}
