/**
 * resource.k8s.io/v1 objects as the DRA simulation reads them (the subset the
 * scheduler's DynamicResources plugin and its structured allocator use), plain data
 * as the API returns it.
 */

export interface CelSelector {
    cel?: { expression: string };
}

/** One attribute value: exactly one of the fields is set. */
export interface DeviceAttribute {
    int?: number | string;
    bool?: boolean;
    string?: string;
    version?: string;
}

export interface DeviceCapacity {
    value: string;
}

export interface Counter {
    value: string;
}

export interface CounterSet {
    name: string;
    counters: Record<string, Counter>;
}

export interface DeviceCounterConsumption {
    counterSet: string;
    counters: Record<string, Counter>;
}

export interface DeviceTaint {
    key: string;
    value?: string;
    effect: string;
}

export interface Device {
    name: string;
    attributes?: Record<string, DeviceAttribute>;
    capacity?: Record<string, DeviceCapacity>;
    consumesCounters?: DeviceCounterConsumption[];
    /** With perDeviceNodeSelection: where this device is available. */
    nodeName?: string;
    nodeSelector?: NodeSelector;
    allNodes?: boolean;
    taints?: DeviceTaint[];
    bindingConditions?: string[];
    allowMultipleAllocations?: boolean;
}

export interface NodeSelector {
    nodeSelectorTerms?: {
        matchExpressions?: { key: string; operator: string; values?: string[] }[];
        matchFields?: { key: string; operator: string; values?: string[] }[];
    }[];
}

export interface ResourceSlice {
    metadata?: { name?: string; creationTimestamp?: string };
    spec: {
        driver: string;
        pool: { name: string; generation: number; resourceSliceCount: number };
        nodeName?: string;
        nodeSelector?: NodeSelector;
        allNodes?: boolean;
        perDeviceNodeSelection?: boolean;
        devices?: Device[];
        sharedCounters?: CounterSet[];
    };
}

export interface DeviceClass {
    metadata: { name: string; creationTimestamp?: string };
    spec?: {
        selectors?: CelSelector[];
        /** An extended resource (e.g. nvidia.com/gpu) that this class serves (DRAExtendedResource). */
        extendedResourceName?: string;
    };
}

export interface DeviceToleration {
    key?: string;
    operator?: string;
    value?: string;
    effect?: string;
}

/** A request's shared part: what an `exactly` request and a `firstAvailable` subrequest both say. */
export interface DeviceRequestFields {
    deviceClassName: string;
    selectors?: CelSelector[];
    allocationMode?: "ExactCount" | "All";
    count?: number;
    adminAccess?: boolean;
    tolerations?: DeviceToleration[];
    capacity?: { requests?: Record<string, string> };
}

export interface DeviceSubRequest extends DeviceRequestFields {
    name: string;
}

export interface DeviceRequest {
    name: string;
    exactly?: DeviceRequestFields;
    firstAvailable?: DeviceSubRequest[];
}

export interface DeviceConstraint {
    requests?: string[];
    matchAttribute?: string;
    distinctAttribute?: string;
}

export interface ResourceClaimSpec {
    devices?: {
        requests?: DeviceRequest[];
        constraints?: DeviceConstraint[];
    };
}

export interface DeviceRequestAllocationResult {
    request: string;
    driver: string;
    pool: string;
    device: string;
    adminAccess?: boolean;
}

export interface AllocationResult {
    devices?: { results?: DeviceRequestAllocationResult[] };
    nodeSelector?: NodeSelector;
}

export interface ResourceClaim {
    metadata?: { name?: string; namespace?: string };
    spec: ResourceClaimSpec;
    status?: { allocation?: AllocationResult; reservedFor?: unknown[] };
}

/** What the cluster publishes for DRA, read once per program. */
export interface DraCluster {
    deviceClasses: readonly DeviceClass[];
    resourceSlices: readonly ResourceSlice[];
    /** Claims of the cluster (those with status.allocation hold their devices). */
    resourceClaims: readonly ResourceClaim[];
}

export const EMPTY_DRA_CLUSTER: DraCluster = Object.freeze({
    deviceClasses: [],
    resourceSlices: [],
    resourceClaims: [],
});

/** `<driver>/<pool>/<device>`, as the scheduler names devices. */
export function deviceId(driver: string, pool: string, device: string): string {
    return `${driver}/${pool}/${device}`;
}
