/**
 * A Kueue ResourceFlavor made from a scheduling profile and the device catalogue: the
 * node labels and taints of the nodes our PodTemplates select for one accelerator (or
 * for CPU-only pods), on demand or spot. Kueue admits a workload in a flavour only if
 * its pods' node selection agrees with the flavour's labels and they tolerate its
 * taints, and then adds the labels to the pods' nodeSelector: so the flavour must
 * describe exactly the nodes the pods ask for.
 */
import { GPU_MODELS } from "../catalog/gpus";
import { AMD_GPUS, GAUDI_DEVICES, NEURON_DEVICES } from "../catalog/others";
import { TPU_GENERATIONS } from "../catalog/tpus";
import { Device, normalizeDevice } from "../devices";
import { ValidationError, joinPath } from "../errors";
import { boundedName, checkLabels } from "../names";
import { didYouMean } from "../suggest";
import { catalogRows } from "../placement/catalog-rows";
import { combinePlacements, placeCapacity, placeDevice } from "../placement/place";
import { MigStrategy, SchedulingProfile } from "../placement/profile";
import { NodeSelectorRequirement, Toleration } from "../placement/types";
import { NodeTaint, matchesRequirement } from "../simulator/fit";
import { KUEUE_API_VERSION, ResourceFlavor } from "./kueue";

/** Kueue's limits on a ResourceFlavor (its CRD's validation). */
export const FLAVOR_MAX_LABELS = 8;
export const FLAVOR_MAX_TAINTS = 8;

export interface FlavorRequest {
    /** The accelerator (its quantity is ignored); undefined: a flavour of CPU-only nodes. */
    device?: Device;
    /** Spot capacity (the profile's spot labels and tolerations). */
    interruptible: boolean;
    migStrategy?: MigStrategy;
    /** Labels the flavour's nodes also carry (a node pool, a zone), or the choice among a device's label values. */
    nodeLabels?: Readonly<Record<string, string>>;
    /** The flavour's name (default from profile, device and capacity). */
    name?: string;
}

export interface Flavor {
    readonly name: string;
    readonly resourceFlavor: ResourceFlavor;
    /** The extended resource that counts the accelerator (`nvidia.com/gpu`, `nvidia.com/mig-1g.10gb`, `google.com/tpu`, ...). */
    readonly accelerator?: string;
    readonly device?: Device;
    readonly interruptible: boolean;
}

const FLAVOR_DEVICES = [...GPU_MODELS, ...NEURON_DEVICES, ...AMD_GPUS, ...GAUDI_DEVICES] as readonly {
    name: string;
    aliases?: readonly string[];
}[];

/** Accepts an accelerator as a device name ("A100 80G") or a Device (GPU(), TPU(), Neuron(), AMD(), Gaudi()). */
export function flavorDevice(field: string, value: unknown): Device | undefined {
    if (value === undefined) return undefined;
    if (typeof value === "string") {
        const names = FLAVOR_DEVICES.flatMap((d) => [d.name, ...(d.aliases ?? [])]);
        if (value.includes(":") || !names.includes(value)) {
            const tpu = TPU_GENERATIONS.some(
                (t) => t.name === value || (t.aliases as readonly string[]).includes(value),
            );
            throw new ValidationError(
                field,
                value,
                tpu
                    ? `a TPU flavour is TPU({ device: "${value}", partition }) (its slice topology)`
                    : `${value.includes(":") ? "a flavour names its device without a count (its quota says how many, quota.gpu); " : didYouMean(value, names)}expected a device name: ${FLAVOR_DEVICES.map((d) => JSON.stringify(d.name)).join(", ")}; or GPU({ device, partition }), TPU({ device, partition }), Neuron(), AMD(), Gaudi()`,
            );
        }
        const neuron = NEURON_DEVICES.find((d) => d.name === value);
        return normalizeDevice(field, `${value}:${neuron ? neuron.quantities[0] : 1}`);
    }
    const device = normalizeDevice(field, value);
    if (device && device.deviceClass === "GPU" && device.device === undefined)
        throw new ValidationError(
            field,
            value,
            'a flavour offers one GPU model: give its name (e.g. "A100 80G" or GPU({ device: "A100", partition: "1g.5gb" }))',
        );
    return device;
}

/**
 * The flavour for `request` in `profile`. `field` is the flavour's path in errors.
 * Node labels are the single-valued requirements our PodTemplates put on the device's
 * nodes (nodeSelector, or the affinity term `request.nodeLabels` points at, else the
 * profile's first alternative); taints are those its tolerations are for.
 */
export function makeFlavor(profile: SchedulingProfile, request: FlavorRequest, field: string): Flavor {
    const device = request.device ? { ...request.device, quantity: 1 } : undefined;
    const placement = combinePlacements(
        placeDevice(profile, device, { migStrategy: request.migStrategy, field: joinPath(field, "gpu") }),
        placeCapacity(profile, request.interruptible),
    );
    const given = request.nodeLabels ? checkLabels(joinPath(field, "nodeLabels"), request.nodeLabels) : {};
    const term = chooseTerm(placement.terms, given);
    const labels = flavorLabels(profile, device, placement.nodeSelector, term, given, field);
    if (Object.keys(labels).length > FLAVOR_MAX_LABELS)
        throw new ValidationError(
            joinPath(field, "nodeLabels"),
            labels,
            `a ResourceFlavor has at most ${FLAVOR_MAX_LABELS} node labels (Kueue's limit); this one would have ${Object.keys(labels).length}`,
        );
    const nodeTaints = taintsOf(placement.tolerations);
    if (nodeTaints.length > FLAVOR_MAX_TAINTS)
        throw new ValidationError(
            joinPath(field, "gpu"),
            request.device,
            `a ResourceFlavor has at most ${FLAVOR_MAX_TAINTS} node taints (Kueue's limit)`,
        );
    const name = request.name ?? defaultFlavorName(profile.name, device, request.interruptible, given);
    const accelerator = Object.keys(placement.resources)[0];
    const resourceFlavor: ResourceFlavor = {
        apiVersion: KUEUE_API_VERSION,
        kind: "ResourceFlavor",
        metadata: { name, labels: { "app.kubernetes.io/managed-by": "pulumi-flyte" } },
        spec: {
            ...(Object.keys(labels).length ? { nodeLabels: sortedRecord(labels) } : {}),
            ...(nodeTaints.length ? { nodeTaints } : {}),
        },
    };
    return Object.freeze({
        name,
        resourceFlavor,
        ...(accelerator ? { accelerator } : {}),
        ...(device ? { device } : {}),
        interruptible: request.interruptible,
    });
}

/**
 * A flavour's node labels: the single-valued requirements of the device's placement,
 * the exact GPU memory where the profile compares it (Karpenter), and the labels given
 * (which must agree with the placement).
 */
function flavorLabels(
    profile: SchedulingProfile,
    device: FlavorRequest["device"],
    nodeSelector: Readonly<Record<string, string>>,
    term: readonly NodeSelectorRequirement[],
    given: Record<string, string>,
    field: string,
): Record<string, string> {
    const labels: Record<string, string> = { ...nodeSelector };
    const row = device?.device
        ? catalogRows(device.deviceClass, profile.deviceValues).find((r) => r.name === device.device)
        : undefined;
    for (const r of term) {
        if (r.operator === "In" && r.values?.length === 1) labels[r.key] = r.values[0];
        else if (r.operator === "In" && r.values && r.key in given)
            continue; // checked below
        else if (r.operator === "In" && r.values) {
            throw new ValidationError(
                joinPath(field, "gpu"),
                device?.device,
                `${device?.device ?? "this flavour"} is selected on ${profile.name} by ${r.key} In [${r.values.join(", ")}]; a ResourceFlavor's node labels take one value, the one of its nodes: give nodeLabels { "${r.key}": "${r.values[0]}" } (one flavour per node type)`,
            );
        } else if ((r.operator === "Gt" || r.operator === "Lt") && row?.memoryMiB !== undefined) {
            // the profile tells models apart by GPU memory (Karpenter): their nodes carry the exact value
            const exact = { [r.key]: String(row.memoryMiB) };
            if (matchesRequirement(r, exact) && !(r.key in given)) labels[r.key] = exact[r.key];
        }
    }
    for (const [key, value] of Object.entries(given)) {
        if (key in labels && labels[key] !== value)
            throw conflict(field, key, value, `${key}=${labels[key]}`, profile.name, device);
        const clash = term.find((r) => r.key === key && !matchesRequirement(r, { [key]: value }));
        if (clash) throw conflict(field, key, value, requirementText(clash), profile.name, device);
        labels[key] = value;
    }
    return labels;
}

/** The affinity alternative whose keys the given labels name (else the first). */
function chooseTerm(
    terms: readonly (readonly NodeSelectorRequirement[])[],
    given: Record<string, string>,
): readonly NodeSelectorRequirement[] {
    if (terms.length === 0) return [];
    const keys = Object.keys(given);
    return terms.find((t) => t.some((r) => keys.includes(r.key))) ?? terms[0];
}

/**
 * Taints the tolerations are for: what the flavour's nodes carry, so that only pods that
 * tolerate them are admitted in it (a CPU-only pod never takes a GPU flavour's quota).
 * The flavour adds no tolerations of its own: Kueue counts a flavour's tolerations as
 * the pod's when matching its taints, which would let every pod in.
 */
function taintsOf(tolerations: readonly Toleration[]): NodeTaint[] {
    const out: NodeTaint[] = [];
    for (const t of tolerations) {
        if (!t.key) continue; // tolerates everything: no particular taint
        const effect = t.effect ?? "NoSchedule";
        const taint: NodeTaint = {
            key: t.key,
            ...(t.operator === "Equal" && t.value ? { value: t.value } : {}),
            effect,
        };
        if (!out.some((o) => o.key === taint.key && o.value === taint.value && o.effect === taint.effect))
            out.push(taint);
    }
    return out;
}

/** `gke-a100-80g`, `eks-a100-1g.5gb-spot`, `gke-cpu`, `gke-tpu-v5p-2x2x1`. */
export function defaultFlavorName(
    profile: string,
    device: Device | undefined,
    interruptible: boolean,
    nodeLabels: Record<string, string> = {},
): string {
    const parts = [profile];
    if (device) {
        parts.push(device.deviceClass === "TPU" ? `tpu-${device.device}` : (device.device ?? "gpu"));
        if (device.partition) parts.push(device.partition.replace(/\+/g, "."));
    } else parts.push("cpu");
    // a chosen label value (one of several node types) names the flavour too
    const extra = Object.values(nodeLabels).filter((v) => v);
    parts.push(...extra);
    if (interruptible) parts.push("spot");
    return boundedName(
        253,
        ...parts.map((p) =>
            p
                .toLowerCase()
                .replace(/[^a-z0-9.]+/g, "-")
                .replace(/^-|-$/g, ""),
        ),
    );
}

function conflict(
    field: string,
    key: string,
    value: string,
    required: string,
    profile: string,
    device: Device | undefined,
): ValidationError {
    return new ValidationError(
        joinPath(joinPath(field, "nodeLabels"), key),
        value,
        `the pods this flavour is for (${device?.device ?? "CPU-only"} on ${profile}) require ${required}; a flavour's node labels must describe the nodes they select`,
    );
}

function requirementText(r: NodeSelectorRequirement): string {
    return r.values?.length ? `${r.key} ${r.operator} [${r.values.join(", ")}]` : `${r.key} ${r.operator}`;
}

function sortedRecord(r: Record<string, string>): Record<string, string> {
    return Object.fromEntries(Object.entries(r).sort(([a], [b]) => a.localeCompare(b)));
}
