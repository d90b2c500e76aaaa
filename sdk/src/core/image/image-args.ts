/**
 * The arguments of the Image builder's methods: their types, and their schemas with the
 * value rules of each field (the methods only combine valid values).
 */
import { z } from "zod";
import { ValidationError, joinPath } from "../errors";
import { argsSchema, checkedLater, normalizeArgs, rule } from "../validate";
import type { SecretMountInput } from "./build-secrets";
import { normalizeSecretMounts } from "./build-secrets";
import {
    Architecture,
    checkFlyteVersion,
    checkHostPath,
    checkImageName,
    checkPlatform,
    checkPython,
    checkRegistry,
} from "./checks";
import { PipOptionsArgs, checkTrueOrFalse, pipOptionsShape } from "./pip-options";

export type { Architecture } from "./checks";
export type { PipOptionsArgs } from "./pip-options";

export interface PipPackagesArgs extends PipOptionsArgs {
    packages: readonly string[];
}

export interface DebianBaseArgs {
    /** "3.10" .. "3.14"; default "3.11". */
    python?: string;
    /** flyte release of the prebuilt base (default 2.12.1). */
    flyteVersion?: string;
    /**
     * true (default): start from Flyte's released image `ghcr.io/flyteorg/flyte:py<M.m>-v<version>`;
     * false: build `python:<M.m>-slim-bookworm` plus Flyte's default layers, without flyte.
     */
    installFlyte?: boolean;
    registry?: string;
    name?: string;
    /** Default: both linux/amd64 and linux/arm64, as Flyte's default images. */
    platform?: Architecture | readonly Architecture[];
}

export interface DockerfileArgs {
    name: string;
    registry?: string;
    platform?: Architecture | readonly Architecture[];
}

export interface UvScriptArgs extends PipOptionsArgs {
    name: string;
    registry?: string;
    python?: string;
    platform?: Architecture | readonly Architecture[];
}

export interface CloneArgs {
    registry?: string;
    name?: string;
    /** Whether layers may be added on top (fromBase images are not extendable until cloned with true). */
    extendable?: boolean;
    platform?: Architecture | readonly Architecture[];
}

export interface SourceFolderOptions {
    /** Copy the folder's contents into `dst` rather than the folder itself (default false). */
    copyContentsOnly?: boolean;
}

export interface LocalV2Args {
    /** Folder of locally built wheels (`flyte-*.whl`, optionally one `flyteidl2-*.whl`); default "dist". */
    distDir?: string;
}

type Mounts = SecretMountInput | readonly SecretMountInput[];
const platform = rule(checkPlatform);
const registry = rule(checkRegistry);
const imageName = rule(checkImageName);
const python = rule(checkPython);

export const debianBaseArgsSchema = argsSchema<DebianBaseArgs>()(
    {
        python,
        flyteVersion: rule(checkFlyteVersion),
        installFlyte: rule(checkTrueOrFalse),
        registry,
        name: imageName,
        platform,
    },
    (fields) => `{ ${fields.map((k) => `${k}?`).join(", ")} }`,
);
export const dockerfileArgsSchema = argsSchema<DockerfileArgs>()(
    { name: rule(checkImageName, { required: true }), registry, platform },
    "{ name, registry?, platform? }",
);
export const uvScriptArgsSchema = argsSchema<UvScriptArgs>()(
    { name: rule(checkImageName, { required: true }), registry, python, platform, ...pipOptionsShape },
    "{ name, registry?, python?, platform?, indexUrl?, extraIndexUrls?, pre?, extraArgs?, secretMounts? }",
);
export const pipOptionsArgsSchema = argsSchema<PipOptionsArgs>()(
    pipOptionsShape,
    (fields) => `{ ${fields.map((k) => `${k}?`).join(", ")} }`,
);
export const pipPackagesArgsSchema = argsSchema<PipPackagesArgs>()(
    { packages: checkedLater<readonly string[]>(), ...pipOptionsShape },
    "",
);
const secretMounts = rule(normalizeSecretMounts);
export const packagesArgsSchema = argsSchema<{ packages: readonly string[]; secretMounts?: Mounts }>()(
    { packages: checkedLater<readonly string[]>(), secretMounts },
    "",
);
export const commandsArgsSchema = argsSchema<{ commands: readonly string[]; secretMounts?: Mounts }>()(
    { commands: checkedLater<readonly string[]>(), secretMounts },
    "",
);
export const commandsOptionsSchema = argsSchema<{ secretMounts?: Mounts }>()({ secretMounts }, "{ secretMounts? }");
export const sourceFolderOptionsSchema = argsSchema<SourceFolderOptions>()(
    { copyContentsOnly: checkedLater<boolean>() },
    "{ copyContentsOnly? }",
);
export const localV2ArgsSchema = argsSchema<LocalV2Args>()({ distDir: rule(checkHostPath) }, "{ distDir? }");
export const cloneArgsSchema = argsSchema<CloneArgs>()(
    { registry, name: imageName, extendable: rule(checkTrueOrFalse), platform },
    (fields) => `{ ${fields.map((k) => `${k}?`).join(", ")} }`,
);

/**
 * Separates `(...items)` from `({ key: items, ...options })`: the items as given (each
 * checked by the method), the options' valid values and the arguments as given (for the recipe).
 */
export function listOrArgs(
    field: string,
    input: unknown[],
    key: string,
    schema: z.AnyZodObject,
): { list: unknown[]; args: Record<string, unknown>; given: Record<string, unknown> } {
    if (input.length === 1 && input[0] !== null && typeof input[0] === "object" && !Array.isArray(input[0])) {
        const given = input[0] as Record<string, unknown>;
        const args = normalizeArgs(schema, given, field) as Record<string, unknown>;
        const list = args[key];
        if (!Array.isArray(list)) throw new ValidationError(joinPath(field, key), list, `a list of ${key}`);
        if (list.length === 0) throw new ValidationError(joinPath(field, key), list, `at least one of ${key}`);
        return { list: [...list], args, given };
    }
    if (input.length === 0) throw new ValidationError(joinPath(field, key), [], `at least one of ${key}`);
    input.forEach((v, i) => {
        if (typeof v !== "string")
            throw new ValidationError(
                joinPath(joinPath(field, key), i),
                v,
                `a string (pass ${key} as separate arguments, or { ${key}: [...] })`,
            );
    });
    return { list: [...input], args: {}, given: {} };
}
