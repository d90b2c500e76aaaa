/**
 * Accelerators as Dynamic Resource Allocation claims (resource.k8s.io/v1), from the
 * same catalogue rows as extended resources: a device becomes one request of a
 * ResourceClaimTemplate, with the driver's DeviceClass, CEL selectors on the driver's
 * attributes and a count; a list of acceptable devices becomes one request with
 * `firstAvailable` subrequests, in the order given (the scheduler takes the first it
 * can allocate).
 *
 * | device | class | selectors | count |
 * |---|---|---|---|
 * | GPU model | `gpu.nvidia.com` | `productName in [catalogue nvmlNames]`, memory >= 90% of the model's | quantity |
 * | MIG slice | `mig.nvidia.com` | `profile == "<profile>"`, the parent's `productName` | quantity |
 * | any GPU (bare count) | `gpu.nvidia.com` | none | quantity |
 * | TPU slice | `tpu.google.com` | `tpuGen == "<generation>"` | chips per host; the topology stays a node label |
 *
 * The claim selects the device: the node labels a profile uses for extended resources
 * are not rendered, only the family's tolerations (and a TPU slice's topology, a
 * property of the node pool). Families without a DRA convention (Neuron, AMD, Gaudi)
 * are refused by name. A profile's `dra` replaces a family's conventions, and its
 * `deviceValues` the catalogue's `nvmlNames` / `draTpuGen`.
 */
import { topologyChips } from "../catalog/tpus";
import { Device, DeviceClass, gpuModel, sharedGpu, tpuGeneration } from "../devices";
import { ValidationError, joinPath } from "../errors";
import type { DeviceRequest, DeviceSubRequest, ResourceClaimSpec } from "../simulator/dra/dra-objects";
import { catalogRows } from "./catalog-rows";
import { dedupe } from "./place";
import { DraGpuRules, DraRules, DraTpuRules, SchedulingProfile } from "./profile";
import { EMPTY_PLACEMENT, NodeSelectorRequirement, Placement, Toleration } from "./types";

const exists = (key: string): Toleration => ({ key, operator: "Exists", effect: "NoSchedule" });

/** The drivers' conventions: NVIDIA's DRA driver for GPUs, Google's TPU DRA driver. */
export const DRA_DRIVER_CONVENTIONS: Readonly<Required<DraRules>> = Object.freeze({
    gpu: {
        deviceClass: "gpu.nvidia.com",
        migDeviceClass: "mig.nvidia.com",
        domain: "gpu.nvidia.com",
        productAttribute: "productName",
        profileAttribute: "profile",
        memoryCapacity: "memory",
        tolerations: [exists("nvidia.com/gpu")],
    },
    tpu: {
        deviceClass: "tpu.google.com",
        domain: "tpu.google.com",
        generationAttribute: "tpuGen",
        tolerations: [exists("google.com/tpu")],
    },
});

/** The family names of errors, and what DRA can claim. */
const FAMILY: Record<DeviceClass, string> = {
    GPU: "NVIDIA GPUs",
    TPU: "TPUs",
    NEURON: "AWS Neuron devices",
    AMD_GPU: "AMD GPUs",
    HABANA_GAUDI: "Habana Gaudi devices",
};

/** The pod's claim: the template's spec, and where the pod must go besides. */
export interface DraPlacement {
    readonly placement: Placement;
    readonly claim: ResourceClaimSpec;
}

/**
 * `devices`: one device, or acceptable devices in order of preference. `field` is the
 * accelerator's path in the caller's program (errors name it).
 */
export function placeDevicesWithDra(
    profile: SchedulingProfile,
    devices: readonly Device[],
    field: string,
): DraPlacement {
    const rules: Required<DraRules> = {
        gpu: profile.dra?.gpu ?? DRA_DRIVER_CONVENTIONS.gpu,
        tpu: profile.dra?.tpu ?? DRA_DRIVER_CONVENTIONS.tpu,
    };
    const at = (i: number) => (devices.length > 1 ? joinPath(field, i) : field);
    const subrequests: DeviceSubRequest[] = [];
    let terms: NodeSelectorRequirement[][] = [];
    let hosts = 1;
    const tolerations: Toleration[] = [];
    devices.forEach((device, i) => {
        const made = subrequest(profile, rules, device, at(i), devices.length > 1);
        if (subrequests.some((s) => s.name === made.request.name))
            throw new ValidationError(at(i), describe(device), "each acceptable device is listed once");
        subrequests.push(made.request);
        tolerations.push(...made.tolerations);
        if (made.topology) terms = [[made.topology]];
        hosts = Math.max(hosts, made.hosts);
    });
    const families = new Set(devices.map((d) => d.deviceClass));
    const requestName = families.size === 1 ? (devices[0].deviceClass === "TPU" ? "tpu" : "gpu") : "accelerator";
    const request: DeviceRequest =
        subrequests.length === 1
            ? { name: requestName, exactly: withoutName(subrequests[0]) }
            : { name: requestName, firstAvailable: subrequests };
    // a single-valued requirement goes to nodeSelector where the profile prefers it (as place.ts does)
    const nodeSelector =
        profile.preferNodeSelector && terms.length === 1
            ? Object.fromEntries(terms[0].map((r) => [r.key, r.values![0]]))
            : {};
    if (Object.keys(nodeSelector).length) terms = [];
    return {
        placement: { ...EMPTY_PLACEMENT, nodeSelector, terms, tolerations: dedupe(tolerations), hosts },
        claim: { devices: { requests: [request] } },
    };
}

function withoutName(s: DeviceSubRequest): Omit<DeviceSubRequest, "name"> {
    const { name: _name, ...rest } = s;
    return rest;
}

interface Made {
    request: DeviceSubRequest;
    tolerations: Toleration[];
    topology?: NodeSelectorRequirement;
    hosts: number;
}

const quote = (s: string) => JSON.stringify(s);
const list = (values: readonly string[]) => `[${values.map(quote).join(", ")}]`;
const attribute = (domain: string, name: string) => `device.attributes[${quote(domain)}].${name}`;

/** A DNS label naming the subrequest after the device: "a100-80g", "a100-1g-5gb", "v6e-2x4", "any". */
function slug(device: Device): string {
    const text = [device.device ?? "any", device.partition ?? ""].join("-");
    return text
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-|-$/g, "")
        .slice(0, 63);
}

function describe(device: Device): string {
    if (device.device === undefined) return `${device.quantity} GPU${device.quantity > 1 ? "s" : ""}`;
    return `${device.device}${device.partition ? ` ${device.partition}` : ""}:${device.quantity}`;
}

function subrequest(
    profile: SchedulingProfile,
    rules: Required<DraRules>,
    device: Device,
    field: string,
    alternative: boolean,
): Made {
    switch (device.deviceClass) {
        case "GPU":
            return gpuRequest(profile, rules.gpu, device, field);
        case "TPU":
            return tpuRequest(profile, rules.tpu, device, field, alternative);
        default:
            throw new ValidationError(
                field,
                device.device,
                `${FAMILY[device.deviceClass]} have no DRA convention (a DRA driver and its DeviceClass): deviceAllocation "dra" claims ${FAMILY.GPU} (${rules.gpu.deviceClass}, MIG slices: ${rules.gpu.migDeviceClass}) and ${FAMILY.TPU} (${rules.tpu.deviceClass}); request ${device.device} with deviceAllocation "extended"`,
            );
    }
}

function columnValues(profile: SchedulingProfile, device: Device, column: "nvmlNames" | "draTpuGen"): string[] {
    const row = catalogRows(device.deviceClass, profile.deviceValues).find((r) => r.name === device.device);
    return [...(row?.columns[column] ?? [])];
}

function gpuRequest(profile: SchedulingProfile, rules: DraGpuRules, device: Device, field: string): Made {
    const tolerations = [...rules.tolerations, ...(profile.gpu?.tolerations ?? profile.anyGpu.tolerations)];
    const name = slug(device);
    if (device.device === undefined)
        return {
            request: { name, deviceClassName: rules.deviceClass, allocationMode: "ExactCount", count: device.quantity },
            tolerations,
            hosts: 1,
        };
    if (sharedGpu(device.device))
        throw new ValidationError(
            field,
            device.device,
            `a shared GPU is not a device NVIDIA's DRA driver publishes: with DRA, pods share a GPU through one claim (its time-slicing or MPS config), which this package does not render; request ${device.device} with deviceAllocation "extended", or a whole GPU`,
        );
    const products = columnValues(profile, device, "nvmlNames");
    if (!products.length)
        throw new ValidationError(
            field,
            device.device,
            `the catalogue has no product name (nvmlNames) for ${device.device}, which NVIDIA's DRA driver publishes as "${rules.productAttribute}": add it with a custom profile's deviceValues { "${device.device}": { nvmlNames: [...] } }`,
        );
    const product = `${attribute(rules.domain, rules.productAttribute)} in ${list(products)}`;
    const selectors: string[] = [];
    let deviceClassName = rules.deviceClass;
    if (device.partition !== undefined) {
        deviceClassName = rules.migDeviceClass;
        selectors.push(`${attribute(rules.domain, rules.profileAttribute)} == ${quote(device.partition)}`, product);
    } else {
        selectors.push(product);
        const memoryMiB = gpuModel(device.device)?.memoryMiB;
        if (rules.memoryCapacity && memoryMiB) {
            // a floor, not the exact size: drivers report a little less than the product's nominal memory
            const floor = Math.floor(memoryMiB * 0.9);
            selectors.push(
                `device.capacity[${quote(rules.domain)}].${rules.memoryCapacity}.compareTo(quantity(${quote(`${floor}Mi`)})) >= 0`,
            );
        }
    }
    return {
        request: {
            name,
            deviceClassName,
            allocationMode: "ExactCount",
            count: device.quantity,
            selectors: selectors.map((expression) => ({ cel: { expression } })),
        },
        tolerations,
        hosts: 1,
    };
}

function tpuRequest(
    profile: SchedulingProfile,
    rules: DraTpuRules,
    device: Device,
    field: string,
    alternative: boolean,
): Made {
    const gen = tpuGeneration(device.device!)!;
    const values = columnValues(profile, device, "draTpuGen");
    if (!values.length)
        throw new ValidationError(
            field,
            device.device,
            `the catalogue has no DRA generation (draTpuGen) for TPU ${gen.name}: add it with a custom profile's deviceValues { "${gen.name}": { draTpuGen: ["..."] } }`,
        );
    const tolerations = [...rules.tolerations, ...(profile.tpu?.tolerations ?? [])];
    const generation = `${attribute(rules.domain, rules.generationAttribute)} in ${list(values)}`;
    const base = { name: slug(device), deviceClassName: rules.deviceClass, allocationMode: "ExactCount" as const };
    if (device.partition === undefined) {
        if (profile.tpu?.requireTopology)
            throw new ValidationError(
                `${field}.partition`,
                undefined,
                `profile "${profile.name}" schedules TPUs by topology: give TPU({ device: "${gen.name}", partition }) one of ${gen.topologies.join(", ")}`,
            );
        return {
            request: { ...base, count: device.quantity, selectors: [{ cel: { expression: generation } }] },
            tolerations,
            hosts: 1,
        };
    }
    if (alternative)
        throw new ValidationError(
            field,
            describe(device),
            "a TPU slice's topology is a property of its node pool (a node label), not of a device: it cannot be one alternative among others; request the TPU slice alone",
        );
    const chips = topologyChips(device.partition);
    const perHost = gen.chipsPerHost(chips);
    const topologyLabel = profile.tpu?.topologyLabel ?? "cloud.google.com/gke-tpu-topology";
    return {
        request: { ...base, count: perHost, selectors: [{ cel: { expression: generation } }] },
        tolerations,
        topology: { key: topologyLabel, operator: "In", values: [device.partition] },
        hosts: Math.ceil(chips / perHost),
    };
}
