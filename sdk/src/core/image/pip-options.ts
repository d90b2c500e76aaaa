/**
 * pip options (flyte's `PipOption`) of withPipPackages, withRequirements and
 * fromUvScript: the argument type, its fields with their value rules, and the layer's
 * normalised form (`PipOptions` of layers.ts).
 */
import { ValidationError, joinPath } from "../errors";
import { rule } from "../validate";
import { normalizeSecretMounts } from "./build-secrets";
import type { SecretMountInput } from "./build-secrets";
import { checkExtraArgs, checkIndexUrl } from "./checks";
import { NO_PIP_OPTIONS, PipOptions } from "./layers";

/** pip options accepted by withPipPackages, withRequirements and fromUvScript. */
export interface PipOptionsArgs {
    /** Replaces PyPI (`--index-url`). */
    indexUrl?: string;
    /** Additional indexes (`--extra-index-url`). */
    extraIndexUrls?: string | readonly string[];
    /** Allow pre-releases (`--pre`). */
    pre?: boolean;
    /** Further pip options, e.g. "--no-cache-dir --only-binary=:all:". */
    extraArgs?: string;
    /** Build-time secrets for this step only (a string means `{ key }`). */
    secretMounts?: SecretMountInput | readonly SecretMountInput[];
}

/** `true` or `false`, said as the image methods say it. */
export function checkTrueOrFalse(field: string, value: unknown): boolean {
    if (typeof value !== "boolean") throw new ValidationError(field, value, "true or false");
    return value;
}

/** One index URL or a list of them (a list's errors name the element). */
function checkIndexUrls(field: string, value: unknown): readonly string[] {
    if (!Array.isArray(value)) return Object.freeze([checkIndexUrl(field, value)]);
    return Object.freeze(value.map((u, i) => checkIndexUrl(joinPath(field, i), u)));
}

/** The fields of pip options with their value rules, for the schemas of the methods that take them. */
export const pipOptionsShape = {
    indexUrl: rule(checkIndexUrl),
    extraIndexUrls: rule(checkIndexUrls),
    pre: rule(checkTrueOrFalse),
    extraArgs: rule((field, value) => ({ text: value as string, tokens: Object.freeze(checkExtraArgs(field, value)) })),
    secretMounts: rule(normalizeSecretMounts),
};

/** Valid pip options (the output of `pipOptionsShape`) as a layer keeps them. */
export function pipOptions(valid: {
    indexUrl?: string;
    extraIndexUrls?: readonly string[];
    pre?: boolean;
    extraArgs?: { text: string; tokens: readonly string[] };
    secretMounts?: PipOptions["secretMounts"];
}): PipOptions {
    return {
        ...(valid.indexUrl !== undefined ? { indexUrl: valid.indexUrl } : {}),
        extraIndexUrls: valid.extraIndexUrls ?? NO_PIP_OPTIONS.extraIndexUrls,
        pre: valid.pre ?? false,
        ...(valid.extraArgs !== undefined ? { extraArgs: valid.extraArgs.text } : {}),
        extraArgTokens: valid.extraArgs?.tokens ?? NO_PIP_OPTIONS.extraArgTokens,
        secretMounts: valid.secretMounts ?? NO_PIP_OPTIONS.secretMounts,
    };
}
