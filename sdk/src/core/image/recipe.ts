/**
 * The recipe of an Image: the calls that made it, as data (the form the multi-language
 * package takes: `Image.toSpec()`, `imageFromSpec`). The core's own plain types; the
 * data form's zod schema (spec/schema.ts) has the same shape, which
 * spec/image-from-spec.ts asserts at compile time.
 */
import { copyData, definedFields } from "../objects";
import { normalizeSecret } from "../secret";
import type { SecretMountInput } from "./build-secrets";
import type { Architecture } from "./checks";

/** A build secret mount; `byKey`: given as the bare key string (flyte-sdk hashes `"x"` and `Secret(key="x")` differently). */
export interface SecretMountSpec {
    key: string;
    group?: string;
    mount?: string;
    asEnvVar?: string;
    byKey?: boolean;
}

/** pip options of a call. */
export interface PipOptionsSpec {
    indexUrl?: string;
    extraIndexUrls?: string[];
    pre?: boolean;
    extraArgs?: string;
    secretMounts?: SecretMountSpec[];
}

export interface DebianBaseSpec {
    python?: string;
    flyteVersion?: string;
    installFlyte?: boolean;
    registry?: string;
    name?: string;
    platform?: Architecture[];
}

export interface DockerfileSpec {
    file: string;
    name: string;
    registry?: string;
    platform?: Architecture[];
}

export interface UvScriptSpec extends PipOptionsSpec {
    script: string;
    name: string;
    registry?: string;
    python?: string;
    platform?: Architecture[];
}

export interface CloneSpec {
    registry?: string;
    name?: string;
    extendable?: boolean;
    platform?: Architecture[];
}

/** One builder call after the source: exactly one field, named after the method. */
export interface ImageLayerSpec {
    clone?: CloneSpec;
    aptPackages?: { packages: string[]; secretMounts?: SecretMountSpec[] };
    pipPackages?: { packages: string[] } & PipOptionsSpec;
    requirements?: { file: string } & PipOptionsSpec;
    envVars?: { name: string; value: string }[];
    commands?: { commands: string[]; secretMounts?: SecretMountSpec[] };
    workdir?: string;
    sourceFile?: { src: string[]; dst?: string };
    sourceFolder?: { src: string; dst?: string; copyContentsOnly?: boolean };
    dockerignore?: string;
    localV2?: { distDir?: string };
    /** flyte-sdk's default-image LABEL lines (the flyte_pulumi companion's `_DockerLines`). */
    dockerLines?: { lines: string[] };
    /** A uv script's dependencies as a layer (flyte-sdk's `UVScript`). */
    uvScript?: { script: string } & PipOptionsSpec;
}

/** An image as data: one source and the layers added on top. */
export interface ImageSpec {
    fromDebianBase?: DebianBaseSpec;
    fromBase?: string;
    fromDockerfile?: DockerfileSpec;
    fromUvScript?: UvScriptSpec;
    layers?: ImageLayerSpec[];
    baseDir?: string;
    /** The URI flyte-sdk computed for the same image (set by the companion; checked, never recorded). */
    flyteUri?: string;
}

/** The source call and the layer calls of an image, in the data form of `ImageSpec`. */
export interface Recipe {
    readonly source: Readonly<Omit<ImageSpec, "layers" | "baseDir" | "flyteUri">>;
    readonly layers: readonly ImageLayerSpec[];
}

/** The recipe with one more layer call. */
export function withStep(recipe: Recipe, step: ImageLayerSpec): Recipe {
    return { source: recipe.source, layers: [...recipe.layers, freezeDeep(step)] };
}

/** A recipe frozen to its leaves (images are immutable). */
export function frozenRecipe(recipe: Recipe): Recipe {
    return Object.freeze({ source: freezeDeep(recipe.source), layers: Object.freeze(recipe.layers) });
}

/** The recipe as data (a copy): `ImageSpec`, the multi-language package's form. */
export function specOf(recipe: Recipe): ImageSpec {
    const source = copyData(recipe.source) as ImageSpec;
    return recipe.layers.length ? { ...source, layers: copyData(recipe.layers) as ImageLayerSpec[] } : source;
}

function freezeDeep<T>(value: T): T {
    if (value && typeof value === "object" && !Object.isFrozen(value)) {
        for (const v of Object.values(value)) freezeDeep(v);
        Object.freeze(value);
    }
    return value;
}

/** Secret mounts in the data form: a bare key string keeps `byKey` (flyte-sdk hashes it differently from a Secret). */
export function mountSpecs(value: unknown): SecretMountSpec[] | undefined {
    if (value === undefined || value === null) return undefined;
    const list = (Array.isArray(value) ? value : [value]) as SecretMountInput[];
    return list.map((m) => {
        if (typeof m === "string") return { key: m, byKey: true };
        const s = normalizeSecret(m);
        return definedFields({ key: s.key, group: s.group, mount: s.mount, asEnvVar: s.asEnvVar });
    });
}

/** The pip options of a call, in the data form. */
export function pipSpec(a: {
    indexUrl?: string;
    extraIndexUrls?: string | readonly string[];
    pre?: boolean;
    extraArgs?: string;
    secretMounts?: unknown;
}): PipOptionsSpec {
    const extra =
        a.extraIndexUrls === undefined
            ? undefined
            : Array.isArray(a.extraIndexUrls)
              ? [...a.extraIndexUrls]
              : [a.extraIndexUrls as string];
    return definedFields({
        indexUrl: a.indexUrl,
        extraIndexUrls: extra,
        pre: a.pre,
        extraArgs: a.extraArgs,
        secretMounts: mountSpecs(a.secretMounts),
    });
}
