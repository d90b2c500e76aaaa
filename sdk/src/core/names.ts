import { createHash } from "crypto";
import { ValidationError, joinPath } from "./errors";

/** Flyte's environment and task name rule: snake_case or kebab-case. */
export const FLYTE_NAME = /^[a-z0-9]+([_-][a-z0-9]+)*$/;
const DNS_LABEL_MAX = 63;

export function checkFlyteName(field: string, name: unknown): string {
    if (typeof name !== "string" || !FLYTE_NAME.test(name)) {
        throw new ValidationError(
            field,
            name,
            'a name is snake_case or kebab-case: lower-case letters and digits, single \'_\' or \'-\' between them (e.g. "train", "data_prep", "llm-serve")',
        );
    }
    return name;
}

/**
 * A valid DNS-1123 label for Kubernetes objects derived from Flyte names: "_" becomes
 * "-", and names over 63 characters keep a readable prefix plus a stable hash, so two
 * long names never collide (Flyte only truncates).
 */
export function kubernetesName(...parts: string[]): string {
    return boundedName(DNS_LABEL_MAX, ...parts);
}

/** Longest CronJob name: the controller appends "-<11 digits>" to name its Jobs (which must stay DNS labels). */
export const CRONJOB_NAME_MAX = 52;

/** `kubernetesName` within `max` characters (e.g. CRONJOB_NAME_MAX). */
export function boundedName(max: number, ...parts: string[]): string {
    const joined = parts
        .join("-")
        .toLowerCase()
        .replace(/[^a-z0-9-]/g, "-")
        .replace(/-+/g, "-")
        .replace(/^-|-$/g, "");
    if (joined.length <= max) return joined;
    return `${joined.slice(0, max - 9).replace(/-+$/, "")}-${shortHash(parts.join("/"))}`;
}

/**
 * A DNS-1035 label (Services): a DNS-1123 label that starts with a letter. Names that
 * start with a digit get an "s-" prefix (kept within 63 characters).
 */
export function serviceName(name: string): string {
    return /^[a-z]/.test(name) ? name : boundedName(DNS_LABEL_MAX, "s", name);
}

/**
 * A valid label value (at most 63 characters of letters, digits, '-', '_', '.',
 * starting and ending with a letter or digit) from a name: longer names keep a
 * prefix plus a stable hash.
 */
export function labelValue(value: string): string {
    if (value.length <= DNS_LABEL_MAX && LABEL_VALUE.test(value)) return value;
    const cleaned = value.replace(/[^A-Za-z0-9_.-]/g, "-");
    const head = cleaned
        .slice(0, DNS_LABEL_MAX - 9)
        .replace(/[^A-Za-z0-9]+$/, "")
        .replace(/^[^A-Za-z0-9]+/, "");
    return `${head ? `${head}-` : ""}${shortHash(value)}`;
}

function shortHash(text: string): string {
    return createHash("sha256").update(text).digest("hex").slice(0, 8);
}

// Kubernetes' own rules (apimachinery validation: IsQualifiedName, IsValidLabelValue, IsDNS1123Subdomain)
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A label (or annotation) key: an optional DNS-1123 subdomain prefix and "/", then a name of at most 63 characters. */
export function checkLabelKey(field: string, key: string): string {
    const slash = key.lastIndexOf("/");
    const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
    const name = slash >= 0 ? key.slice(slash + 1) : key;
    const ok =
        name.length <= DNS_LABEL_MAX &&
        QUALIFIED_NAME.test(name) &&
        (prefix === undefined || (prefix.length <= 253 && DNS1123_SUBDOMAIN.test(prefix)));
    if (!ok) {
        throw new ValidationError(
            field,
            key,
            "a label key is an optional DNS subdomain prefix and '/', then a name of at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit (e.g. \"team\", \"example.com/tier\")",
        );
    }
    return key;
}

/** Labels: keys and values by Kubernetes' rules. */
export function checkLabels(field: string, labels: unknown): Record<string, string> {
    if (labels === null || typeof labels !== "object" || Array.isArray(labels))
        throw new ValidationError(field, labels, "expected a map of label keys to string values");
    for (const [key, value] of Object.entries(labels)) {
        const at = joinPath(field, key);
        checkLabelKey(at, key);
        if (typeof value !== "string" || value.length > DNS_LABEL_MAX || !LABEL_VALUE.test(value)) {
            throw new ValidationError(
                at,
                value,
                "a label value is at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit (or empty)",
            );
        }
    }
    return labels as Record<string, string>;
}

/** Annotations: keys by Kubernetes' rules, string values. */
export function checkAnnotations(field: string, annotations: unknown): Record<string, string> {
    if (annotations === null || typeof annotations !== "object" || Array.isArray(annotations))
        throw new ValidationError(field, annotations, "expected a map of annotation keys to string values");
    for (const [key, value] of Object.entries(annotations)) {
        checkLabelKey(joinPath(field, key), key);
        if (typeof value !== "string")
            throw new ValidationError(joinPath(field, key), value, "annotation values are strings");
    }
    return annotations as Record<string, string>;
}

/** Kubernetes namespaces are DNS-1123 labels. */
export function checkNamespace(field: string, value: unknown): string {
    if (typeof value !== "string" || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(value) || value.length > DNS_LABEL_MAX) {
        throw new ValidationError(
            field,
            value,
            "a namespace is a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters",
        );
    }
    return value;
}
