/**
 * The arguments of a queue (the `Queue` component): its flavours with their quotas,
 * cohort, preemption and queueing settings. The schemas are the one list of the
 * fields; their values are checked by `normalizeQueue` (./cluster-queue.ts).
 */
import { z } from "zod";
import { Device } from "../devices";
import { ValidationError } from "../errors";
import { CpuValue } from "../resources";
import { MigStrategy } from "../placement/profile";
import { ProfileInput } from "../placement/resolve";
import { argsSchema, booleanField, checkedLater, mapField } from "../validate";
import { FungibilityPolicy, QueueingStrategy, StopPolicy } from "./kueue";

/** Amounts of each resource, in the units pods request them. */
export interface QueueQuota {
    /** Cores: a number or a quantity ("500m"). */
    cpu?: CpuValue;
    /** A quantity ("1Ti"). */
    memory?: string;
    /** Units of the flavour's accelerator resource: GPUs, MIG slices, TPU chips, Neuron devices (or cores). */
    gpu?: number;
    /** Ephemeral storage, a quantity. */
    disk?: string;
    /** Number of pods. */
    pods?: number;
}

export const queueQuotaSchema = argsSchema<QueueQuota>()(
    {
        cpu: checkedLater<CpuValue>(),
        memory: checkedLater<string>(),
        gpu: checkedLater<number>(),
        disk: checkedLater<string>(),
        pods: checkedLater<number>(),
    },
    (fields) => `{ ${fields.map((f) => `${f}?`).join(", ")} }`,
);

/** The Kubernetes resource each quota field counts (`gpu`: the flavour's accelerator). */
export const QUOTA_RESOURCES: Readonly<Record<Exclude<keyof QueueQuota, "gpu">, string>> = {
    cpu: "cpu",
    memory: "memory",
    disk: "ephemeral-storage",
    pods: "pods",
};

/** One kind of node the queue offers, with its quota. */
export interface QueueFlavorArgs {
    /** The ResourceFlavor's name (default from profile, device and capacity, e.g. "gke-a100-80g"). */
    name?: string;
    /** The accelerator of its nodes: a device name ("A100 80G") or GPU(), TPU(), Neuron(), AMD(), Gaudi(); none: CPU-only nodes. */
    gpu?: string | Device;
    /** Spot / preemptible nodes (the profile's spot labels and taints). */
    interruptible?: boolean;
    /** More labels its nodes carry (a node pool, a zone), or the one value of a device label with several (H100 on GKE). */
    nodeLabels?: Record<string, string>;
    /** What the queue may use of it (Kueue's nominal quota). */
    quota: QueueQuota;
    /** At most this much more borrowed from the cohort (needs `cohort`; default: no limit). */
    borrowingLimit?: QueueQuota;
    /** At most this much of the quota lent to the cohort (needs `cohort`; default: all of it, when unused). */
    lendingLimit?: QueueQuota;
}

export const queueFlavorArgsSchema = argsSchema<QueueFlavorArgs>()(
    {
        name: checkedLater<string>(),
        gpu: checkedLater<string | Device>(),
        interruptible: booleanField.optional(),
        nodeLabels: mapField<Record<string, string>>("a map of node label keys to values").optional(),
        quota: checkedLater<QueueQuota>(),
        borrowingLimit: checkedLater<QueueQuota>(),
        lendingLimit: checkedLater<QueueQuota>(),
    },
    "a flavour { gpu?, interruptible?, nodeLabels?, quota, borrowingLimit?, lendingLimit?, name? }",
);

/** Kueue's preemption settings of a ClusterQueue. */
export interface QueuePreemption {
    /** Preempt workloads of other queues of the cohort that borrow this queue's quota. */
    reclaimWithinCohort?: "Never" | "LowerPriority" | "Any";
    /** Preempt in the cohort to borrow (lower priority only). */
    borrowWithinCohort?: { policy: "Never" | "LowerPriority"; maxPriorityThreshold?: number };
    /** Preempt workloads of this queue to admit a pending one. */
    withinClusterQueue?: "Never" | "LowerPriority" | "LowerOrNewerEqualPriority";
}

export const queuePreemptionSchema = argsSchema<QueuePreemption>()(
    {
        reclaimWithinCohort: z.enum(["Never", "LowerPriority", "Any"]).optional(),
        borrowWithinCohort: z
            .object(
                {
                    policy: z.enum(["Never", "LowerPriority"]),
                    maxPriorityThreshold: z
                        .number()
                        .int()
                        .min(-(2 ** 31))
                        .max(2 ** 31 - 1)
                        .optional(),
                },
                { invalid_type_error: "expected { policy, maxPriorityThreshold? }" },
            )
            .strict()
            .optional(),
        withinClusterQueue: z.enum(["Never", "LowerPriority", "LowerOrNewerEqualPriority"]).optional(),
    },
    "{ reclaimWithinCohort?, borrowWithinCohort?, withinClusterQueue? }",
);

/** Whether admission tries the next flavour before borrowing or preempting in one. */
export interface QueueFlavorFungibility {
    whenCanBorrow?: FungibilityPolicy;
    whenCanPreempt?: FungibilityPolicy;
}

const fungibility = z.enum(["MayStopSearch", "TryNextFlavor"]);
export const queueFungibilitySchema = argsSchema<QueueFlavorFungibility>()(
    { whenCanBorrow: fungibility.optional(), whenCanPreempt: fungibility.optional() },
    "{ whenCanBorrow?, whenCanPreempt? }",
);

/** A queue: a Kueue ClusterQueue with its flavours, and a LocalQueue per namespace. */
export interface QueueSettings {
    /** The LocalQueues' name: what environments, tasks and runs give as `queue` (default: the component's name). */
    name?: string;
    /** The ClusterQueue's name (default: the queue's name). */
    clusterQueue?: string;
    /** Cluster flavour the flavours' labels come from (default: the `flyte:profile` config, else `flyte`). */
    profile?: ProfileInput;
    migStrategy?: MigStrategy;
    /** The kinds of nodes the queue offers, in the order Kueue tries them. */
    flavors: QueueFlavorArgs[];
    /** Queues of one cohort lend each other unused quota. */
    cohort?: string;
    preemption?: QueuePreemption;
    /** `BestEffortFIFO` (default: a workload that does not fit does not block the next) or `StrictFIFO`. */
    queueingStrategy?: QueueingStrategy;
    /** `Hold` stops admitting (running workloads finish), `HoldAndDrain` also evicts them; default `None`. */
    stopPolicy?: StopPolicy;
    flavorFungibility?: QueueFlavorFungibility;
}

export const queueSettingsSchema = argsSchema<QueueSettings>()(
    {
        name: checkedLater<string>(),
        clusterQueue: checkedLater<string>(),
        profile: checkedLater<ProfileInput>(),
        migStrategy: z.enum(["single", "mixed"]).optional(),
        flavors: z.array(z.unknown(), { invalid_type_error: "expected a list of flavours" }) as unknown as z.ZodType<
            QueueFlavorArgs[],
            z.ZodTypeDef,
            unknown
        >,
        cohort: checkedLater<string>(),
        preemption: checkedLater<QueuePreemption>(),
        queueingStrategy: z.enum(["BestEffortFIFO", "StrictFIFO"]).optional(),
        stopPolicy: z.enum(["None", "Hold", "HoldAndDrain"]).optional(),
        flavorFungibility: checkedLater<QueueFlavorFungibility>(),
    },
    "queue arguments { flavors, name?, clusterQueue?, profile?, cohort?, preemption?, ... }",
);

/** Kueue's names (LocalQueue, ClusterQueue, cohort, ResourceFlavor): DNS-1123 subdomains; a queue's also a label value. */
const KUEUE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A LocalQueue name as `queue` gives it: the value of the kueue.x-k8s.io/queue-name label. */
export function checkQueueName(field: string, value: unknown, max = 63): string {
    if (typeof value !== "string" || value.length > max || !KUEUE_NAME.test(value))
        throw new ValidationError(
            field,
            value,
            `a queue is the name of a Kueue LocalQueue: lower-case letters, digits, '-' and '.', starting and ending with a letter or digit, at most ${max} characters (e.g. "gpu", "team-a")`,
        );
    return value;
}

/** A queue name's schema, for the `queue` fields of environments, tasks and overrides. */
export const queueNameSchema = z
    .string({ invalid_type_error: "expected a queue name (a string)" })
    .superRefine((v, ctx) => {
        try {
            checkQueueName("", v);
        } catch (err) {
            if (!(err instanceof ValidationError)) throw err;
            ctx.addIssue({ code: z.ZodIssueCode.custom, message: err.allowed });
        }
    });
