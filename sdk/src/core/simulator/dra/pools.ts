/**
 * The resource pools a node can draw devices from, as the structured allocator
 * gathers them (GatherPools in k8s.io/dynamic-resource-allocation/structured): slices
 * published for the node (nodeName, nodeSelector, allNodes, or per device), the newest
 * generation of each pool, incomplete pools (not all of `resourceSliceCount` slices
 * published yet) and invalid ones (duplicate device names, unknown counter sets),
 * counter sets of partitionable devices, sorted by driver and pool name with pools
 * whose devices have binding conditions last.
 */
import { matchesRequirement } from "../fit";
import type { CounterSet, Device, NodeSelector, ResourceSlice } from "./dra-objects";

/** The node as pool selection sees it. */
export interface PoolNode {
    name: string;
    labels: Readonly<Record<string, string>>;
}

export interface Pool {
    driver: string;
    pool: string;
    incomplete: boolean;
    invalid?: string;
    /** Slices with devices that target the node, sorted by name. */
    slices: ResourceSlice[];
    /** Devices of the pool in slices that do not target the node (they still consume counters). */
    otherSlices: ResourceSlice[];
    counterSets: Map<string, CounterSet>;
}

/** NodeMatches: a node name, all nodes, or a node selector (terms ORed, requirements ANDed). */
export function nodeMatches(
    node: PoolNode,
    nodeName: string | undefined,
    allNodes: boolean | undefined,
    selector: NodeSelector | undefined,
): boolean {
    if (nodeName) return node.name === nodeName;
    if (allNodes) return true;
    if (selector) {
        return (selector.nodeSelectorTerms ?? []).some((term) => {
            const exprs = term.matchExpressions ?? [];
            const fields = term.matchFields ?? [];
            if (exprs.length + fields.length === 0) return false;
            return (
                exprs.every((r) => matchesRequirement(r, node.labels)) &&
                fields.every((f) => {
                    const values = f.values ?? [];
                    if (f.key !== "metadata.name" || values.length !== 1) return false;
                    return f.operator === "In"
                        ? node.name === values[0]
                        : f.operator === "NotIn" && node.name !== values[0];
                })
            );
        });
    }
    return false;
}

function relevant(slice: ResourceSlice, node: PoolNode): boolean {
    const s = slice.spec;
    if (s.nodeName || s.allNodes || s.nodeSelector) return nodeMatches(node, s.nodeName, s.allNodes, s.nodeSelector);
    if (s.perDeviceNodeSelection)
        return (s.devices ?? []).some((d) => nodeMatches(node, d.nodeName, d.allNodes, d.nodeSelector));
    return false;
}

const key = (driver: string, pool: string) => `${driver}\u0000${pool}`;
const byName = (a: ResourceSlice, b: ResourceSlice) => (a.metadata?.name ?? "").localeCompare(b.metadata?.name ?? "");

export function gatherPools(node: PoolNode, allSlices: readonly ResourceSlice[]): Pool[] {
    const byPool = new Map<string, ResourceSlice[]>();
    for (const slice of allSlices) {
        if (!relevant(slice, node)) continue;
        const k = key(slice.spec.driver, slice.spec.pool.name);
        const current = byPool.get(k);
        if (!current || slice.spec.pool.generation > current[0].spec.pool.generation) byPool.set(k, [slice]);
        else if (slice.spec.pool.generation === current[0].spec.pool.generation) current.push(slice);
    }
    const ready: Pool[] = [];
    const withBindingConditions: Pool[] = [];
    for (const slices of byPool.values()) {
        const { driver, pool } = { driver: slices[0].spec.driver, pool: slices[0].spec.pool.name };
        const generation = slices[0].spec.pool.generation;
        const wanted = slices[0].spec.pool.resourceSliceCount;
        let all: ResourceSlice[] | undefined;
        if (slices.length !== wanted) {
            const ofPool = allSlices.filter((s) => s.spec.driver === driver && s.spec.pool.name === pool);
            if (ofPool.some((s) => s.spec.pool.generation > generation)) continue; // obsolete
            all = ofPool.filter((s) => s.spec.pool.generation === generation);
            if (all.length !== wanted) {
                ready.push({ driver, pool, incomplete: true, slices: [], otherSlices: [], counterSets: new Map() });
                continue;
            }
        }
        const built = buildPool(driver, pool, slices, all);
        const hasBinding = built.slices.some((s) => (s.spec.devices ?? []).some((d) => d.bindingConditions));
        (hasBinding ? withBindingConditions : ready).push(built);
    }
    const order = (a: Pool, b: Pool) => a.driver.localeCompare(b.driver) || a.pool.localeCompare(b.pool);
    return [...ready.sort(order), ...withBindingConditions.sort(order)];
}

function buildPool(driver: string, pool: string, targeting: ResourceSlice[], all?: ResourceSlice[]): Pool {
    const sorted = [...targeting].sort(byName);
    const counterSlices = sorted.filter((s) => (s.spec.sharedCounters ?? []).length > 0);
    const deviceSlices = sorted.filter((s) => !((s.spec.sharedCounters ?? []).length > 0));
    const otherSlices: ResourceSlice[] = [];
    if (all && all.length > targeting.length) {
        const names = new Set(targeting.map((s) => s.metadata?.name));
        for (const s of all) {
            if (names.has(s.metadata?.name)) continue;
            if ((s.spec.sharedCounters ?? []).length > 0) counterSlices.push(s);
            else otherSlices.push(s);
        }
    }
    const invalid = (reason: string): Pool => ({
        driver,
        pool,
        incomplete: false,
        invalid: reason,
        slices: [],
        otherSlices: [],
        counterSets: new Map(),
    });
    const names = new Set<string>();
    for (const s of deviceSlices)
        for (const d of s.spec.devices ?? []) {
            if (names.has(d.name)) return invalid(`duplicate device name ${d.name}`);
            names.add(d.name);
        }
    const counterSets = new Map<string, CounterSet>();
    for (const s of counterSlices)
        for (const set of s.spec.sharedCounters ?? []) {
            if (counterSets.has(set.name)) return invalid(`duplicate counter set name ${set.name}`);
            counterSets.set(set.name, set);
        }
    for (const s of [...deviceSlices, ...otherSlices])
        for (const d of s.spec.devices ?? [])
            for (const use of d.consumesCounters ?? []) {
                const set = counterSets.get(use.counterSet);
                if (!set) return invalid(`counter set ${use.counterSet} not found`);
                for (const name of Object.keys(use.counters ?? {}))
                    if (!(name in set.counters)) return invalid(`counter ${name} not found in counter set ${set.name}`);
            }
    return { driver, pool, incomplete: false, slices: deviceSlices, otherSlices, counterSets };
}

/** Devices of a slice usable on the node (per-device node selection filters them). */
export function devicesFor(slice: ResourceSlice, node: PoolNode): Device[] {
    const devices = slice.spec.devices ?? [];
    if (!slice.spec.perDeviceNodeSelection) return devices;
    return devices.filter((d) => nodeMatches(node, d.nodeName, d.allNodes, d.nodeSelector));
}
