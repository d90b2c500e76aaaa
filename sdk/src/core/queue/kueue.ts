/**
 * Kueue's objects as plain data (kueue.x-k8s.io/v1beta2, the version Kueue v0.17
 * stores), the subset this library writes and the admission simulation reads. The
 * field names are Kueue's; see sigs.k8s.io/kueue apis/kueue/v1beta2.
 */
import { NodeTaint, PodToleration } from "../simulator/fit";

export const KUEUE_API_VERSION = "kueue.x-k8s.io/v1beta2";
/** The label that puts a Job (or a pod) in a LocalQueue of its namespace. */
export const QUEUE_NAME_LABEL = "kueue.x-k8s.io/queue-name";

export interface ResourceFlavor {
    apiVersion: typeof KUEUE_API_VERSION;
    kind: "ResourceFlavor";
    metadata: { name: string; labels?: Record<string, string> };
    spec: {
        /** Labels of the flavour's nodes: admitted pods get them in their nodeSelector. */
        nodeLabels?: Record<string, string>;
        /** Taints of the flavour's nodes: only workloads that tolerate them are admitted in it. */
        nodeTaints?: NodeTaint[];
        /** Tolerations added to admitted pods (and counted as theirs when matching nodeTaints). */
        tolerations?: PodToleration[];
    };
}

export interface ResourceQuota {
    name: string;
    nominalQuota: string;
    borrowingLimit?: string;
    lendingLimit?: string;
}

export interface FlavorQuotas {
    name: string;
    resources: ResourceQuota[];
}

export interface ResourceGroup {
    coveredResources: string[];
    flavors: FlavorQuotas[];
}

export type PreemptionPolicy = "Never" | "LowerPriority" | "LowerOrNewerEqualPriority" | "Any";
export type StopPolicy = "None" | "Hold" | "HoldAndDrain";
export type QueueingStrategy = "BestEffortFIFO" | "StrictFIFO";
export type FungibilityPolicy = "MayStopSearch" | "TryNextFlavor";

export interface LabelSelector {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export interface ClusterQueuePreemption {
    reclaimWithinCohort?: "Never" | "LowerPriority" | "Any";
    borrowWithinCohort?: { policy: "Never" | "LowerPriority"; maxPriorityThreshold?: number };
    withinClusterQueue?: "Never" | "LowerPriority" | "LowerOrNewerEqualPriority";
}

export interface FlavorUsage {
    name: string;
    resources?: { name: string; total?: string; borrowed?: string }[];
}

export interface Condition {
    type: string;
    status: string;
    reason?: string;
    message?: string;
}

export interface ClusterQueue {
    apiVersion: typeof KUEUE_API_VERSION;
    kind: "ClusterQueue";
    metadata: { name: string; labels?: Record<string, string> };
    spec: {
        resourceGroups?: ResourceGroup[];
        cohortName?: string;
        queueingStrategy?: QueueingStrategy;
        /** Which namespaces may submit: `{}` is every namespace, absent is none. */
        namespaceSelector?: LabelSelector;
        flavorFungibility?: { whenCanBorrow?: FungibilityPolicy; whenCanPreempt?: FungibilityPolicy };
        preemption?: ClusterQueuePreemption;
        stopPolicy?: StopPolicy;
    };
    /** What the cluster reports (read at preview; never written). */
    status?: {
        conditions?: Condition[];
        flavorsReservation?: FlavorUsage[];
        flavorsUsage?: FlavorUsage[];
        pendingWorkloads?: number;
        admittedWorkloads?: number;
    };
}

export interface LocalQueue {
    apiVersion: typeof KUEUE_API_VERSION;
    kind: "LocalQueue";
    metadata: { name: string; namespace?: string; labels?: Record<string, string> };
    spec: { clusterQueue: string; stopPolicy?: StopPolicy };
}

/** A Cohort object (hierarchical cohorts): its own quota lent to its members, and its parent. */
export interface Cohort {
    apiVersion: typeof KUEUE_API_VERSION;
    kind: "Cohort";
    metadata: { name: string };
    spec: { parentName?: string; resourceGroups?: ResourceGroup[] };
}

/** The Workload Kueue makes for a queued Job (read at preview and while waiting for a run). */
export interface Workload {
    metadata: { name: string; namespace?: string; labels?: Record<string, string> };
    spec?: { queueName?: string; active?: boolean };
    status?: {
        conditions?: Condition[];
        admission?: {
            clusterQueue?: string;
            podSetAssignments?: { name?: string; flavors?: Record<string, string>; count?: number }[];
        };
    };
}
