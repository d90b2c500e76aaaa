import { createHash } from "crypto";
import { ValidationError } from "./errors";

/** Flyte's environment and task name rule: snake_case or kebab-case. */
export const FLYTE_NAME = /^[a-z0-9]+([_-][a-z0-9]+)*$/;
const DNS_LABEL_MAX = 63;

export function checkFlyteName(field: string, name: unknown): string {
    if (typeof name !== "string" || !FLYTE_NAME.test(name)) {
        throw new ValidationError(field, name, "a name is snake_case or kebab-case: lower-case letters and digits, single '_' or '-' between them (e.g. \"train\", \"data_prep\", \"llm-serve\")");
    }
    return name;
}

/**
 * A valid DNS-1123 label for Kubernetes objects derived from Flyte names: "_" becomes
 * "-", and names over 63 characters keep a readable prefix plus a stable hash, so two
 * long names never collide (Flyte only truncates).
 */
export function kubernetesName(...parts: string[]): string {
    const joined = parts.join("-").toLowerCase().replace(/[^a-z0-9-]/g, "-").replace(/-+/g, "-").replace(/^-|-$/g, "");
    if (joined.length <= DNS_LABEL_MAX) return joined;
    const hash = createHash("sha256").update(parts.join("/")).digest("hex").slice(0, 8);
    return `${joined.slice(0, DNS_LABEL_MAX - 9).replace(/-+$/, "")}-${hash}`;
}

/** Kubernetes namespaces are DNS-1123 labels. */
export function checkNamespace(field: string, value: unknown): string {
    if (typeof value !== "string" || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(value) || value.length > DNS_LABEL_MAX) {
        throw new ValidationError(field, value, "a namespace is a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters");
    }
    return value;
}
