import type { ResourceClaimSpec } from "../simulator/dra/dra-objects";
import { NodeSelectorRequirement, Toleration } from "../placement/types";

/** Plain core/v1 shapes, the subset the renderer writes (other fields pass through merges). */
export interface EnvVar {
    name: string;
    value?: string;
    valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean }; [k: string]: unknown };
}

export interface VolumeMount {
    name: string;
    mountPath: string;
    readOnly?: boolean;
    subPath?: string;
}

export interface Volume {
    name: string;
    emptyDir?: { medium?: string; sizeLimit?: string };
    secret?: {
        secretName: string;
        items?: { key: string; path: string; mode?: number }[];
        defaultMode?: number;
        optional?: boolean;
    };
    [k: string]: unknown;
}

export interface Container {
    name: string;
    image?: string;
    command?: string[];
    args?: string[];
    env?: EnvVar[];
    resources?: {
        requests?: Record<string, string>;
        limits?: Record<string, string>;
        /** DRA claims of the pod this container uses (by the pod's claim name). */
        claims?: { name: string; request?: string }[];
    };
    volumeMounts?: VolumeMount[];
    [k: string]: unknown;
}

export interface NodeSelectorTerm {
    matchExpressions?: NodeSelectorRequirement[];
    matchFields?: NodeSelectorRequirement[];
}

export interface PodSpec {
    containers: Container[];
    initContainers?: Container[];
    volumes?: Volume[];
    nodeSelector?: Record<string, string>;
    affinity?: {
        nodeAffinity?: {
            requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms: NodeSelectorTerm[] };
            [k: string]: unknown;
        };
        [k: string]: unknown;
    };
    tolerations?: Toleration[];
    restartPolicy?: string;
    resourceClaims?: PodResourceClaim[];
    [k: string]: unknown;
}

/** A pod's claim (resource.k8s.io): made from a ResourceClaimTemplate, or an existing ResourceClaim. */
export interface PodResourceClaim {
    name: string;
    resourceClaimTemplateName?: string;
    resourceClaimName?: string;
}

/** A resource.k8s.io/v1 ResourceClaimTemplate: the claim each pod gets its own copy of. */
export interface ResourceClaimTemplate {
    apiVersion: "resource.k8s.io/v1";
    kind: "ResourceClaimTemplate";
    metadata: ObjectMeta & { name: string };
    spec: { metadata?: ObjectMeta; spec: ResourceClaimSpec };
}

export interface ObjectMeta {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
}

export interface PodTemplateSpec {
    metadata?: ObjectMeta;
    spec: PodSpec;
}

/** A v1 PodTemplate as sent to the API server. */
export interface PodTemplate {
    apiVersion: "v1";
    kind: "PodTemplate";
    metadata: ObjectMeta & { name: string };
    template: PodTemplateSpec;
}

/**
 * A base pod template to merge into, Flyte style (`podSpec`, `primaryContainerName`,
 * `labels`, `annotations`) or Kubernetes style (`metadata`, `spec`).
 */
export interface PodTemplateInput {
    primaryContainerName?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    /**
     * A core/v1 PodSpec: plain data (fields the renderer does not know pass through), or
     * any object of that shape such as @pulumi/kubernetes' input type (any value may be
     * an Output).
     */
    podSpec?: BasePodSpec;
    metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
    /** A core/v1 PodSpec (Kubernetes style), as `podSpec`. */
    spec?: BasePodSpec;
}

/**
 * The PodSpec of a base pod template: plain data, or an object literal of a core/v1
 * PodSpec's shape such as `Partial<k8s.types.input.core.v1.PodSpec>` of
 * @pulumi/kubernetes, whose values may be Outputs. The core names no Pulumi type: the
 * shape is checked where the renderer merges it (normalizePodTemplate), with the
 * field's path in the error.
 */
export type BasePodSpec = Partial<PodSpec> | { readonly [field: string]: unknown };
