/**
 * The cluster's Dynamic Resource Allocation objects (resource.k8s.io/v1), read once per
 * program for the scheduling check with the client the nodes are read with
 * (./nodes.ts): DeviceClasses, ResourceSlices, and ResourceClaims (their allocations
 * hold devices). A cluster that does not serve resource.k8s.io/v1 has none.
 */
import type { DraCluster } from "../core/simulator/dra/dra-objects";
import type { KubeconfigChoice } from "./kubeconfig";
import { ObjectList, listCluster } from "./nodes";

export type DraRead = { ok: true; cluster: DraCluster } | { ok: false; reason: string };

const GROUP = "resource.k8s.io";
const VERSION = "v1";

function list<T>(choice: KubeconfigChoice, plural: string): Promise<ObjectList<T>> {
    return listCluster<T>(
        choice,
        `/apis/${GROUP}/${VERSION}/${plural}`,
        (client, kc) =>
            kc
                .makeApiClient(client.CustomObjectsApi)
                .listClusterCustomObject({ group: GROUP, version: VERSION, plural }) as Promise<{ items?: unknown[] }>,
    );
}

/** Reads the three collections; never rejects. */
export async function listDraObjects(choice: KubeconfigChoice): Promise<DraRead> {
    const [classes, slices, claims] = await Promise.all([
        list<DraCluster["deviceClasses"][number]>(choice, "deviceclasses"),
        list<DraCluster["resourceSlices"][number]>(choice, "resourceslices"),
        list<DraCluster["resourceClaims"][number]>(choice, "resourceclaims"),
    ]);
    // not served (an older cluster, or DRA off): no device is published through DRA
    if (!classes.ok && classes.status === 404)
        return { ok: true, cluster: { deviceClasses: [], resourceSlices: [], resourceClaims: [] } };
    for (const [what, read] of [
        ["DeviceClasses", classes],
        ["ResourceSlices", slices],
        ["ResourceClaims", claims],
    ] as const)
        if (!read.ok) return { ok: false, reason: `cannot list ${what}: ${read.reason}` };
    return {
        ok: true,
        cluster: {
            deviceClasses: (classes as { items: DraCluster["deviceClasses"][number][] }).items,
            resourceSlices: (slices as { items: DraCluster["resourceSlices"][number][] }).items,
            resourceClaims: (claims as { items: DraCluster["resourceClaims"][number][] }).items,
        },
    };
}
