/**
 * The scheduler's DynamicResources plugin (pkg/scheduler/framework/plugins/
 * dynamicresources in Kubernetes v1.37), for one pod:
 *
 * PreFilter, once: the pod's claims (from its ResourceClaimTemplates, or existing
 * ResourceClaims of the cluster) and its extended resources that a DeviceClass serves;
 * a request naming a class that does not exist keeps the pod off every node ("request
 * gpu: device class gpu.nvidia.com does not exist").
 *
 * Filter, per node (after the other filters passed): an allocated claim must be
 * available on the node ("resourceclaim not available on the node"); the others, plus
 * one claim for the extended resources the node's allocatable does not have, must be
 * allocatable together on the node ("cannot allocate all claims"). An allocation
 * error (a CEL runtime error, ...) makes the scheduler give up on the pod.
 */
import type { FilterFailure } from "../fit";
import { AllocatorState, ClaimToAllocate, allocate } from "./allocator";
import { ExtendedResourceClasses, extendedResourceClasses, isDraExtendedResourceName } from "./extended";
import { PoolNode, nodeMatches } from "./pools";
import { DraCluster, ResourceClaim, ResourceClaimSpec, deviceId } from "./dra-objects";

export const DRA_REASON = {
    cannotAllocate: "cannot allocate all claims",
    notAvailable: "resourceclaim not available on the node",
} as const;

/** The cluster's DRA objects, prepared once per program for every pod's simulation. */
export interface DraContext {
    readonly allocator: AllocatorState;
    readonly extended: ExtendedResourceClasses;
    readonly claims: readonly ResourceClaim[];
}

export function prepareDra(cluster: DraCluster): DraContext {
    const allocated = new Set<string>();
    for (const claim of cluster.resourceClaims)
        for (const r of claim.status?.allocation?.devices?.results ?? [])
            if (!r.adminAccess) allocated.add(deviceId(r.driver, r.pool, r.device));
    return {
        allocator: new AllocatorState(cluster.deviceClasses, cluster.resourceSlices, allocated),
        extended: extendedResourceClasses(cluster.deviceClasses),
        claims: cluster.resourceClaims,
    };
}

/** The pod's side: its claims, and the templates they are made from. */
export interface DraPod {
    /** The pod's namespace (where its named claims live). */
    namespace?: string;
    /** spec.resourceClaims. */
    resourceClaims?: readonly { name: string; resourceClaimName?: string; resourceClaimTemplateName?: string }[];
    /** ResourceClaimTemplates the pod's claims are made from, by name: their `spec.spec`. */
    templates?: Readonly<Record<string, ResourceClaimSpec>>;
}

interface UserClaim {
    name: string;
    spec: ResourceClaimSpec;
    allocatedOn?: NonNullable<NonNullable<ResourceClaim["status"]>["allocation"]>["nodeSelector"];
    allocated: boolean;
}

export type DraPreFilter =
    | { kind: "skip" }
    /** Every node: the scheduler's PreFilter message. */
    | { kind: "unschedulable"; message: string }
    | { kind: "unsupported"; message: string }
    | { kind: "ready"; claims: UserClaim[]; extended: Map<string, bigint> };

/** PreFilter: what must be allocated for this pod (`requests`: its effective requests, podRequests). */
export function draPreFilter(ctx: DraContext, pod: DraPod, requests: ReadonlyMap<string, bigint>): DraPreFilter {
    const claims: UserClaim[] = [];
    for (const ref of pod.resourceClaims ?? []) {
        if (ref.resourceClaimTemplateName) {
            const spec = pod.templates?.[ref.resourceClaimTemplateName];
            if (!spec)
                return {
                    kind: "unsupported",
                    message: `claim ${ref.name} comes from ResourceClaimTemplate ${ref.resourceClaimTemplateName}, which this program does not declare`,
                };
            claims.push({ name: `${pod.namespace ?? "default"}/${ref.name}`, spec, allocated: false });
        } else if (ref.resourceClaimName) {
            const found = ctx.claims.find(
                (c) =>
                    c.metadata?.name === ref.resourceClaimName &&
                    (c.metadata?.namespace ?? "default") === (pod.namespace ?? "default"),
            );
            if (!found)
                return {
                    kind: "unsupported",
                    message: `ResourceClaim ${pod.namespace ?? "default"}/${ref.resourceClaimName} does not exist yet (the scheduler waits for it)`,
                };
            const allocation = found.status?.allocation;
            claims.push({
                name: `${found.metadata?.namespace ?? "default"}/${found.metadata?.name}`,
                spec: found.spec,
                allocated: !!allocation,
                allocatedOn: allocation?.nodeSelector,
            });
        }
    }
    const extended = new Map<string, bigint>();
    for (const [name, value] of requests)
        if (value > 0n && isDraExtendedResourceName(name) && ctx.extended.has(name)) extended.set(name, value);
    if (!claims.length && !extended.size) return { kind: "skip" };
    for (const claim of claims) {
        if (claim.allocated) continue;
        for (const request of claim.spec.devices?.requests ?? []) {
            const classes = request.exactly
                ? [[request.name, request.exactly.deviceClassName] as const]
                : (request.firstAvailable ?? []).map((s) => [`${request.name}/${s.name}`, s.deviceClassName] as const);
            for (const [name, cls] of classes)
                if (!ctx.allocator.classes.has(cls))
                    return { kind: "unschedulable", message: `request ${name}: device class ${cls} does not exist` };
        }
    }
    return { kind: "ready", claims, extended };
}

export type DraFilterOutcome =
    | { kind: "fits" }
    | { kind: "fails"; failure: FilterFailure }
    /** The scheduler gives up on the pod (an error, not "unschedulable"). */
    | { kind: "error"; message: string }
    | { kind: "unsupported"; message: string };

/** Filter on one node (`allocatable`: the node's allocatable extended resources, in units). */
export function draFilter(
    ctx: DraContext,
    pre: Extract<DraPreFilter, { kind: "ready" }>,
    node: PoolNode,
    allocatable: (resource: string) => bigint,
): DraFilterOutcome {
    const fail = (reason: string, detail: string): DraFilterOutcome => ({
        kind: "fails",
        failure: { filter: "DynamicResources", reasons: [reason], detail },
    });
    const extendedRequests = [...pre.extended].filter(([name]) => allocatable(name) === 0n);
    if (!pre.claims.length && !extendedRequests.length) return { kind: "fits" };
    const unavailable = pre.claims.filter(
        (c) => c.allocated && c.allocatedOn && !nodeMatches(node, undefined, undefined, c.allocatedOn),
    );
    const toAllocate: ClaimToAllocate[] = pre.claims
        .filter((c) => !c.allocated)
        .map((c) => ({ name: c.name, spec: c.spec }));
    if (extendedRequests.length) {
        toAllocate.push({
            name: "<extended-resources>",
            spec: {
                devices: {
                    requests: extendedRequests.map(([name, count], i) => ({
                        name: `extended-${i}`,
                        exactly: {
                            deviceClassName: ctx.extended.get(name)!.metadata.name,
                            allocationMode: "ExactCount",
                            count: Number(count),
                        },
                    })),
                },
            },
        });
    }
    if (toAllocate.length) {
        const outcome = allocate(ctx.allocator, node, toAllocate);
        switch (outcome.kind) {
            case "unallocatable":
                return fail(DRA_REASON.cannotAllocate, describeRequests(toAllocate));
            case "failedOnNode":
                return fail(outcome.message, outcome.message);
            case "error":
                return { kind: "error", message: `running "DynamicResources" filter plugin: ${outcome.message}` };
            case "unsupported":
                return outcome;
        }
    }
    if (unavailable.length)
        return fail(
            DRA_REASON.notAvailable,
            `had claim ${unavailable.map((c) => c.name).join(", ")} allocated on other nodes`,
        );
    return { kind: "fits" };
}

/** What could not be allocated, for the node groups' detail. */
function describeRequests(claims: readonly ClaimToAllocate[]): string {
    const parts: string[] = [];
    for (const claim of claims)
        for (const r of claim.spec.devices?.requests ?? []) {
            const one = (f: { deviceClassName: string; count?: number; allocationMode?: string }) =>
                `${f.allocationMode === "All" ? "all" : (f.count ?? 1)} of ${f.deviceClassName}`;
            if (r.exactly) parts.push(one(r.exactly));
            else if (r.firstAvailable) parts.push(r.firstAvailable.map(one).join(" or "));
        }
    return `couldn't allocate ${parts.join(" and ")} from its ResourceSlices`;
}
