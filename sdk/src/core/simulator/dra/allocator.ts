/**
 * Can these claims get their devices on this node? The structured allocator's search
 * (k8s.io/dynamic-resource-allocation/structured, the "incubating" implementation
 * the v1.37 scheduler uses with its default features), as a pure function:
 *
 * - claims in order, each request in order, each device of a request in turn; a
 *   `firstAvailable` request tries its subrequests in order and keeps the first
 *   that works out; the first complete solution wins (depth-first, backtracking);
 * - a candidate device must not be allocated already (by a claim of the cluster, or
 *   earlier in this search), must match the class's selectors and then the
 *   request's (CEL), must be available on the node, must not carry an untolerated
 *   NoSchedule/NoExecute taint, must leave every counter of its pool's counter sets
 *   non-negative (partitionable devices: a whole GPU and its MIG slices consume the
 *   same counters), and must keep the claim's constraints (matchAttribute,
 *   distinctAttribute);
 * - `allocationMode: All` takes every matching device of the node, and needs the
 *   pools complete;
 * - a CEL runtime error, a missing class, or "all" devices from an incomplete pool
 *   stop the search with an error: the scheduler then fails the pod, not the node.
 *
 * Not simulated (reported as unsupported): consumable capacity (requests with
 * `capacity`, devices with `allowMultipleAllocations`) and the alpha features.
 */
import { tryParseQuantity } from "../../quantity";
import { CompiledSelector, SelectorOutcome, compileSelector } from "./cel";
import { Pool, PoolNode, devicesFor, gatherPools } from "./pools";
import {
    Device,
    DeviceAttribute,
    DeviceClass,
    DeviceConstraint,
    DeviceRequestFields,
    DeviceTaint,
    DeviceToleration,
    ResourceClaimSpec,
    ResourceSlice,
    deviceId,
} from "./dra-objects";

/** The API's limit on devices in one claim's allocation. */
export const ALLOCATION_RESULTS_MAX_SIZE = 32;

/**
 * Steps of the search before the simulation gives up (the scheduler's own bound is a
 * 10 s filter timeout, DRASchedulerFilterTimeout).
 */
export const SEARCH_STEP_LIMIT = 200_000;

export interface AllocatedDevice {
    /** The request's name, or "request/subrequest". */
    request: string;
    driver: string;
    pool: string;
    device: string;
}

export type AllocationOutcome =
    | { kind: "allocated"; claims: AllocatedDevice[][] }
    /** No way to allocate every claim on this node ("cannot allocate all claims"). */
    | { kind: "unallocatable" }
    /** Only this node fails, with this message (the scheduler's ErrFailedAllocationOnNode). */
    | { kind: "failedOnNode"; message: string }
    /** The scheduler aborts the pod's attempt with this error. */
    | { kind: "error"; message: string }
    /** The simulation cannot tell. */
    | { kind: "unsupported"; message: string };

/** What the allocator knows of the cluster: classes, slices, devices in use; CEL compiled once. */
export class AllocatorState {
    readonly classes: Map<string, DeviceClass>;
    readonly slices: readonly ResourceSlice[];
    readonly allocated: ReadonlySet<string>;
    private readonly compiled = new Map<string, CompiledSelector>();
    /** A selector's outcome on a device is a pure function of both: evaluated once per program. */
    private readonly outcomes = new Map<string, Map<Device, SelectorOutcome>>();
    /** The pools of each node (a function of the node and the slices): gathered once per program. */
    private readonly poolsByNode = new Map<PoolNode, Pool[]>();

    constructor(classes: readonly DeviceClass[], slices: readonly ResourceSlice[], allocated: ReadonlySet<string>) {
        this.classes = new Map(classes.map((c) => [c.metadata.name, c]));
        this.slices = slices;
        this.allocated = allocated;
    }

    selector(expression: string): CompiledSelector {
        let s = this.compiled.get(expression);
        if (!s) this.compiled.set(expression, (s = compileSelector(expression)));
        return s;
    }

    pools(node: PoolNode): Pool[] {
        let pools = this.poolsByNode.get(node);
        if (!pools) this.poolsByNode.set(node, (pools = gatherPools(node, this.slices)));
        return pools;
    }

    /** `expression` on `device` (a device object of this snapshot's slices: one version of one device). */
    evaluate(expression: string, driver: string, device: Device): SelectorOutcome {
        let byDevice = this.outcomes.get(expression);
        if (!byDevice) this.outcomes.set(expression, (byDevice = new Map()));
        let outcome = byDevice.get(device);
        if (!outcome) byDevice.set(device, (outcome = this.selector(expression).evaluate(driver, device)));
        return outcome;
    }
}

/** A claim to allocate: its name for messages (e.g. "default/train-gpu-x7k2") and its spec. */
export interface ClaimToAllocate {
    name: string;
    spec: ResourceClaimSpec;
}

interface RequestData {
    claim: number;
    /** Full name: request, or "request/subrequest". */
    name: string;
    base: string;
    sub?: string;
    fields: DeviceRequestFields;
    class: DeviceClass;
    count: number;
    /** allocationMode All: the devices, fixed up front. */
    all?: Candidate[];
}

interface Candidate {
    id: string;
    device: Device;
    pool: Pool;
    slice: ResourceSlice;
    driver: string;
}

/** Raised inside the search: ends it with this outcome. */
class Stop {
    constructor(readonly outcome: AllocationOutcome) {}
}

export function allocate(state: AllocatorState, node: PoolNode, claims: readonly ClaimToAllocate[]): AllocationOutcome {
    try {
        return new Search(state, node, claims).run();
    } catch (err) {
        if (err instanceof Stop) return err.outcome;
        throw err;
    }
}

class Search {
    private readonly pools: Pool[];
    /** Per claim, per request: the request data (one entry per subrequest for firstAvailable). */
    private readonly requests: RequestData[][][] = [];
    private readonly constraints: Constraint[][] = [];
    private readonly allocating = new Map<string, Set<number>>();
    private readonly results: AllocatedDevice[][];
    private readonly matchCache = new Map<string, boolean>();
    private readonly available = new Map<Pool, Map<string, Map<string, bigint>>>();
    private readonly consumed = new Map<Pool, Map<string, Map<string, bigint>>>();
    private steps = 0;

    constructor(
        private readonly state: AllocatorState,
        private readonly node: PoolNode,
        private readonly claims: readonly ClaimToAllocate[],
    ) {
        this.pools = state.pools(node);
        this.results = claims.map(() => []);
    }

    run(): AllocationOutcome {
        this.claims.forEach((claim, c) => this.prepare(claim, c));
        // a request that has fewer candidate devices than it asks for cannot be met: no need to search
        if (this.requests.some((claim) => claim.some((alternatives) => alternatives.every((r) => !this.enough(r)))))
            return this.pools.some((p) => p.invalid)
                ? { kind: "failedOnNode", message: "invalid resource pools were encountered" }
                : { kind: "unallocatable" };
        if (!this.allocateOne(0, 0, 0, 0, false, undefined)) {
            const invalid = this.pools.find((p) => p.invalid);
            if (invalid) return { kind: "failedOnNode", message: "invalid resource pools were encountered" };
            return { kind: "unallocatable" };
        }
        return { kind: "allocated", claims: this.results.map((r) => [...r]) };
    }

    private prepare(claim: ClaimToAllocate, c: number): void {
        const perRequest: RequestData[][] = [];
        let minTotal = 0;
        for (const request of claim.spec.devices?.requests ?? []) {
            const alternatives: RequestData[] = [];
            if (request.firstAvailable?.length) {
                for (const sub of request.firstAvailable)
                    alternatives.push(this.requestData(claim, c, request.name, sub.name, sub));
            } else if (request.exactly) {
                alternatives.push(this.requestData(claim, c, request.name, undefined, request.exactly));
            } else {
                throw new Stop({
                    kind: "error",
                    message: `claim ${claim.name}, request ${request.name}: unknown request type`,
                });
            }
            const min = Math.min(...alternatives.map((a) => a.count));
            if (min > ALLOCATION_RESULTS_MAX_SIZE - minTotal)
                throw new Stop({
                    kind: "error",
                    message: `claim ${claim.name}, request ${request.name}: adding ${min} devices exceeds the claim limit of ${ALLOCATION_RESULTS_MAX_SIZE}, with ${minTotal} already accounted for`,
                });
            minTotal += min;
            perRequest.push(alternatives);
        }
        this.requests[c] = perRequest;
        this.constraints[c] = (claim.spec.devices?.constraints ?? []).map((k, i) => {
            if (k.matchAttribute) return new MatchAttribute(k, k.matchAttribute);
            if (k.distinctAttribute) return new DistinctAttribute(k, k.distinctAttribute);
            throw new Stop({
                kind: "error",
                message: `claim ${claim.name}, constraint #${i}: empty constraint (unsupported constraint type?)`,
            });
        });
    }

    /**
     * Are there at least as many free, matching devices as the request asks for (a
     * necessary condition)? An error on the way is left to the search, which meets
     * errors in the scheduler's order.
     */
    private enough(request: RequestData): boolean {
        if (request.all) return request.all.length > 0;
        let found = 0;
        try {
            for (const pool of this.pools) {
                if (pool.incomplete || pool.invalid) continue;
                for (const candidate of this.candidates(pool)) {
                    if (!request.fields.adminAccess && this.state.allocated.has(candidate.id)) continue;
                    if (this.selectable(request, candidate) && ++found >= request.count) return true;
                }
            }
        } catch (err) {
            if (err instanceof Stop) return true;
            throw err;
        }
        return false;
    }

    private requestData(
        claim: ClaimToAllocate,
        c: number,
        base: string,
        sub: string | undefined,
        fields: DeviceRequestFields,
    ): RequestData {
        const name = sub ? `${base}/${sub}` : base;
        if (fields.capacity?.requests && Object.keys(fields.capacity.requests).length)
            throw new Stop({
                kind: "unsupported",
                message: `claim ${claim.name}, request ${name} asks for device capacity (consumable capacity is not simulated)`,
            });
        for (const [i, s] of (fields.selectors ?? []).entries())
            if (!s.cel)
                throw new Stop({
                    kind: "error",
                    message: `claim ${claim.name}, request ${name}, selector #${i}: CEL expression empty (unsupported selector type?)`,
                });
        const cls = this.state.classes.get(fields.deviceClassName);
        if (!cls)
            throw new Stop({
                kind: "error",
                message: `claim ${claim.name}, request ${name}: could not retrieve device class ${fields.deviceClassName}: deviceclass.resource.k8s.io "${fields.deviceClassName}" not found`,
            });
        const data: RequestData = { claim: c, name, base, sub, fields, class: cls, count: 0 };
        if ((fields.allocationMode ?? "ExactCount") === "All") {
            data.all = [];
            for (const pool of this.pools) {
                if (pool.incomplete)
                    throw new Stop({
                        kind: "error",
                        message: `claim ${claim.name}, request ${name}: asks for all devices, but resource pool ${pool.driver}/${pool.pool} is currently being updated`,
                    });
                if (pool.invalid)
                    throw new Stop({
                        kind: "error",
                        message: `claim ${claim.name}, request ${name}: asks for all devices, but resource pool ${pool.driver}/${pool.pool} is currently invalid`,
                    });
                for (const candidate of this.candidates(pool))
                    if (this.selectable(data, candidate)) data.all.push(candidate);
            }
            data.count = data.all.length;
        } else {
            data.count = fields.count ?? 1;
        }
        return data;
    }

    private *candidates(pool: Pool): Generator<Candidate> {
        for (const slice of pool.slices)
            for (const device of devicesFor(slice, this.node)) {
                if (device.allowMultipleAllocations)
                    throw new Stop({
                        kind: "unsupported",
                        message: `device ${deviceId(pool.driver, pool.pool, device.name)} allows multiple allocations (consumable capacity is not simulated)`,
                    });
                yield {
                    id: deviceId(pool.driver, pool.pool, device.name),
                    device,
                    pool,
                    slice,
                    driver: pool.driver,
                };
            }
    }

    /**
     * allocateOne: find a device for device index `d` of request `r` (subrequest `s`)
     * of claim `c`; true when everything after it could be allocated too. `start` is
     * where the previous device of the same request was found (combinations, not
     * permutations).
     */
    private allocateOne(
        c: number,
        r: number,
        s: number,
        d: number,
        inSubRequest: boolean,
        start: { pool: number; slice: number; device: number } | undefined,
    ): boolean {
        if (++this.steps > SEARCH_STEP_LIMIT)
            throw new Stop({
                kind: "unsupported",
                message: `the search for devices took more than ${SEARCH_STEP_LIMIT} steps on node ${this.node.name}`,
            });
        if (c >= this.claims.length) return true;
        const claimRequests = this.requests[c];
        if (r >= claimRequests.length) return this.allocateOne(c + 1, 0, 0, 0, false, undefined);
        const alternatives = claimRequests[r];
        if (!inSubRequest && alternatives[0].sub !== undefined) {
            for (let i = 0; i < alternatives.length; i++)
                if (this.allocateOne(c, r, i, 0, true, undefined)) return true;
            return false;
        }
        const request = alternatives[s];
        if (request.all && request.all.length === 0) return false;
        if (d >= request.count) return this.allocateOne(c, r + 1, 0, 0, false, undefined);
        if (request.count - d > ALLOCATION_RESULTS_MAX_SIZE - this.results[c].length) return false;

        if (request.all) {
            const undo = this.allocateDevice(request, request.all[d], true);
            if (!undo) return false;
            if (this.allocateOne(c, r, s, d + 1, inSubRequest, undefined)) return true;
            undo();
            return false;
        }
        return this.tryDevices(c, r, s, d, inSubRequest, start, request);
    }

    /** Device `d` of the request from the pools' devices in order, from `start` on (the search's next step on each that fits). */
    private tryDevices(
        c: number,
        r: number,
        s: number,
        d: number,
        inSubRequest: boolean,
        start: { pool: number; slice: number; device: number } | undefined,
        request: RequestData,
    ): boolean {
        for (let p = start?.pool ?? 0; p < this.pools.length; p++) {
            const pool = this.pools[p];
            if (pool.incomplete || pool.invalid) continue;
            for (let sl = p === start?.pool ? start.slice : 0; sl < pool.slices.length; sl++) {
                const slice = pool.slices[sl];
                const devices = slice.spec.devices ?? [];
                const first = p === start?.pool && sl === start.slice ? start.device : 0;
                for (let dv = first; dv < devices.length; dv++) {
                    const device = devices[dv];
                    if (slice.spec.perDeviceNodeSelection && !devicesFor(slice, this.node).includes(device)) continue;
                    if (device.allowMultipleAllocations)
                        throw new Stop({
                            kind: "unsupported",
                            message: `device ${deviceId(pool.driver, pool.pool, device.name)} allows multiple allocations (consumable capacity is not simulated)`,
                        });
                    const candidate: Candidate = {
                        id: deviceId(pool.driver, pool.pool, device.name),
                        device,
                        pool,
                        slice,
                        driver: pool.driver,
                    };
                    if (!request.fields.adminAccess && this.inUse(candidate.id)) continue;
                    if (request.fields.adminAccess && this.allocating.get(candidate.id)?.has(c)) continue;
                    if (!this.selectable(request, candidate)) continue;
                    const undo = this.allocateDevice(request, candidate, false);
                    if (!undo) continue;
                    if (this.allocateOne(c, r, s, d + 1, inSubRequest, { pool: p, slice: sl, device: dv + 1 }))
                        return true;
                    undo();
                }
            }
        }
        return false;
    }

    private inUse(id: string): boolean {
        return this.state.allocated.has(id) || (this.allocating.get(id)?.size ?? 0) > 0;
    }

    /** Class selectors, then the request's (a runtime error stops the search); per-device node selection. */
    private selectable(request: RequestData, candidate: Candidate): boolean {
        const cacheKey = `${request.claim}\u0000${request.name}\u0000${candidate.id}`;
        const cached = this.matchCache.get(cacheKey);
        if (cached !== undefined) return cached;
        const claimName = this.claims[request.claim].name;
        const check = (selectors: readonly { cel?: { expression: string } }[], owner: string) => {
            for (const [i, sel] of selectors.entries()) {
                const outcome = this.state.evaluate(sel.cel!.expression, candidate.driver, candidate.device);
                if (outcome.kind === "value") {
                    if (!outcome.matches) return false;
                    continue;
                }
                const where = `${owner}: selector #${i} on device ${candidate.id}`;
                if (outcome.kind === "unsupported")
                    throw new Stop({ kind: "unsupported", message: `${where}: ${outcome.message}` });
                throw new Stop({ kind: "error", message: `${where}: CEL runtime error: ${outcome.message}` });
            }
            return true;
        };
        const matches =
            check(request.class.spec?.selectors ?? [], `class ${request.class.metadata.name}`) &&
            check(request.fields.selectors ?? [], `claim ${claimName}`);
        this.matchCache.set(cacheKey, matches);
        return matches;
    }

    /** allocateDevice: availability, counters, taints, constraints; returns how to undo it, or undefined. */
    private allocateDevice(request: RequestData, candidate: Candidate, must: boolean): (() => void) | undefined {
        const c = request.claim;
        if (request.fields.adminAccess && this.allocating.get(candidate.id)?.has(c)) return undefined;
        if (!request.fields.adminAccess && this.inUse(candidate.id)) return undefined;
        const undos: (() => void)[] = [];
        const rollback = () => undos.reverse().forEach((u) => u());
        if ((candidate.device.consumesCounters ?? []).length) {
            if (!this.reserveCounters(candidate)) return undefined;
            undos.push(() => this.releaseCounters(candidate));
        }
        if (taintPrevents(candidate.device.taints ?? [], request.fields.tolerations ?? [])) {
            rollback();
            return undefined;
        }
        for (const constraint of this.constraints[c]) {
            if (!constraint.add(request.base, request.sub, candidate)) {
                rollback();
                if (must)
                    throw new Stop({
                        kind: "error",
                        message: `claim ${this.claims[c].name}, request ${request.name}: cannot add device ${candidate.id} because a claim constraint would not be satisfied`,
                    });
                return undefined;
            }
            undos.push(() => constraint.remove(request.base, request.sub));
        }
        let holders = this.allocating.get(candidate.id);
        if (!holders) this.allocating.set(candidate.id, (holders = new Set()));
        holders.add(c);
        undos.push(() => holders!.delete(c));
        this.results[c].push({
            request: request.name,
            driver: candidate.driver,
            pool: candidate.pool.pool,
            device: candidate.device.name,
        });
        undos.push(() => this.results[c].pop());
        return rollback;
    }

    /** checkAvailableCounters: the pool's counters less what allocated devices and this search consume. */
    private reserveCounters(candidate: Candidate): boolean {
        const pool = candidate.pool;
        let available = this.available.get(pool);
        if (!available) {
            available = new Map();
            for (const set of pool.counterSets.values())
                available.set(set.name, new Map(Object.entries(set.counters).map(([n, v]) => [n, nanos(v.value)])));
            for (const slice of [...pool.slices, ...pool.otherSlices])
                for (const device of slice.spec.devices ?? []) {
                    if (!this.state.allocated.has(deviceId(pool.driver, pool.pool, device.name))) continue;
                    for (const use of device.consumesCounters ?? []) {
                        const set = available.get(use.counterSet);
                        for (const [n, v] of Object.entries(use.counters ?? {}))
                            if (set?.has(n)) set.set(n, set.get(n)! - nanos(v.value));
                    }
                }
            this.available.set(pool, available);
        }
        let consumed = this.consumed.get(pool);
        if (!consumed) this.consumed.set(pool, (consumed = new Map()));
        for (const use of candidate.device.consumesCounters ?? []) {
            let set = consumed.get(use.counterSet);
            if (!set) consumed.set(use.counterSet, (set = new Map()));
            for (const [n, v] of Object.entries(use.counters ?? {})) set.set(n, (set.get(n) ?? 0n) + nanos(v.value));
        }
        for (const [setName, counters] of available)
            for (const [n, have] of counters)
                if (have < (consumed.get(setName)?.get(n) ?? 0n)) {
                    this.releaseCounters(candidate);
                    return false;
                }
        return true;
    }

    private releaseCounters(candidate: Candidate): void {
        const consumed = this.consumed.get(candidate.pool)!;
        for (const use of candidate.device.consumesCounters ?? []) {
            const set = consumed.get(use.counterSet)!;
            for (const [n, v] of Object.entries(use.counters ?? {})) set.set(n, set.get(n)! - nanos(v.value));
        }
    }
}

function nanos(text: string): bigint {
    return tryParseQuantity(String(text))?.nanos ?? 0n;
}

// ---------------------------------------------------------------- taints

/** Device taints with NoSchedule or NoExecute keep a device unless the request tolerates them. */
function taintPrevents(taints: readonly DeviceTaint[], tolerations: readonly DeviceToleration[]): boolean {
    return taints.some(
        (taint) =>
            (taint.effect === "NoSchedule" || taint.effect === "NoExecute") &&
            !tolerations.some((t) => tolerates(t, taint)),
    );
}

function tolerates(t: DeviceToleration, taint: DeviceTaint): boolean {
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.key && t.key !== taint.key) return false;
    switch (t.operator ?? "Equal") {
        case "Exists":
            return true;
        case "Equal":
            return (t.value ?? "") === (taint.value ?? "");
        default:
            return false;
    }
}

// ---------------------------------------------------------------- constraints

/** The attribute a constraint names ("domain/id"), looked up as the allocator does. */
function lookupAttribute(candidate: Candidate, name: string): DeviceAttribute | undefined {
    const attrs = candidate.device.attributes ?? {};
    if (name in attrs) return attrs[name];
    const slash = name.indexOf("/");
    if (slash < 0 || name.slice(0, slash) !== candidate.driver) return undefined;
    return attrs[name.slice(slash + 1)];
}

function sameValue(a: DeviceAttribute, b: DeviceAttribute): boolean | undefined {
    if (a.string !== undefined) return b.string !== undefined && a.string === b.string;
    if (a.int !== undefined) return b.int !== undefined && String(a.int) === String(b.int);
    if (a.bool !== undefined) return b.bool !== undefined && a.bool === b.bool;
    if (a.version !== undefined) return b.version !== undefined && a.version === b.version;
    return undefined;
}

interface Constraint {
    add(base: string, sub: string | undefined, candidate: Candidate): boolean;
    remove(base: string, sub: string | undefined): void;
}

abstract class RequestScoped implements Constraint {
    protected readonly names: Set<string>;
    constructor(spec: DeviceConstraint) {
        this.names = new Set(spec.requests ?? []);
    }
    protected applies(base: string, sub: string | undefined): boolean {
        return this.names.size === 0 || this.names.has(base) || (sub !== undefined && this.names.has(`${base}/${sub}`));
    }
    abstract add(base: string, sub: string | undefined, candidate: Candidate): boolean;
    abstract remove(base: string, sub: string | undefined): void;
}

class MatchAttribute extends RequestScoped {
    private value?: DeviceAttribute;
    private count = 0;
    constructor(
        spec: DeviceConstraint,
        private readonly attribute: string,
    ) {
        super(spec);
    }
    add(base: string, sub: string | undefined, candidate: Candidate): boolean {
        if (!this.applies(base, sub)) return true;
        const v = lookupAttribute(candidate, this.attribute);
        if (!v) return false;
        if (this.count === 0) {
            this.value = v;
            this.count = 1;
            return true;
        }
        if (!sameValue(v, this.value!)) return false;
        this.count++;
        return true;
    }
    remove(base: string, sub: string | undefined): void {
        if (this.applies(base, sub)) this.count--;
    }
}

class DistinctAttribute extends RequestScoped {
    private readonly values: DeviceAttribute[] = [];
    constructor(
        spec: DeviceConstraint,
        private readonly attribute: string,
    ) {
        super(spec);
    }
    add(base: string, sub: string | undefined, candidate: Candidate): boolean {
        if (!this.applies(base, sub)) return true;
        const v = lookupAttribute(candidate, this.attribute);
        if (!v) return false;
        for (const seen of this.values) {
            const same = sameValue(v, seen);
            if (same === undefined || same) return false;
        }
        this.values.push(v);
        return true;
    }
    remove(base: string, sub: string | undefined): void {
        if (this.applies(base, sub)) this.values.pop();
    }
}
