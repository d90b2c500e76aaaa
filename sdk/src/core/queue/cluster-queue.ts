/**
 * A queue's Kueue objects as plain data: one ResourceFlavor per flavour, a ClusterQueue
 * with one resource group (every flavour covers every resource the queue counts, in
 * the order Kueue tries them) and a LocalQueue per namespace. Every rule Kueue's
 * webhooks and CRDs enforce is checked here first, in the caller's terms.
 */
import { ValidationError, joinPath } from "../errors";
import { copyData } from "../objects";
import { canonicalCpu, canonicalQuantity, compareQuantities } from "../quantity";
import { MigStrategy, SchedulingProfile } from "../placement/profile";
import { ProfileInput, resolveProfile } from "../placement/resolve";
import { parseArgs } from "../validate";
import { Flavor, flavorDevice, makeFlavor } from "./flavor";
import { ClusterQueue, KUEUE_API_VERSION, LocalQueue, ResourceGroup, ResourceQuota } from "./kueue";
import {
    QUOTA_RESOURCES,
    QueueFlavorArgs,
    QueueQuota,
    QueueSettings,
    checkQueueName,
    queueFlavorArgsSchema,
    queueFungibilitySchema,
    queuePreemptionSchema,
    queueQuotaSchema,
    queueSettingsSchema,
} from "./queue-args";

/** Kueue's limit on the flavours of a resource group. */
export const MAX_FLAVORS = 64;

export interface QueueFlavor extends Flavor {
    /** Nominal quota by resource name (canonical quantities). */
    readonly quota: Readonly<Record<string, string>>;
    readonly borrowingLimit?: Readonly<Record<string, string>>;
    readonly lendingLimit?: Readonly<Record<string, string>>;
}

export interface NormalizedQueue {
    /** The LocalQueues' name (what `queue` gives). */
    readonly name: string;
    readonly clusterQueueName: string;
    readonly profile: SchedulingProfile;
    readonly flavors: readonly QueueFlavor[];
    /** Resources the ClusterQueue counts, in its order. */
    readonly coveredResources: readonly string[];
    readonly clusterQueue: ClusterQueue;
}

const MANAGED = { "app.kubernetes.io/managed-by": "pulumi-flyte" };

/** Validates a queue's settings and makes its ClusterQueue and flavours. `name` is the component's. */
export function normalizeQueue(
    name: string,
    given: QueueSettings,
    defaults: { profile?: ProfileInput; migStrategy?: MigStrategy } = {},
    field = "",
): NormalizedQueue {
    parseArgs(queueSettingsSchema, given, field);
    const at = (key: string) => joinPath(field, key);
    const queueName = checkQueueName(given.name !== undefined ? at("name") : "name", given.name ?? name);
    const clusterQueueName = checkQueueName(at("clusterQueue"), given.clusterQueue ?? queueName, 253);
    const cohort = given.cohort === undefined ? undefined : checkQueueName(at("cohort"), given.cohort, 253);
    const profile = resolveProfile(given.profile ?? defaults.profile, at("profile"));
    const migStrategy = given.migStrategy ?? defaults.migStrategy;
    checkPreemption(given, cohort, field);
    const flavors = normalizeFlavors(profile, migStrategy, given.flavors, cohort !== undefined, at("flavors"));
    const group = resourceGroup(flavors);
    const covered = group.coveredResources;
    const clusterQueue: ClusterQueue = {
        apiVersion: KUEUE_API_VERSION,
        kind: "ClusterQueue",
        metadata: { name: clusterQueueName, labels: { ...MANAGED } },
        spec: {
            resourceGroups: [group],
            ...(cohort ? { cohortName: cohort } : {}),
            // LocalQueues decide which namespaces submit: every namespace may have one
            namespaceSelector: {},
            queueingStrategy: given.queueingStrategy ?? "BestEffortFIFO",
            ...(given.preemption ? { preemption: copyData(given.preemption) } : {}),
            ...(given.flavorFungibility ? { flavorFungibility: { ...given.flavorFungibility } } : {}),
            ...(given.stopPolicy ? { stopPolicy: given.stopPolicy } : {}),
        },
    };
    return Object.freeze({
        name: queueName,
        clusterQueueName,
        profile,
        flavors,
        coveredResources: covered,
        clusterQueue,
    });
}

/** The preemption and fungibility settings, and the combinations Kueue rejects. */
function checkPreemption(given: QueueSettings, cohort: string | undefined, field: string): void {
    const at = (key: string) => joinPath(field, key);
    if (given.preemption !== undefined) parseArgs(queuePreemptionSchema, given.preemption, at("preemption"));
    if (given.flavorFungibility !== undefined)
        parseArgs(queueFungibilitySchema, given.flavorFungibility, at("flavorFungibility"));
    const p = given.preemption;
    if (p?.reclaimWithinCohort === "Never" && p.borrowWithinCohort && p.borrowWithinCohort.policy !== "Never")
        throw new ValidationError(
            at("preemption.borrowWithinCohort.policy"),
            p.borrowWithinCohort.policy,
            'preempting to borrow needs reclaimWithinCohort other than "Never" (Kueue rejects this combination)',
        );
    if ((p?.reclaimWithinCohort || p?.borrowWithinCohort) && cohort === undefined)
        throw new ValidationError(
            at(p?.reclaimWithinCohort ? "preemption.reclaimWithinCohort" : "preemption.borrowWithinCohort"),
            p?.reclaimWithinCohort ?? p?.borrowWithinCohort,
            "preemption within a cohort needs the queue in a cohort (cohort)",
        );
}

/** The queue's flavours: one to MAX_FLAVORS, each valid, no two of one name. */
function normalizeFlavors(
    profile: SchedulingProfile,
    migStrategy: MigStrategy | undefined,
    list: unknown,
    inCohort: boolean,
    field: string,
): QueueFlavor[] {
    if (!Array.isArray(list) || list.length === 0)
        throw new ValidationError(field, list, "a queue offers at least one flavour: [{ gpu?, quota }, ...]");
    if (list.length > MAX_FLAVORS)
        throw new ValidationError(field, `${list.length} flavours`, `at most ${MAX_FLAVORS} (Kueue's limit)`);
    const flavors = (list as QueueFlavorArgs[]).map((f, i) =>
        normalizeFlavor(profile, migStrategy, f, inCohort, joinPath(field, i)),
    );
    for (let i = 0; i < flavors.length; i++) {
        const dup = flavors.findIndex((f, j) => j < i && f.name === flavors[i].name);
        if (dup >= 0)
            throw new ValidationError(
                joinPath(field, i),
                flavors[i].name,
                `flavours ${dup} and ${i} are both named "${flavors[i].name}" (the same nodes twice?): give them different node labels or names`,
            );
    }
    return flavors;
}

/** One resource group: every flavour lists every counted resource, in one order. */
function resourceGroup(flavors: readonly QueueFlavor[]): ResourceGroup {
    const covered: string[] = [];
    const add = (r: string) => covered.includes(r) || covered.push(r);
    for (const r of ["cpu", "memory"]) if (flavors.some((f) => r in f.quota)) add(r);
    for (const f of flavors) if (f.accelerator) add(f.accelerator);
    for (const r of ["ephemeral-storage", "pods"]) if (flavors.some((f) => r in f.quota)) add(r);
    return {
        coveredResources: covered,
        flavors: flavors.map((f) => ({
            name: f.name,
            resources: covered.map((r): ResourceQuota => ({
                name: r,
                nominalQuota: f.quota[r] ?? "0",
                ...(f.borrowingLimit?.[r] !== undefined ? { borrowingLimit: f.borrowingLimit[r] } : {}),
                ...(f.lendingLimit?.[r] !== undefined ? { lendingLimit: f.lendingLimit[r] } : {}),
            })),
        })),
    };
}

function normalizeFlavor(
    profile: SchedulingProfile,
    migStrategy: MigStrategy | undefined,
    given: QueueFlavorArgs,
    inCohort: boolean,
    field: string,
): QueueFlavor {
    parseArgs(queueFlavorArgsSchema, given, field);
    const at = (key: string) => joinPath(field, key);
    const device = flavorDevice(at("gpu"), given.gpu);
    if (given.name !== undefined) checkQueueName(at("name"), given.name, 253);
    const flavor = makeFlavor(
        profile,
        {
            device,
            interruptible: given.interruptible ?? false,
            migStrategy,
            nodeLabels: given.nodeLabels,
            name: given.name,
        },
        field,
    );
    if (given.quota === undefined)
        throw new ValidationError(
            at("quota"),
            undefined,
            `a flavour's quota is required: how much of it the queue may use, e.g. { cpu: 96, memory: "1Ti"${flavor.accelerator ? ", gpu: 8" : ""} }`,
        );
    const quota = quotaOf(given.quota, flavor, at("quota"));
    if (flavor.accelerator && !(flavor.accelerator in quota))
        throw new ValidationError(
            at("quota.gpu"),
            undefined,
            `the flavour offers ${device!.device}: give how many ${flavor.accelerator} the queue may use (quota.gpu)`,
        );
    return Object.freeze({ ...flavor, quota, ...cohortLimits(given, flavor, quota, inCohort, field) });
}

/** How much of a flavour a queue may borrow from its cohort and lend to it (at most its quota). */
function cohortLimits(
    given: QueueFlavorArgs,
    flavor: Flavor,
    quota: Record<string, string>,
    inCohort: boolean,
    field: string,
): { borrowingLimit?: Record<string, string>; lendingLimit?: Record<string, string> } {
    const at = (key: string) => joinPath(field, key);
    const limit = (key: "borrowingLimit" | "lendingLimit") => {
        const value = given[key];
        if (value === undefined) return undefined;
        if (!inCohort)
            throw new ValidationError(
                at(key),
                value,
                `${key === "borrowingLimit" ? "borrowing" : "lending"} happens within a cohort: give the queue a cohort, or leave ${key} out`,
            );
        return quotaOf(value, flavor, at(key));
    };
    const borrowingLimit = limit("borrowingLimit");
    const lendingLimit = limit("lendingLimit");
    for (const [resource, lend] of Object.entries(lendingLimit ?? {})) {
        const nominal = quota[resource] ?? "0";
        if (compareQuantities(lend, nominal) > 0)
            throw new ValidationError(
                joinPath(at("lendingLimit"), fieldOf(resource, flavor)),
                (given.lendingLimit as Record<string, unknown>)[fieldOf(resource, flavor)],
                `a flavour lends at most its quota (${fieldOf(resource, flavor)}: ${nominal})`,
            );
    }
    return { ...(borrowingLimit ? { borrowingLimit } : {}), ...(lendingLimit ? { lendingLimit } : {}) };
}

/** Quota fields as Kubernetes resource names and canonical quantities. */
function quotaOf(given: QueueQuota, flavor: Flavor, field: string): Record<string, string> {
    parseArgs(queueQuotaSchema, given, field);
    const out: Record<string, string> = {};
    if (given.cpu !== undefined) out.cpu = canonicalCpu(joinPath(field, "cpu"), given.cpu);
    if (given.memory !== undefined) out.memory = canonicalQuantity(joinPath(field, "memory"), given.memory);
    if (given.gpu !== undefined) {
        if (!flavor.accelerator)
            throw new ValidationError(
                joinPath(field, "gpu"),
                given.gpu,
                "this flavour offers no accelerator (give the flavour's gpu, or leave quota.gpu out)",
            );
        out[flavor.accelerator] = count(joinPath(field, "gpu"), given.gpu, flavor.accelerator);
    }
    if (given.disk !== undefined) out[QUOTA_RESOURCES.disk] = canonicalQuantity(joinPath(field, "disk"), given.disk);
    if (given.pods !== undefined) out.pods = count(joinPath(field, "pods"), given.pods, "pods");
    return out;
}

function count(field: string, value: unknown, what: string): string {
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 2 ** 53)
        throw new ValidationError(field, value, `a whole number of ${what}, 0 or more`);
    return String(value);
}

/** The quota field that counts a resource, in the caller's terms. */
function fieldOf(resource: string, flavor: Flavor): string {
    if (resource === flavor.accelerator) return "gpu";
    return Object.entries(QUOTA_RESOURCES).find(([, r]) => r === resource)?.[0] ?? resource;
}

/** The LocalQueue of a queue in one namespace (undefined: the provider's default namespace). */
export function localQueue(queue: NormalizedQueue, namespace?: string): LocalQueue {
    return {
        apiVersion: KUEUE_API_VERSION,
        kind: "LocalQueue",
        metadata: { name: queue.name, ...(namespace !== undefined ? { namespace } : {}), labels: { ...MANAGED } },
        spec: { clusterQueue: queue.clusterQueueName },
    };
}
