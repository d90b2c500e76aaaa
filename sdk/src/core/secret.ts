import { ValidationError, joinPath } from "./errors";
import { argsSchema, normalizeArgs, rule } from "./validate";

/** Only mount path Flyte supports today; files land at `<mount>/<group>/<key lower-cased>`. */
export const SECRET_MOUNT_PATH = "/etc/flyte/secrets";
const ENV_VAR_PATTERN = /^[A-Z_][A-Z0-9_]*$/;
// Kubernetes' own rules: a key is a Secret data key (IsConfigMapKey: letters, digits,
// '-', '_', '.', not "." or ".."), e.g. ".dockerconfigjson"; a group names a Secret
// (a DNS-1123 subdomain: lower-case labels joined by dots).
const KEY_PATTERN = /^[-._A-Za-z0-9]+$/;
const GROUP_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export interface SecretArgs {
    /** Name of the secret inside its group (the key of the Kubernetes Secret's data). */
    key: string;
    /** Group (one Kubernetes Secret per group). */
    group?: string;
    /** Mount as a file under /etc/flyte/secrets (the only supported path). */
    mount?: string;
    /** Expose as this environment variable. */
    asEnvVar?: string;
}

function checkKey(field: string, key: unknown): string {
    if (typeof key !== "string" || !KEY_PATTERN.test(key) || key.length > 253 || key === "." || key === "..") {
        throw new ValidationError(
            field,
            key,
            'a secret key is a Kubernetes Secret data key: 1-253 characters of letters, digits, \'-\', \'_\' or \'.\' (not "." or ".."), e.g. "api-key", ".dockerconfigjson"',
        );
    }
    return key;
}

function checkGroup(field: string, group: unknown): string {
    if (typeof group !== "string" || !GROUP_PATTERN.test(group) || group.length > 253) {
        throw new ValidationError(
            field,
            group,
            "a secret group names a Kubernetes Secret (a DNS-1123 subdomain): lower-case letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters",
        );
    }
    return group;
}

function checkMount(field: string, mount: unknown): string {
    if (mount !== SECRET_MOUNT_PATH)
        throw new ValidationError(field, mount, `only "${SECRET_MOUNT_PATH}" is supported as a secret mount path`);
    return mount;
}

function checkEnvVar(field: string, name: unknown): string {
    if (typeof name !== "string" || !ENV_VAR_PATTERN.test(name))
        throw new ValidationError(field, name, `an environment variable name must match ${ENV_VAR_PATTERN}`);
    return name;
}

/** The fields of `Secret` and their rules (Kubernetes' and Flyte's). */
export const secretArgsSchema = argsSchema<SecretArgs>()(
    {
        key: rule(checkKey, { required: true }),
        group: rule(checkGroup),
        mount: rule(checkMount),
        asEnvVar: rule(checkEnvVar),
    },
    "{ key, group?, mount?, asEnvVar? } or a key string",
);

/**
 * A reference to a secret, Flyte semantics: without `mount` or `asEnvVar` the
 * secret becomes the env var `GROUP_KEY` (upper-cased, "-" -> "_").
 */
export class Secret {
    readonly key: string;
    readonly group?: string;
    readonly mount?: string;
    readonly asEnvVar?: string;

    constructor(args: SecretArgs);
    /** @internal `field`: the path of the value in errors. */
    constructor(args: SecretArgs, field: string);
    constructor(args: SecretArgs, field = "secret") {
        const valid = normalizeArgs(secretArgsSchema, args, field);
        const key = valid.key!;
        const { group, mount } = valid;
        let asEnvVar = valid.asEnvVar;
        // Flyte's default: GROUP_KEY upper-cased, "-" -> "_" (checked like a given name)
        if (mount === undefined && asEnvVar === undefined)
            asEnvVar = checkEnvVar(
                joinPath(field, "asEnvVar"),
                (group ? `${group}_${key}` : key).replace(/-/g, "_").toUpperCase(),
            );
        this.key = key;
        this.group = group;
        this.mount = mount;
        this.asEnvVar = asEnvVar;
        Object.freeze(this);
    }

    /** The environment variable the task sees, if any. */
    get envVar(): string | undefined {
        return this.asEnvVar;
    }

    /** The file the task sees, if mounted. */
    get filePath(): string | undefined {
        if (this.mount === undefined) return undefined;
        return this.group
            ? `${this.mount}/${this.group}/${this.key.toLowerCase()}`
            : `${this.mount}/${this.key.toLowerCase()}`;
    }

    /** Stable identity used for de-duplication and hashing. */
    get id(): string {
        return [this.key, this.group ?? "", this.mount ?? "", this.asEnvVar ?? ""].join("|");
    }
}

/** A plain string means `{ key }`, as in Flyte. */
export function normalizeSecret(value: string | Secret | SecretArgs, field = "secret"): Secret {
    if (value instanceof Secret) return value;
    if (typeof value === "string") return new Secret({ key: value }, field);
    return new Secret(value, field);
}

/** Normalises Flyte's `SecretRequest` (one or a list of strings / Secrets) to a list. */
export function normalizeSecrets(
    value: undefined | string | Secret | SecretArgs | ReadonlyArray<string | Secret | SecretArgs>,
    field = "secrets",
): Secret[] {
    if (value === undefined) return [];
    if (Array.isArray(value)) return value.map((v, i) => normalizeSecret(v, joinPath(field, i)));
    return [normalizeSecret(value as string | Secret | SecretArgs, field)];
}
