import * as path from "path";
import { ValidationError, joinPath } from "../core/errors";
import { Image } from "../core/image";
import { SecretMountInput } from "../core/image/build-secrets";
import type * as recipe from "../core/image/recipe";
import { atCallerPaths } from "./paths";
import { parseSpec } from "./parse";
import { Image as ImageSchema, ImageLayerSpec, ImageSpec, SecretMountSpec } from "./schema";

const SOURCES = ["fromDebianBase", "fromBase", "fromDockerfile", "fromUvScript"] as const;
const LAYER_METHODS: Record<keyof ImageLayerSpec, string> = {
    clone: "clone",
    aptPackages: "withAptPackages",
    pipPackages: "withPipPackages",
    requirements: "withRequirements",
    envVars: "withEnvVars",
    commands: "withCommands",
    workdir: "withWorkdir",
    sourceFile: "withSourceFile",
    sourceFolder: "withSourceFolder",
    dockerignore: "withDockerignore",
    localV2: "withLocalV2",
    dockerLines: "dockerLines",
    uvScript: "uvScript",
};

/** Both ways assignable. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type OptionalKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? K : never }[keyof T];
/** The same fields at every level, optional in both or in neither, of the same types. */
type SameShape<A, B> = [A] extends [readonly (infer EA)[]]
    ? [B] extends [readonly (infer EB)[]]
        ? SameShape<EA, EB>
        : false
    : [A] extends [object]
      ? [B] extends [object]
          ? [Same<keyof A, keyof B>, Same<OptionalKeys<A>, OptionalKeys<B>>] extends [true, true]
              ? { [K in keyof A & keyof B]-?: SameShape<NonNullable<A[K]>, NonNullable<B[K]>> }[keyof A &
                    keyof B] extends true
                  ? true
                  : false
              : false
          : false
      : Same<A, B>;
/**
 * The data form's Image (spec/schema.ts) and the core's recipe (core/image/recipe.ts)
 * are one shape: a field added to one and not the other fails the build here.
 */
export type ImageSchemaIsRecipe = SameShape<ImageSpec, recipe.ImageSpec>;
const imageSchemaIsRecipe: ImageSchemaIsRecipe = true;
void imageSchemaIsRecipe;

export interface ImageFromSpecOptions {
    /** Directory relative local paths are resolved from when the spec names no `baseDir` (default: the working directory). */
    baseDir?: string;
}

/**
 * The Image an `ImageSpec` describes: its source call, then each layer's method, in
 * order — so the tag and the Dockerfile are exactly the builder's (`Image.toSpec()`
 * gives the spec back). Errors name the spec's own fields (`image.layers[2].pipPackages.packages[0]`).
 */
export function imageFromSpec(spec: ImageSpec, field = "image", options: ImageFromSpecOptions = {}): Image {
    const data = parseSpec(ImageSchema, spec, field);
    const sources = SOURCES.filter((s) => data[s] !== undefined);
    if (sources.length > 1) {
        throw new ValidationError(
            joinPath(field, sources[1]),
            sources,
            `an image has one source; it sets ${sources.join(" and ")}`,
        );
    }
    const baseDir = data.baseDir ?? options.baseDir;
    const local = (p: string) => (baseDir === undefined || path.isAbsolute(p) ? p : path.join(baseDir, p));
    const source = sources[0] ?? "fromDebianBase";
    const sourceRules = [
        [`${source}.uri`, joinPath(field, source)],
        [source, joinPath(field, source)],
    ] as const;
    let image = atCallerPaths(sourceRules, () => sourceImage(data, source, joinPath(field, source), local));
    (data.layers ?? []).forEach((l, i) => {
        const at = joinPath(joinPath(field, "layers"), i);
        const keys = Object.keys(l) as (keyof ImageLayerSpec)[];
        if (keys.length !== 1) {
            throw new ValidationError(at, keys, `a layer sets exactly one of ${Object.keys(LAYER_METHODS).join(", ")}`);
        }
        const key = keys[0];
        const here = joinPath(at, key);
        const method = LAYER_METHODS[key];
        image = atCallerPaths(
            [
                [`${method}.workdir`, here],
                [`${method}.path`, here],
                [method, here],
            ],
            () => applyLayer(image, l, here, local),
        );
    });
    // the tag reads the files the image copies: a file gone since is reported at its layer
    const lastLayer = new Map<string, string>();
    (data.layers ?? []).forEach((l, i) => {
        for (const k of Object.keys(l))
            lastLayer.set(
                LAYER_METHODS[k as keyof ImageLayerSpec],
                joinPath(joinPath(joinPath(field, "layers"), i), k),
            );
    });
    const uri = atCallerPaths([...lastLayer.entries()], () => image.uri);
    if (data.flyteUri !== undefined && data.flyteUri !== uri) {
        throw new ValidationError(
            joinPath(field, "flyteUri"),
            data.flyteUri,
            `the URI flyte-sdk computed for this image, but its definition gives ${uri} here: a field or a file the tag depends on differs (the flyte_pulumi companion maps every layer; report the image's layers)`,
        );
    }
    return image;
}

function applyLayer(image: Image, l: ImageLayerSpec, field: string, local: (p: string) => string): Image {
    if (l.clone) return image.clone(l.clone);
    if (l.aptPackages)
        return image.withAptPackages({
            packages: l.aptPackages.packages,
            ...mounts(l.aptPackages.secretMounts, joinPath(field, "secretMounts")),
        });
    if (l.pipPackages) {
        const { secretMounts, ...rest } = l.pipPackages;
        return image.withPipPackages({ ...rest, ...mounts(secretMounts, joinPath(field, "secretMounts")) });
    }
    if (l.requirements) {
        const { file, secretMounts, ...rest } = l.requirements;
        return image.withRequirements(local(file), {
            ...rest,
            ...mounts(secretMounts, joinPath(field, "secretMounts")),
        });
    }
    if (l.envVars) {
        const vars = new Map<string, string>();
        l.envVars.forEach((v, i) => {
            if (vars.has(v.name))
                throw new ValidationError(joinPath(joinPath(field, i), "name"), v.name, "each variable once");
            vars.set(v.name, v.value);
        });
        return image.withEnvVars(vars);
    }
    if (l.commands)
        return image.withCommands({
            commands: l.commands.commands,
            ...mounts(l.commands.secretMounts, joinPath(field, "secretMounts")),
        });
    if (l.workdir !== undefined) return image.withWorkdir(l.workdir);
    if (l.sourceFile) return image.withSourceFile(l.sourceFile.src.map(local), l.sourceFile.dst);
    if (l.sourceFolder) {
        const { src, dst, ...rest } = l.sourceFolder;
        return image.withSourceFolder(local(src), dst, rest);
    }
    if (l.dockerignore !== undefined) return image.withDockerignore(local(l.dockerignore));
    if (l.dockerLines) return image.withDockerLines(l.dockerLines.lines);
    if (l.uvScript) {
        const { script, secretMounts, ...rest } = l.uvScript;
        return image.withUvScript(local(script), { ...rest, ...mounts(secretMounts, joinPath(field, "secretMounts")) });
    }
    return image.withLocalV2(l.localV2?.distDir === undefined ? {} : { distDir: local(l.localV2.distDir) });
}

/** The image its source call makes (`field`: the source's place in the data form). */
function sourceImage(
    data: ImageSpec,
    source: (typeof SOURCES)[number],
    field: string,
    local: (p: string) => string,
): Image {
    switch (source) {
        case "fromBase":
            return Image.fromBase(data.fromBase!);
        case "fromDockerfile": {
            const { file, ...rest } = data.fromDockerfile!;
            return Image.fromDockerfile(local(file), rest);
        }
        case "fromUvScript": {
            const { script, secretMounts, ...rest } = data.fromUvScript!;
            return Image.fromUvScript(local(script), {
                ...rest,
                ...mounts(secretMounts, joinPath(field, "secretMounts")),
            });
        }
        default:
            return Image.fromDebianBase(data.fromDebianBase ?? {});
    }
}

/** Data-form secret mounts as the builder takes them: `byKey` is the bare key string. */
function mounts(list: SecretMountSpec[] | undefined, field: string): { secretMounts?: SecretMountInput[] } {
    if (list === undefined) return {};
    return {
        secretMounts: list.map((m, i) => {
            const { byKey, ...secret } = m;
            if (!byKey) return secret;
            const extra = Object.keys(secret).filter((k) => k !== "key");
            if (extra.length)
                throw new ValidationError(
                    joinPath(joinPath(field, i), extra[0]),
                    (secret as Record<string, unknown>)[extra[0]],
                    "a mount given by key (byKey: true) has only a key",
                );
            return secret.key;
        }),
    };
}
