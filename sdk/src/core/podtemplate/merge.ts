import { ValidationError, joinPath } from "../errors";
import { copyData } from "../objects";
import { argsSchema, checkedLater, parseArgs } from "../validate";
import { dedupe } from "../placement/place";
import { NodeSelectorRequirement, Placement, Toleration } from "../placement/types";
import {
    Container,
    EnvVar,
    NodeSelectorTerm,
    PodResourceClaim,
    PodSpec,
    PodTemplateInput,
    PodTemplateSpec,
    Volume,
    VolumeMount,
} from "./kube-types";

export const PRIMARY_CONTAINER = "primary";

/** What the renderer adds to a pod: everything is merged idempotently into a base. */
export interface PodContribution {
    primaryContainerName: string;
    image?: string;
    env: EnvVar[];
    requests: Record<string, string>;
    limits: Record<string, string>;
    volumeMounts: VolumeMount[];
    volumes: Volume[];
    placement: Placement;
    labels: Record<string, string>;
    annotations: Record<string, string>;
    /** A DRA claim of the primary container, made from a ResourceClaimTemplate. */
    claim?: { name: string; templateName: string };
}

/** The fields of a base pod template, either style; `normalizeBase` and base.ts check their values. */
export const podTemplateInputSchema = argsSchema<PodTemplateInput>()(
    {
        primaryContainerName: checkedLater<string>(),
        labels: checkedLater<Record<string, string>>(),
        annotations: checkedLater<Record<string, string>>(),
        podSpec: checkedLater<Partial<PodSpec>>(),
        metadata: checkedLater<PodTemplateInput["metadata"]>(),
        spec: checkedLater<Partial<PodSpec>>(),
    },
    "an inline pod template { podSpec?, primaryContainerName?, labels?, annotations? } or { metadata?, spec? } (named templates are not supported)",
);

/** Normalises Flyte-style or Kubernetes-style base templates to a PodTemplateSpec. */
export function normalizeBase(
    input: PodTemplateInput | undefined,
    field: string,
): { spec: PodTemplateSpec; primaryContainerName: string } {
    if (input === undefined) return { spec: { spec: { containers: [] } }, primaryContainerName: PRIMARY_CONTAINER };
    parseArgs(podTemplateInputSchema, input, field);
    if (input.podSpec && input.spec)
        throw new ValidationError(
            field,
            input,
            "give either podSpec (Flyte style) or spec (Kubernetes style), not both",
        );
    const spec = copyData(input.podSpec ?? input.spec ?? {}) as PodSpec;
    if (spec.containers !== undefined && !Array.isArray(spec.containers)) {
        throw new ValidationError(joinPath(field, "spec.containers"), spec.containers, "expected a list of containers");
    }
    spec.containers = spec.containers ?? [];
    const labels = { ...(input.metadata?.labels ?? {}), ...(input.labels ?? {}) };
    const annotations = { ...(input.metadata?.annotations ?? {}), ...(input.annotations ?? {}) };
    const metadata = {
        ...(Object.keys(labels).length ? { labels } : {}),
        ...(Object.keys(annotations).length ? { annotations } : {}),
    };
    const primaryContainerName = input.primaryContainerName ?? PRIMARY_CONTAINER;
    return { spec: { ...(Object.keys(metadata).length ? { metadata } : {}), spec }, primaryContainerName };
}

/**
 * Merges our contribution into a base template. Idempotent: merging into the result
 * again yields the same object. Node requirements are ANDed into every existing
 * node-selector term (terms stay ORed).
 */
export function mergePod(base: PodTemplateSpec, ours: PodContribution, field: string): PodTemplateSpec {
    const spec: PodSpec = copyData(base.spec);
    const containers = spec.containers;
    let primary = containers.find((c) => c.name === ours.primaryContainerName);
    if (!primary) {
        primary = { name: ours.primaryContainerName };
        containers.unshift(primary);
    }
    mergeContainer(primary, ours, joinPath(field, `spec.containers[${containers.indexOf(primary)}]`));
    if (ours.volumes.length) spec.volumes = replaceByKey(spec.volumes ?? [], ours.volumes, (v) => v.name);
    if (ours.claim)
        spec.resourceClaims = replaceByKey(
            (spec.resourceClaims ?? []) as PodResourceClaim[],
            [{ name: ours.claim.name, resourceClaimTemplateName: ours.claim.templateName }],
            (c) => c.name,
        );
    const nodeSelector = mergeNodeSelector(
        spec.nodeSelector ?? {},
        ours.placement.nodeSelector,
        joinPath(field, "spec.nodeSelector"),
    );
    if (Object.keys(nodeSelector).length) spec.nodeSelector = nodeSelector;
    if (ours.placement.terms.length) setRequiredTerms(spec, ours.placement.terms);
    const tolerations = dedupe([...(spec.tolerations ?? []), ...ours.placement.tolerations] as Toleration[]);
    if (tolerations.length) spec.tolerations = tolerations;
    return withMetadata(base, ours, spec);
}

/** A merged pod: `spec`, with the base's labels and annotations and ours on top. */
export function withMetadata(
    base: PodTemplateSpec,
    ours: Pick<PodContribution, "labels" | "annotations">,
    spec: PodSpec,
): PodTemplateSpec {
    const labels = { ...(base.metadata?.labels ?? {}), ...ours.labels };
    const annotations = { ...(base.metadata?.annotations ?? {}), ...ours.annotations };
    const metadata = {
        ...(Object.keys(labels).length ? { labels } : {}),
        ...(Object.keys(annotations).length ? { annotations } : {}),
    };
    return { ...(Object.keys(metadata).length ? { metadata } : {}), spec };
}

function mergeContainer(container: Container, ours: PodContribution, field: string): void {
    if (ours.image !== undefined) container.image = ours.image;
    const requests = { ...(container.resources?.requests ?? {}), ...ours.requests };
    const limits = { ...(container.resources?.limits ?? {}), ...ours.limits };
    checkSingleAccelerator(requests, joinPath(field, "resources.requests"));
    checkSingleAccelerator(limits, joinPath(field, "resources.limits"));
    if (Object.keys(requests).length || Object.keys(limits).length) {
        container.resources = {
            ...(container.resources ?? {}),
            ...(Object.keys(requests).length ? { requests } : {}),
            ...(Object.keys(limits).length ? { limits } : {}),
        };
    }
    if (ours.claim)
        container.resources = {
            ...(container.resources ?? {}),
            claims: replaceByKey(container.resources?.claims ?? [], [{ name: ours.claim.name }], (c) => c.name),
        };
    if (ours.env.length) container.env = replaceByKey(container.env ?? [], ours.env, (e) => e.name);
    if (ours.volumeMounts.length)
        container.volumeMounts = replaceByKey(container.volumeMounts ?? [], ours.volumeMounts, (m) => m.mountPath);
}

/** Two different NVIDIA resources (whole GPU and a MIG slice, or two MIG profiles) in one container is undefined behaviour. */
function checkSingleAccelerator(resources: Record<string, string>, field: string): void {
    const nvidia = Object.keys(resources).filter((k) => k === "nvidia.com/gpu" || k.startsWith("nvidia.com/mig-"));
    if (nvidia.length > 1) {
        throw new ValidationError(
            field,
            nvidia,
            "one container may request one kind of NVIDIA device: a whole GPU or a single MIG profile, not several",
        );
    }
}

function mergeNodeSelector(
    base: Record<string, string>,
    ours: Readonly<Record<string, string>>,
    field: string,
): Record<string, string> {
    const out = { ...base };
    for (const [key, value] of Object.entries(ours)) {
        if (key in out && out[key] !== value) {
            throw new ValidationError(
                joinPath(field, key),
                out[key],
                `the base pod template selects ${key}=${out[key]} but this task needs ${key}=${value}`,
            );
        }
        out[key] = value;
    }
    return out;
}

/**
 * base ∧ (x1 ∨ x2 ...): each base term that already implies one alternative is kept
 * as is (that keeps the merge idempotent); otherwise it is ANDed with each alternative.
 */
function setRequiredTerms(spec: PodSpec, alternatives: readonly (readonly NodeSelectorRequirement[])[]): void {
    spec.affinity = spec.affinity ?? {};
    spec.affinity.nodeAffinity = spec.affinity.nodeAffinity ?? {};
    const required = spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution;
    const baseTerms: NodeSelectorTerm[] = required?.nodeSelectorTerms?.length ? required.nodeSelectorTerms : [{}];
    // linear in the terms and requirements: keys in sets, not pairwise comparisons
    const terms: NodeSelectorTerm[] = [];
    const seenTerms = new Set<string>();
    const push = (term: NodeSelectorTerm) => {
        const key = JSON.stringify(term);
        if (!seenTerms.has(key)) {
            seenTerms.add(key);
            terms.push(term);
        }
    };
    const altKeys = alternatives.map((alt) => alt.map(requirementKey));
    for (const term of baseTerms) {
        const expressions = term.matchExpressions ?? [];
        const present = new Set(expressions.map(requirementKey));
        const implied = altKeys.some((keys) => keys.every((k) => present.has(k)));
        if (implied) {
            push(term);
            continue;
        }
        alternatives.forEach((alt, i) => {
            const added = alt.filter((_, j) => !present.has(altKeys[i][j]));
            push({ ...term, matchExpressions: [...expressions, ...dedupeRequirements(added)] });
        });
    }
    spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = {
        ...(required ?? {}),
        nodeSelectorTerms: terms,
    };
}

function requirementKey(r: NodeSelectorRequirement): string {
    return JSON.stringify([r.key, r.operator, r.values ?? []]);
}

function dedupeRequirements(list: readonly NodeSelectorRequirement[]): NodeSelectorRequirement[] {
    const seen = new Set<string>();
    return list.filter((r) => {
        const k = requirementKey(r);
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
    });
}

/** Base entries whose key we also set are replaced; ours are appended in our order. */
function replaceByKey<T>(base: T[], ours: T[], key: (item: T) => string): T[] {
    const mine = new Set(ours.map(key));
    return [...base.filter((item) => !mine.has(key(item))), ...ours];
}
