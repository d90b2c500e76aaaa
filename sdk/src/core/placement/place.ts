import { NEURON_DEVICES } from "../catalog/others";
import { topologyChips } from "../catalog/tpus";
import { Device, DeviceClass, gpuModel, sharedGpu, tpuGeneration } from "../devices";
import { ValidationError } from "../errors";
import { CatalogRow, catalogRows } from "./catalog-rows";
import {
    DeviceRules,
    GpuRules,
    LabelRule,
    MigStrategy,
    NeuronRules,
    SchedulingProfile,
    SharingRules,
    TpuRules,
} from "./profile";
import { EMPTY_PLACEMENT, NodeSelectorRequirement, Placement, Toleration } from "./types";

export interface PlaceOptions {
    /** MIG device-plugin strategy; defaults to the profile's first. */
    migStrategy?: MigStrategy;
    /** Path of the accelerator in the user's program, for errors. */
    field?: string;
}

const FAMILY_RULES: Record<DeviceClass, keyof SchedulingProfile> = {
    GPU: "gpu",
    TPU: "tpu",
    NEURON: "neuron",
    AMD_GPU: "amd",
    HABANA_GAUDI: "gaudi",
};
const FAMILY_NAMES: Record<DeviceClass, string> = {
    GPU: "NVIDIA GPUs",
    TPU: "TPUs",
    NEURON: "AWS Neuron devices",
    AMD_GPU: "AMD GPUs",
    HABANA_GAUDI: "Habana Gaudi devices",
};

/** How a profile schedules one accelerator request. */
export function placeDevice(
    profile: SchedulingProfile,
    device: Device | undefined,
    options: PlaceOptions = {},
): Placement {
    if (!device) return EMPTY_PLACEMENT;
    const field = options.field ?? "resources.gpu";
    if (device.deviceClass === "GPU" && device.device === undefined) {
        // a bare count means whole GPUs: keep it off MIG-partitioned and shared nodes too
        const whole = [profile.gpu?.unpartitioned, profile.gpu?.sharing?.unshared].filter(
            (r): r is NodeSelectorRequirement => r !== undefined,
        );
        return {
            ...EMPTY_PLACEMENT,
            resources: { [profile.anyGpu.resource]: String(device.quantity) },
            terms: whole.length ? [whole] : [],
            tolerations: profile.anyGpu.tolerations,
        };
    }
    const rules = profile[FAMILY_RULES[device.deviceClass]] as DeviceRules | undefined;
    if (!rules) {
        const supported = (Object.keys(FAMILY_RULES) as DeviceClass[])
            .filter((c) => profile[FAMILY_RULES[c]])
            .map((c) => FAMILY_NAMES[c]);
        throw new ValidationError(
            field,
            device.device,
            `profile "${profile.name}" cannot schedule ${FAMILY_NAMES[device.deviceClass]}; it supports ${supported.join(", ") || "no accelerators"}`,
        );
    }
    const rows = catalogRows(device.deviceClass, profile.deviceValues);
    const shared = device.deviceClass === "GPU" ? sharedGpu(device.device) : undefined;
    if (shared) return placeSharedGpu(profile, rules as GpuRules, device, rows, gpuModel(shared.model)!.name, field);
    const row = rows.find((r) => r.name === device.device)!;
    const terms = selectorTerms(rules, row, rows);
    if (terms.length === 0) throw noLabel(profile, rules, device, rows, field);
    switch (device.deviceClass) {
        case "GPU":
            return placeGpu(profile, rules as GpuRules, device, terms, options, field);
        case "TPU":
            return placeTpu(profile, rules as TpuRules, device, terms, field);
        case "NEURON": {
            const n = rules as NeuronRules;
            const cores = rowCores(device);
            const resources =
                n.unit === "core"
                    ? { [n.coreResource]: String(device.quantity * cores) }
                    : { [n.resource]: String(device.quantity) };
            return finish(profile, rules, resources, terms, 1);
        }
        default:
            return finish(profile, rules, { [rules.resource]: String(device.quantity) }, terms, 1);
    }
}

function noLabel(
    profile: SchedulingProfile,
    rules: DeviceRules,
    device: Device,
    rows: readonly CatalogRow[],
    field: string,
): ValidationError {
    const placeable = rows.filter((r) => selectorTerms(rules, r, rows).length > 0).map((r) => JSON.stringify(r.name));
    return new ValidationError(
        field,
        device.device,
        `profile "${profile.name}" has no node label for ${device.device}; it can place ${placeable.join(", ") || "none"} (add the value with a custom profile's deviceValues)`,
    );
}

/**
 * One share of a time-sliced (or MPS) GPU: the model's labels, narrowed to the pools
 * the flavour marks as shared, and the family's (or the sharing rules') resource.
 */
function placeSharedGpu(
    profile: SchedulingProfile,
    rules: GpuRules,
    device: Device,
    rows: readonly CatalogRow[],
    model: string,
    field: string,
): Placement {
    const sharing: SharingRules | undefined = rules.sharing;
    if (!sharing) {
        throw new ValidationError(
            field,
            device.device,
            `profile "${profile.name}" cannot place shared GPUs: ${rules.sharingRefusal ?? "it has no convention for time-sliced or MPS GPU pools"} (a custom profile can give one: gpu.sharing)`,
        );
    }
    const modelRow = rows.find((r) => r.name === model)!;
    const suffix = sharing.gfdProductSuffix;
    const row: CatalogRow =
        suffix === undefined
            ? modelRow
            : {
                  ...modelRow,
                  columns: {
                      ...modelRow.columns,
                      gfdProducts: (modelRow.columns.gfdProducts ?? []).map((p) => `${p}${suffix}`),
                  },
              };
    const terms = selectorTerms(rules, row, rows).map((t) => andInto(t, sharing.shared));
    if (terms.length === 0) {
        throw new ValidationError(
            field,
            device.device,
            `profile "${profile.name}" has no node label for ${model}, the GPU of ${device.device} (add the value with a custom profile's deviceValues)`,
        );
    }
    return finish(profile, rules, { [sharing.resource ?? rules.resource]: String(device.quantity) }, terms, 1);
}

function rowCores(device: Device): number {
    return NEURON_DEVICES.find((d) => d.name === device.device)!.coresPerDevice;
}

function placeGpu(
    profile: SchedulingProfile,
    rules: GpuRules,
    device: Device,
    terms: NodeSelectorRequirement[][],
    options: PlaceOptions,
    field: string,
): Placement {
    const strategy = options.migStrategy ?? rules.migStrategies[0];
    if (!rules.migStrategies.includes(strategy)) {
        throw new ValidationError(
            "migStrategy",
            strategy,
            `profile "${profile.name}" supports MIG strategies ${rules.migStrategies.map((s) => JSON.stringify(s)).join(", ")}`,
        );
    }
    let resource = rules.resource;
    if (device.partition === undefined) {
        if (rules.unpartitioned) terms = terms.map((t) => andInto(t, [rules.unpartitioned!]));
    } else {
        const profileName = device.partition;
        if (strategy === "mixed") resource = `${rules.mixedResourcePrefix}${profileName.replace(/\+/g, ".")}`;
        const p = rules.partition;
        if (p.kind === "label") {
            if (strategy === "single")
                terms = terms.map((t) => andInto(t, [{ key: p.key, operator: "In", values: [profileName] }]));
        } else {
            const row = catalogRows("GPU", profile.deviceValues).find((r) => r.name === device.device)!;
            const products = [...(row.columns.gfdProducts ?? [])];
            if (products.length === 0)
                throw new ValidationError(
                    field,
                    device.device,
                    `profile "${profile.name}" selects MIG slices by nvidia.com/gpu.product and has no product name for ${device.device}`,
                );
            const values = strategy === "single" ? products.map((v) => `${v}-MIG-${profileName}`) : products;
            terms = terms.map((t) =>
                andInto(
                    t.filter((r) => r.key !== p.productKey),
                    [
                        { key: p.productKey, operator: "In", values },
                        { key: p.strategyKey, operator: "In", values: [strategy] },
                    ],
                ),
            );
        }
    }
    // whole GPUs and MIG slices stay off the pools that share their GPUs
    const unshared = rules.sharing?.unshared;
    if (unshared) terms = terms.map((t) => andInto(t, [unshared]));
    return finish(profile, rules, { [resource]: String(device.quantity) }, terms, 1);
}

function placeTpu(
    profile: SchedulingProfile,
    rules: TpuRules,
    device: Device,
    terms: NodeSelectorRequirement[][],
    field: string,
): Placement {
    const gen = tpuGeneration(device.device!)!;
    if (device.partition === undefined) {
        if (rules.requireTopology) {
            throw new ValidationError(
                `${field}.partition`,
                undefined,
                `profile "${profile.name}" schedules TPUs by topology: give TPU({ device: "${gen.name}", partition }) one of ${gen.topologies.join(", ")}`,
            );
        }
        return finish(profile, rules, { [rules.resource]: String(device.quantity) }, terms, 1);
    }
    const chips = topologyChips(device.partition);
    const perHost = gen.chipsPerHost(chips);
    const hosts = Math.ceil(chips / perHost);
    terms = terms.map((t) => andInto(t, [{ key: rules.topologyLabel, operator: "In", values: [device.partition!] }]));
    return finish(profile, rules, { [rules.resource]: String(perHost) }, terms, hosts);
}

/** Resolves a family's selector alternatives for one device row. */
function selectorTerms(rules: DeviceRules, row: CatalogRow, rows: readonly CatalogRow[]): NodeSelectorRequirement[][] {
    const terms: NodeSelectorRequirement[][] = [];
    for (const alternative of rules.selectors) {
        const term = resolveAlternative(alternative, row, rows);
        if (term) terms.push(term);
    }
    return terms;
}

function resolveAlternative(
    rules: LabelRule[],
    row: CatalogRow,
    rows: readonly CatalogRow[],
): NodeSelectorRequirement[] | undefined {
    const term: NodeSelectorRequirement[] = [];
    for (const rule of rules) {
        if (rule.value !== undefined) {
            term.push({ key: rule.key, operator: "In", values: [rule.value] });
        } else if (rule.column) {
            const values = row.columns[rule.column] ?? [];
            if (values.length === 0) return undefined;
            if (rule.onlyIfShared && sharing(row, rows, rule.onlyIfShared).length === 0) continue;
            term.push({ key: rule.key, operator: "In", values: [...values] });
        } else if (rule.memoryBoundsIfShared) {
            term.push(...memoryBounds(rule.key, row, sharing(row, rows, rule.memoryBoundsIfShared)));
        }
    }
    return term;
}

/** Other rows with a value in common with `row` in `column`. */
function sharing(row: CatalogRow, rows: readonly CatalogRow[], column: keyof CatalogRow["columns"]): CatalogRow[] {
    const mine = row.columns[column] ?? [];
    if (mine.length === 0) return [];
    return rows.filter((r) => r !== row && (r.columns[column] ?? []).some((v) => mine.includes(v)));
}

/** Gt/Lt bounds midway to the nearest smaller and larger memory among rows sharing a label value. */
function memoryBounds(key: string, row: CatalogRow, others: CatalogRow[]): NodeSelectorRequirement[] {
    if (others.length === 0 || row.memoryMiB === undefined) return [];
    const mem = row.memoryMiB;
    const smaller = others.map((r) => r.memoryMiB!).filter((m) => m < mem);
    const larger = others.map((r) => r.memoryMiB!).filter((m) => m > mem);
    const out: NodeSelectorRequirement[] = [];
    if (smaller.length)
        out.push({ key, operator: "Gt", values: [String(Math.floor((Math.max(...smaller) + mem) / 2))] });
    if (larger.length) out.push({ key, operator: "Lt", values: [String(Math.floor((Math.min(...larger) + mem) / 2))] });
    return out;
}

/** Builds the placement: single-valued equality labels go to nodeSelector when the profile prefers it. */
function finish(
    profile: SchedulingProfile,
    rules: DeviceRules,
    resources: Record<string, string>,
    terms: NodeSelectorRequirement[][],
    hosts: number,
): Placement {
    const tolerations: Toleration[] = [...rules.tolerations];
    if (rules.tolerateSelectedLabels) {
        for (const term of terms)
            for (const r of term) {
                if (r.operator !== "In" || !r.values) continue;
                tolerations.push(
                    r.values.length === 1
                        ? { key: r.key, operator: "Equal", value: r.values[0], effect: "NoSchedule" }
                        : { key: r.key, operator: "Exists", effect: "NoSchedule" },
                );
            }
    }
    let nodeSelector: Record<string, string> = {};
    if (profile.preferNodeSelector && terms.length === 1) {
        const [term] = terms;
        const equality = term.filter((r) => r.operator === "In" && r.values?.length === 1);
        nodeSelector = Object.fromEntries(equality.map((r) => [r.key, r.values![0]]));
        const rest = term.filter((r) => !equality.includes(r));
        terms = rest.length ? [rest] : [];
    }
    return { resources, nodeSelector, terms, tolerations: dedupe(tolerations), hosts };
}

/** Placement for the capacity type: spot for interruptible tasks, off spot otherwise. */
export function placeCapacity(profile: SchedulingProfile, interruptible: boolean): Placement {
    const c = profile.capacity;
    if (interruptible)
        return { ...EMPTY_PLACEMENT, nodeSelector: { ...c.spotNodeSelector }, tolerations: [...c.spotTolerations] };
    return { ...EMPTY_PLACEMENT, terms: c.onDemand.length ? [[...c.onDemand]] : [] };
}

/** Combines placements: resources and selectors merged, affinity terms ANDed pairwise. */
export function combinePlacements(a: Placement, b: Placement): Placement {
    for (const [k, v] of Object.entries(b.nodeSelector)) {
        if (k in a.nodeSelector && a.nodeSelector[k] !== v) {
            throw new ValidationError(
                "nodeSelector",
                { [k]: v },
                `conflicts with ${k}=${a.nodeSelector[k]} required by the same task`,
            );
        }
    }
    return {
        resources: { ...a.resources, ...b.resources },
        nodeSelector: { ...a.nodeSelector, ...b.nodeSelector },
        terms: andTerms(a.terms, b.terms),
        tolerations: dedupe([...a.tolerations, ...b.tolerations]),
        hosts: Math.max(a.hosts, b.hosts),
    };
}

/** (A1 or A2) and (B1 or B2) = A1B1 or A1B2 or A2B1 or A2B2; an empty side means "anything". */
export function andTerms(
    a: readonly (readonly NodeSelectorRequirement[])[],
    b: readonly (readonly NodeSelectorRequirement[])[],
): NodeSelectorRequirement[][] {
    if (a.length === 0) return b.map((t) => [...t]);
    if (b.length === 0) return a.map((t) => [...t]);
    const out: NodeSelectorRequirement[][] = [];
    for (const x of a) for (const y of b) out.push(andInto(x, y));
    return out;
}

/** ANDs requirements into a term, skipping ones already present (idempotent). */
export function andInto(
    term: readonly NodeSelectorRequirement[],
    extra: readonly NodeSelectorRequirement[],
): NodeSelectorRequirement[] {
    const out = [...term];
    for (const r of extra) if (!out.some((o) => sameRequirement(o, r))) out.push(r);
    return out;
}

export function sameRequirement(a: NodeSelectorRequirement, b: NodeSelectorRequirement): boolean {
    return (
        a.key === b.key &&
        a.operator === b.operator &&
        JSON.stringify(a.values ?? []) === JSON.stringify(b.values ?? [])
    );
}

export function dedupe(tolerations: readonly Toleration[]): Toleration[] {
    const seen = new Set<string>();
    const out: Toleration[] = [];
    for (const t of tolerations) {
        const key = JSON.stringify([
            t.key ?? "",
            t.operator ?? "Equal",
            t.value ?? "",
            t.effect ?? "",
            t.tolerationSeconds ?? "",
        ]);
        if (!seen.has(key)) {
            seen.add(key);
            out.push(t);
        }
    }
    return out;
}
