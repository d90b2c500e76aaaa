import { randomBytes } from "crypto";
import { z } from "zod";
import { ValidationError, isOutputLike } from "../errors";
import { checkAnnotations, checkLabels } from "../names";
import { parseWith } from "../validate";
import { programSlot } from "../../runtime/program-state";
import { PodTemplateInput } from "./kube-types";

/**
 * A user's base pod template: its shape checked where the renderer merges into it
 * (a wrong shape is a ValidationError naming the path, never a TypeError), and Pulumi
 * Outputs anywhere inside supported. The core is pure and cannot hold Outputs (they
 * are not cloneable, and their values are not known at preview): each is replaced by
 * a placeholder string, and the components put the Output back where the placeholder
 * ended up in the rendered objects (`restoreOutputs`).
 */

// a placeholder is a valid DNS label and label value, so it passes wherever a name may sit
const RUN = randomBytes(4).toString("hex");
const PLACEHOLDER = new RegExp(`^pf-output-${RUN}-[0-9]+$`);
// the program's Outputs by placeholder, and back (kept in the program's state: the core holds none)
const registry = programSlot("pod template outputs", () => ({
    outputs: new Map<string, unknown>(),
    placeholders: new WeakMap<object, string>(),
}));

function placeholderFor(output: object): string {
    const { outputs, placeholders } = registry();
    let p = placeholders.get(output);
    if (p === undefined) {
        p = `pf-output-${RUN}-${outputs.size + 1}`;
        placeholders.set(output, p);
        outputs.set(p, output);
    }
    return p;
}

/** A deep copy of plain data with every Output (or promise) replaced by its placeholder. */
export function extractOutputs<T>(value: T, seen = new Set<object>()): T {
    if (isOutputLike(value)) return placeholderFor(value as object) as T;
    if (value === null || typeof value !== "object") return value;
    if (seen.has(value as object)) throw new TypeError("a pod template cannot contain cycles");
    seen.add(value as object);
    const out: unknown = Array.isArray(value)
        ? value.map((v) => extractOutputs(v, seen))
        : Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, extractOutputs(v, seen)]));
    seen.delete(value as object);
    return out as T;
}

/** True when a string stands for an Output of a pod template. */
export function isOutputPlaceholder(value: unknown): boolean {
    return typeof value === "string" && PLACEHOLDER.test(value);
}

/** Whether any Output of a pod template was replaced by a placeholder so far (when none was, there is nothing to restore). */
export function anyOutputPlaceholders(): boolean {
    return registry().outputs.size > 0;
}

/** The same data with each placeholder replaced by its Output (for the components' resource arguments). */
export function restoreOutputs<T>(value: T): T {
    if (typeof value === "string") return (PLACEHOLDER.test(value) ? registry().outputs.get(value) : value) as T;
    if (value === null || typeof value !== "object" || isOutputLike(value)) return value;
    if (Array.isArray(value)) return value.map(restoreOutputs) as T;
    return Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, restoreOutputs(v)])) as T;
}

const stringMap = z.record(z.string());
const quantityMap = z.record(z.union([z.string(), z.number()]));
const requirement = z
    .object({ key: z.string().min(1), operator: z.string().min(1), values: z.array(z.string()).optional() })
    .passthrough();
const container = z
    .object({
        name: z.string().min(1),
        env: z.array(z.object({ name: z.string().min(1) }).passthrough()).optional(),
        volumeMounts: z
            .array(z.object({ name: z.string().min(1), mountPath: z.string().min(1) }).passthrough())
            .optional(),
        resources: z
            .object({ requests: quantityMap.optional(), limits: quantityMap.optional() })
            .passthrough()
            .optional(),
    })
    .passthrough();
const podSpec = z
    .object({
        containers: z.array(container).optional(),
        initContainers: z.array(container).optional(),
        volumes: z.array(z.object({ name: z.string().min(1) }).passthrough()).optional(),
        nodeSelector: stringMap.optional(),
        affinity: z
            .object({
                nodeAffinity: z
                    .object({
                        requiredDuringSchedulingIgnoredDuringExecution: z
                            .object({
                                nodeSelectorTerms: z.array(
                                    z
                                        .object({
                                            matchExpressions: z.array(requirement).optional(),
                                            matchFields: z.array(requirement).optional(),
                                        })
                                        .passthrough(),
                                ),
                            })
                            .passthrough()
                            .optional(),
                    })
                    .passthrough()
                    .optional(),
            })
            .passthrough()
            .optional(),
        tolerations: z
            .array(
                z
                    .object({
                        key: z.string().optional(),
                        operator: z.string().optional(),
                        value: z.string().optional(),
                        effect: z.string().optional(),
                    })
                    .passthrough(),
            )
            .optional(),
        securityContext: z.object({ fsGroup: z.number().int().optional() }).passthrough().optional(),
    })
    .passthrough();
const baseTemplate = z
    .object({
        primaryContainerName: z
            .string()
            .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "a container name is a DNS-1123 label")
            .max(63)
            .optional(),
        labels: stringMap.optional(),
        annotations: stringMap.optional(),
        podSpec: podSpec.optional(),
        metadata: z.object({ labels: stringMap.optional(), annotations: stringMap.optional() }).strict().optional(),
        spec: podSpec.optional(),
    })
    .strict();

/**
 * A base pod template as the core keeps it: Outputs replaced by placeholders, the
 * fields the renderer merges into checked (the rest of the pod spec passes through to
 * the API server), labels and annotations by Kubernetes' rules, deep-frozen.
 */
export function normalizePodTemplate(value: unknown, field: string): PodTemplateInput {
    if (value === null || typeof value !== "object" || Array.isArray(value) || isOutputLike(value)) {
        throw new ValidationError(
            field,
            value,
            "expected an inline pod template { podSpec?, primaryContainerName?, labels?, annotations? } or { metadata?, spec? } (named templates are not supported)",
        );
    }
    const data = extractOutputs(value);
    parseWith(baseTemplate, data, field);
    const t = data as PodTemplateInput;
    for (const [where, labels] of [
        ["labels", t.labels],
        ["metadata.labels", t.metadata?.labels],
    ] as const) {
        if (labels)
            checkLabels(
                `${field}.${where}`,
                Object.fromEntries(Object.entries(labels).filter(([, v]) => !isOutputPlaceholder(v))),
            );
    }
    for (const [where, annotations] of [
        ["annotations", t.annotations],
        ["metadata.annotations", t.metadata?.annotations],
    ] as const) {
        if (annotations) checkAnnotations(`${field}.${where}`, annotations);
    }
    return freezeDeep(data as PodTemplateInput);
}

function freezeDeep<T>(value: T): T {
    if (value && typeof value === "object" && !Object.isFrozen(value)) {
        for (const v of Object.values(value)) freezeDeep(v);
        Object.freeze(value);
    }
    return value;
}
