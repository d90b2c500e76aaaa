/** Plain Kubernetes scheduling shapes (subset of core/v1) used by the pure core. */
export interface NodeSelectorRequirement {
    key: string;
    operator: "In" | "NotIn" | "Exists" | "DoesNotExist" | "Gt" | "Lt";
    values?: string[];
}

export interface Toleration {
    key?: string;
    operator?: "Exists" | "Equal";
    value?: string;
    effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
    tolerationSeconds?: number;
}

/** Where and with what a pod must be scheduled for one accelerator request. */
export interface Placement {
    /** Extended resources; requests equal limits. */
    readonly resources: Readonly<Record<string, string>>;
    /** Equality labels for `spec.nodeSelector`. */
    readonly nodeSelector: Readonly<Record<string, string>>;
    /**
     * Required node affinity as alternatives: the pod may land on a node matching
     * any one list (ORed nodeSelectorTerms), each list's requirements ANDed.
     */
    readonly terms: readonly (readonly NodeSelectorRequirement[])[];
    readonly tolerations: readonly Toleration[];
    /** Pods needed for one slice (multi-host TPU slices need one pod per host). */
    readonly hosts: number;
}

export const EMPTY_PLACEMENT: Placement = Object.freeze({
    resources: {},
    nodeSelector: {},
    terms: [],
    tolerations: [],
    hosts: 1,
});
