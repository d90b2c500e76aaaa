import { ValidationError, joinPath } from "../errors";
import { Secret, SecretArgs, normalizeSecret } from "../secret";
import { pyOptRepr, pyRepr } from "./pycompat";

/** What a layer's `secretMounts` accepts: a key string, a Secret, or Secret arguments. */
export type SecretMountInput = string | Secret | SecretArgs;

/**
 * A build-time secret exposed to one RUN step. `hashText` is what flyte-sdk hashes
 * for it: the string itself when given as a string, else the dataclass repr
 * `Secret(key='…', group=…, mount=…, as_env_var=…)` — so "x" and
 * `new Secret({ key: "x" })` give different tags, exactly as in Flyte.
 */
export interface SecretMount {
    readonly secret: Secret;
    readonly hashText: string;
}

/** How the image build gets a secret's value (one entry per distinct group/key). */
export interface BuildSecret {
    /**
     * BuildKit secret id used in `RUN --mount=type=secret,id=<id>` and in
     * `docker build --secret id=<id>,...`: `<GROUP>_<KEY>` upper-cased, as Flyte's
     * builder names the host variable.
     */
    readonly id: string;
    readonly secret: Secret;
    /** Host environment variable Flyte's builder reads the value from (same as `id`). */
    readonly hostEnvVar: string;
    /** Host file Flyte's builder falls back to: `/etc/secrets/<group>_<key>`. */
    readonly hostFile: string;
}

export function normalizeSecretMounts(field: string, value: unknown): readonly SecretMount[] {
    if (value === undefined || value === null) return Object.freeze([]);
    const list = Array.isArray(value) ? value : [value];
    return Object.freeze(
        list.map((v, i) => {
            const f = Array.isArray(value) ? joinPath(field, i) : field;
            if (typeof v !== "string" && !(v instanceof Secret) && (v === null || typeof v !== "object")) {
                throw new ValidationError(f, v, "a secret key string, a Secret, or { key, group?, mount?, asEnvVar? }");
            }
            const secret = normalizeSecret(v as SecretMountInput, f);
            return Object.freeze({ secret, hashText: typeof v === "string" ? v : secretRepr(secret) });
        }),
    );
}

/** Python's repr of flyte's `Secret` dataclass. */
export function secretRepr(s: Secret): string {
    return `Secret(key=${pyRepr(s.key)}, group=${pyOptRepr(s.group)}, mount=${pyOptRepr(s.mount)}, as_env_var=${pyOptRepr(s.asEnvVar)})`;
}

/** `<GROUP>_<KEY>` upper-cased (no other change), Flyte's host variable for a build secret. */
export function buildSecretId(s: Secret): string {
    return [s.group, s.key]
        .filter((p): p is string => !!p)
        .map((p) => p.toUpperCase())
        .join("_");
}

export function toBuildSecret(s: Secret): BuildSecret {
    const id = buildSecretId(s);
    return Object.freeze({
        id,
        secret: s,
        hostEnvVar: id,
        hostFile: `/etc/secrets/${[s.group, s.key].filter((p): p is string => !!p).join("_")}`,
    });
}

/** Where an environment-variable secret's file is mounted during its RUN step. */
export function secretFilePath(s: Secret): string {
    return s.mount !== undefined ? s.filePath! : `/run/secrets/${buildSecretId(s)}`;
}

/**
 * The `--mount=type=secret,...` flag for one RUN step: a file at the secret's runtime
 * path when it is mounted, else a file under /run/secrets that `secretEnvPrefix`
 * exports as the variable. (BuildKit's `env=` option needs Dockerfile 1.10; files
 * work with every BuildKit, including Docker 20.10's built-in frontend.)
 * `required=true` makes the build fail clearly when the value was not provided.
 */
export function secretMountFlag(s: Secret): string {
    return `--mount=type=secret,id=${buildSecretId(s)},target=${secretFilePath(s)},required=true`;
}

/** The secret mount flags of a RUN step (one per target), each followed by a space. */
export function secretFlags(mounts: readonly SecretMount[]): string {
    const flags = new Set(mounts.map((m) => secretMountFlag(m.secret)));
    return [...flags].map((f) => `${f} `).join("");
}

/**
 * Shell prefix exporting environment-variable secrets for the rest of the RUN step:
 * `export VAR="$(cat /run/secrets/ID)" && `. The value lives only in that process.
 */
export function secretEnvPrefix(mounts: readonly SecretMount[]): string {
    const seen = new Set<string>();
    let out = "";
    for (const { secret } of mounts) {
        if (secret.mount !== undefined || secret.asEnvVar === undefined || seen.has(secret.asEnvVar)) continue;
        seen.add(secret.asEnvVar);
        out += `export ${secret.asEnvVar}="$(cat ${secretFilePath(secret)})" && `;
    }
    return out;
}
