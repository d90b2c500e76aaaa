import { ValidationError, joinPath } from "../errors";
import { checkObject, normalizeArgs, parseArgs } from "../validate";
import {
    Architecture,
    checkAptPackage,
    checkCommand,
    checkEnvName,
    checkEnvValue,
    checkHostPath,
    checkImagePath,
    checkImageReference,
    checkPipRequirement,
} from "./checks";
import { imageSettings } from "./config";
import { ContextEntry, contextEntries } from "./context-entries";
import { DEFAULT_PYTHON, FLYTE_VERSION, debianBase, debianBaseLayers, presetTag } from "./defaults";
import { DockerfileOptions, renderDockerfile } from "./dockerfile";
import type * as ImageArgs from "./image-args";
import {
    cloneArgsSchema,
    commandsArgsSchema,
    commandsOptionsSchema,
    debianBaseArgsSchema,
    dockerfileArgsSchema,
    listOrArgs,
    localV2ArgsSchema,
    packagesArgsSchema,
    pipOptionsArgsSchema,
    pipPackagesArgsSchema,
    sourceFolderOptionsSchema,
    uvScriptArgsSchema,
} from "./image-args";
import { Layer, NO_PIP_OPTIONS, layer } from "./layers";
import { PipOptionsArgs, pipOptions } from "./pip-options";
import { pathName } from "./pycompat";
import { BuildSecret, SecretMount, SecretMountInput, buildSecretId, toBuildSecret } from "./build-secrets";
import { definedFields } from "../objects";
import { isDir, isFile, listWheels } from "./sources";
import { computeTag } from "./tag";
import { readUvScript } from "./uvscript";
import { programSlot } from "../../runtime/program-state";
import { ImageLayerSpec, ImageSpec, Recipe, frozenRecipe, mountSpecs, pipSpec, specOf, withStep } from "./recipe";

interface ImageState {
    baseImage?: string;
    dockerfilePath?: string;
    registry?: string;
    name?: string;
    platform: readonly Architecture[];
    python: string;
    extendable: boolean;
    isCloned: boolean;
    presetTag?: string;
    layers: readonly Layer[];
    rootDir?: string;
    /** The calls that made this image, as data (what `toSpec()` returns). */
    recipe?: Recipe;
}

/** `LABEL k=v ...` on one line (flyte-sdk's default images' `_DockerLines`). */
const DOCKER_LABEL_LINE = /^LABEL [^\r\n]+$/;
const DEFAULT_PLATFORMS: readonly Architecture[] = Object.freeze(["linux/amd64", "linux/arm64"] as Architecture[]);
const SINGLE_PLATFORM: readonly Architecture[] = Object.freeze(["linux/amd64"] as Architecture[]);
// tags computed so far (a tag reads the image's local files: computed once per image)
const tags = programSlot("image tags", () => new WeakMap<Image, string>());

/**
 * A container image definition, Flyte's model: start from a `from*` constructor, add
 * layers with `with*` methods. Every method returns a new frozen Image; arrays and
 * maps given are copied. The tag is content-addressed exactly as flyte-sdk 2.12.1
 * computes it, so the same image defined with flyte-sdk gets the same URI.
 */
export class Image {
    /** The image built on (a reference), unless built from a Dockerfile. */
    readonly baseImage?: string;
    /** The user Dockerfile (fromDockerfile). */
    readonly dockerfilePath?: string;
    /** Registry the image is pushed to (undefined for a never-cloned fromBase image). */
    readonly registry?: string;
    readonly name?: string;
    readonly platform: readonly Architecture[];
    /** Python version "M.m" of Flyte-made images. */
    readonly python: string;
    /** Whether layers may be added. */
    readonly extendable: boolean;
    readonly layers: readonly Layer[];
    /** False for an image used as is (fromBase / the released default): nothing to build. */
    readonly isCloned: boolean;
    private readonly presetTag?: string;
    private readonly rootDir?: string;
    private readonly recipe?: Recipe;

    /** Images are made with the `from*` constructors and changed with the `with*` methods. */
    private constructor(state: ImageState) {
        // a JavaScript caller can still reach the constructor: refuse anything but an image's state
        if (state === null || typeof state !== "object" || !Array.isArray(state.layers)) {
            throw new TypeError("use Image.fromDebianBase(), fromBase(), fromDockerfile() or fromUvScript()");
        }
        if (state.baseImage !== undefined) this.baseImage = state.baseImage;
        if (state.dockerfilePath !== undefined) this.dockerfilePath = state.dockerfilePath;
        if (state.registry !== undefined) this.registry = state.registry;
        if (state.name !== undefined) this.name = state.name;
        this.platform = state.platform;
        this.python = state.python;
        this.extendable = state.extendable;
        this.isCloned = state.isCloned;
        if (state.presetTag !== undefined) this.presetTag = state.presetTag;
        this.layers = Object.freeze([...state.layers]);
        if (state.rootDir !== undefined) this.rootDir = state.rootDir;
        if (state.recipe !== undefined) this.recipe = state.recipe;
        Object.freeze(this);
    }

    // ------------------------------------------------------------------ constructors

    /**
     * Flyte's default image. With `installFlyte` (default) this is the released
     * `ghcr.io/flyteorg/flyte:py<M.m>-v<flyteVersion>`, used as is until a layer, a
     * registry or a name is added; without, `python:<M.m>-slim-bookworm` plus the
     * `flyte` user, WORKDIR /home/flyte, the /opt/venv environment and apt
     * build-essential + ca-certificates (tagged "py<M.m>" until changed).
     */
    static fromDebianBase(args: ImageArgs.DebianBaseArgs = {}): Image {
        const a = normalizeArgs(debianBaseArgsSchema, args, "fromDebianBase");
        const python = a.python ?? DEFAULT_PYTHON;
        const platform = a.platform ?? DEFAULT_PLATFORMS;
        const settings = imageSettings();
        const common = {
            registry: settings.registry,
            name: "flyte",
            python,
            platform,
            extendable: true,
            rootDir: settings.rootDir,
        };
        const image =
            (a.installFlyte ?? true)
                ? new Image({
                      ...common,
                      baseImage: `ghcr.io/flyteorg/flyte:${presetTag(python, a.flyteVersion ?? FLYTE_VERSION)}`,
                      isCloned: false,
                      layers: [],
                  })
                : new Image({
                      ...common,
                      baseImage: debianBase(python),
                      isCloned: true,
                      layers: debianBaseLayers(),
                      presetTag: presetTag(python),
                  });
        const made =
            a.registry !== undefined || a.name !== undefined
                ? image.cloneWith({ registry: a.registry, name: a.name, extendable: true })
                : image;
        return made.madeBy({
            source: {
                fromDebianBase: definedFields({
                    python: a.python,
                    flyteVersion: a.flyteVersion,
                    installFlyte: a.installFlyte,
                    registry: a.registry,
                    name: a.name,
                    platform: a.platform && [...a.platform],
                }),
            },
            layers: [],
        });
    }

    /** A prebuilt image used as is (its URI is the reference) until cloned. */
    static fromBase(uri: string): Image {
        const ref = checkImageReference("fromBase.uri", uri);
        const settings = imageSettings();
        return new Image({
            baseImage: ref,
            platform: SINGLE_PLATFORM,
            python: DEFAULT_PYTHON,
            extendable: false,
            isCloned: false,
            layers: [],
            rootDir: settings.rootDir,
            recipe: { source: { fromBase: uri }, layers: [] },
        });
    }

    /**
     * An image built from your own Dockerfile, with its folder as the build context.
     * No layers can be added (Flyte cannot know what the Dockerfile sets up).
     */
    static fromDockerfile(file: string, args: ImageArgs.DockerfileArgs): Image {
        const f = "fromDockerfile";
        const path = checkHostPath(joinPath(f, "file"), file);
        if (!isFile(path)) throw new ValidationError(joinPath(f, "file"), file, "an existing Dockerfile");
        const a = normalizeArgs(dockerfileArgsSchema, args, f);
        const settings = imageSettings();
        return new Image({
            recipe: {
                source: {
                    fromDockerfile: definedFields({
                        file,
                        name: args.name,
                        registry: args.registry,
                        platform: a.platform && [...a.platform],
                    }),
                },
                layers: [],
            },
            dockerfilePath: path,
            registry: a.registry ?? settings.registry,
            name: a.name!,
            platform: a.platform ?? SINGLE_PLATFORM,
            python: DEFAULT_PYTHON,
            extendable: false,
            isCloned: true,
            layers: [],
            rootDir: settings.rootDir,
        });
    }

    /**
     * An image for a uv script: Flyte's Debian base without flyte, plus the
     * dependencies of the script's `# /// script` block (installed with pip).
     */
    static fromUvScript(script: string, args: ImageArgs.UvScriptArgs): Image {
        const f = "fromUvScript";
        const path = checkHostPath(joinPath(f, "script"), script);
        if (!path.endsWith(".py"))
            throw new ValidationError(joinPath(f, "script"), script, "a Python script path ending in .py");
        const a = normalizeArgs(uvScriptArgsSchema, args, f);
        const metadata = readUvScript(path, joinPath(f, "script"));
        const base = Image.fromDebianBase({
            installFlyte: false,
            name: a.name,
            ...definedFields({ registry: a.registry, python: a.python, platform: a.platform }),
        });
        return base.addLayer(f, layer({ kind: "uvScript", script: path, metadata, ...pipOptions(a) })).madeBy({
            source: {
                fromUvScript: {
                    script,
                    name: args.name,
                    ...definedFields({
                        registry: args.registry,
                        python: args.python,
                        platform: a.platform && [...a.platform],
                    }),
                    ...pipSpec(args),
                },
            },
            layers: [],
        });
    }

    // ------------------------------------------------------------------ derived values

    /** `<registry>/<name>:<tag>`, or the base reference of an image used as is. */
    get uri(): string {
        if (!this.isCloned) return this.baseImage!;
        return this.registry ? `${this.registry}/${this.name}:${this.tag}` : `${this.name}:${this.tag}`;
    }

    /**
     * The content-addressed tag (md5 hex, flyte-sdk's formula; reads the local files the
     * image copies), Flyte's preset tag for an unchanged default image, or the tag of
     * the base reference for an image used as is.
     */
    get tag(): string {
        if (!this.isCloned) return referenceTag(this.baseImage!);
        if (this.presetTag !== undefined) return this.presetTag;
        let t = tags().get(this);
        if (t === undefined) {
            t = computeTag(this, this.rootDir);
            tags().set(this, t);
        }
        return t;
    }

    /** Whether an image build is needed (Flyte: only images changed from their base). */
    get needsBuild(): boolean {
        return this.isCloned;
    }

    /** The generated Dockerfile (no mirrors); see `renderDockerfile` for options. */
    get dockerfile(): string {
        return renderDockerfile(this);
    }

    /** Renders the Dockerfile with options (e.g. base image mirrors). */
    renderDockerfile(options: DockerfileOptions = {}): string {
        return renderDockerfile(this, options);
    }

    /** The local files and folders the build context must contain, with their context paths and ignore rules. */
    get buildContext(): readonly ContextEntry[] {
        return Object.freeze(contextEntries(this.layers, this.rootDir));
    }

    /** @internal The `flyte.init` root directory captured when the image was created. */
    get initRootDir(): string | undefined {
        return this.rootDir;
    }

    /** The secrets the build must provide, one per BuildKit id, in first-use order. */
    get buildSecrets(): readonly BuildSecret[] {
        const seen = new Map<string, BuildSecret>();
        for (const l of this.layers) {
            if (!("secretMounts" in l)) continue;
            for (const m of l.secretMounts) {
                const b = toBuildSecret(m.secret);
                if (!seen.has(b.id)) seen.set(b.id, b);
            }
        }
        return Object.freeze([...seen.values()]);
    }

    // ------------------------------------------------------------------ layers

    /**
     * apt packages (`apt-get install --no-install-recommends`), e.g.
     * `withAptPackages("git", "curl")` or `withAptPackages({ packages, secretMounts })`.
     */
    withAptPackages(...packages: string[]): Image;
    withAptPackages(args: {
        packages: readonly string[];
        secretMounts?: SecretMountInput | readonly SecretMountInput[];
    }): Image;
    withAptPackages(...input: unknown[]): Image {
        const f = "withAptPackages";
        const { list, args, given } = listOrArgs(f, input, "packages", packagesArgsSchema);
        const packages = list.map((p, i) => checkAptPackage(joinPath(joinPath(f, "packages"), i), p));
        return this.addLayer(
            f,
            layer({ kind: "apt", packages: Object.freeze(packages), secretMounts: mountsOf(args) }),
        ).recorded(this, {
            aptPackages: { packages, ...definedFields({ secretMounts: mountSpecs(given.secretMounts) }) },
        });
    }

    /**
     * pip requirements installed into /opt/venv: `withPipPackages("pandas>=2", "pyarrow")`
     * or `withPipPackages({ packages, indexUrl, extraIndexUrls, pre, extraArgs, secretMounts })`.
     */
    withPipPackages(...packages: string[]): Image;
    withPipPackages(args: ImageArgs.PipPackagesArgs): Image;
    withPipPackages(...input: unknown[]): Image {
        const f = "withPipPackages";
        const { list, args, given } = listOrArgs(f, input, "packages", pipPackagesArgsSchema);
        const packages = list.map((p, i) => checkPipRequirement(joinPath(joinPath(f, "packages"), i), p));
        return this.addLayer(
            f,
            layer({ kind: "pip", packages: Object.freeze(packages), ...pipOptions(args) }),
        ).recorded(this, { pipPackages: { packages, ...pipSpec(given) } });
    }

    /** A requirements file (must end in .txt, as in Flyte), installed with `pip install -r`. */
    withRequirements(file: string, options: PipOptionsArgs = {}): Image {
        const f = "withRequirements";
        const path = checkHostPath(joinPath(f, "file"), file);
        if (!path.endsWith(".txt"))
            throw new ValidationError(joinPath(f, "file"), file, "a requirements file with a .txt extension");
        if (!isFile(path)) throw new ValidationError(joinPath(f, "file"), file, "an existing requirements file");
        const valid = normalizeArgs(pipOptionsArgsSchema, options, f);
        return this.addLayer(f, layer({ kind: "requirements", file: path, ...pipOptions(valid) })).recorded(this, {
            requirements: { file, ...pipSpec(options) },
        });
    }

    /** Environment variables, in the order given (`ENV` instructions). */
    withEnvVars(vars: Readonly<Record<string, string>> | ReadonlyMap<string, string>): Image {
        const f = "withEnvVars";
        const entries =
            vars instanceof Map
                ? [...vars.entries()]
                : (checkObject(f, vars, "a map of variable name -> value"), Object.entries(vars));
        const pairs = entries.map(([k, v]) => {
            checkEnvName(joinPath(f, String(k)), k);
            return Object.freeze([k, checkEnvValue(joinPath(f, String(k)), v)] as const);
        });
        return this.addLayer(f, layer({ kind: "env", envVars: Object.freeze(pairs) })).recorded(this, {
            envVars: pairs.map(([name, value]) => ({ name, value })),
        });
    }

    /**
     * Shell commands, one `RUN` each: `withCommands("a", "b")`,
     * `withCommands(["a", "b"], { secretMounts })` or `withCommands({ commands, secretMounts })`.
     */
    withCommands(...commands: string[]): Image;
    withCommands(
        commands: readonly string[],
        options?: { secretMounts?: SecretMountInput | readonly SecretMountInput[] },
    ): Image;
    withCommands(args: {
        commands: readonly string[];
        secretMounts?: SecretMountInput | readonly SecretMountInput[];
    }): Image;
    withCommands(...input: unknown[]): Image {
        const f = "withCommands";
        let normalized = input;
        if (Array.isArray(input[0])) {
            if (input.length > 2) throw new ValidationError(f, input, "withCommands(list, { secretMounts? })");
            const opts = input[1] ?? {};
            parseArgs(commandsOptionsSchema, opts, f);
            normalized = [{ commands: input[0], ...(opts as object) }];
        }
        const { list, args, given } = listOrArgs(f, normalized, "commands", commandsArgsSchema);
        const commands = list.map((c, i) => checkCommand(joinPath(joinPath(f, "commands"), i), c));
        return this.addLayer(
            f,
            layer({ kind: "commands", commands: Object.freeze(commands), secretMounts: mountsOf(args) }),
        ).recorded(this, {
            commands: { commands, ...definedFields({ secretMounts: mountSpecs(given.secretMounts) }) },
        });
    }

    /** Sets the working directory (`WORKDIR`). */
    withWorkdir(workdir: string): Image {
        return this.addLayer(
            "withWorkdir",
            layer({ kind: "workdir", workdir: checkImagePath("withWorkdir.workdir", workdir) }),
        ).recorded(this, { workdir });
    }

    /** Copies local file(s) to `dst` (default ".", the working directory). */
    withSourceFile(src: string | readonly string[], dst = "."): Image {
        const f = "withSourceFile";
        const target = checkImagePath(joinPath(f, "dst"), dst);
        const single = typeof src === "string";
        const list: unknown[] = single ? [src] : Array.isArray(src) ? [...src] : [src];
        if (list.length === 0)
            throw new ValidationError(joinPath(f, "src"), src, "a file path or a non-empty list of them");
        const paths = list.map((s, i) => {
            const field = single ? joinPath(f, "src") : joinPath(joinPath(f, "src"), i);
            const p = checkHostPath(field, s);
            if (!isFile(p)) throw new ValidationError(field, s, "an existing file");
            return p;
        });
        const names = paths.map((p) => pathName(p));
        const dup = names.find((n, i) => names.indexOf(n) !== i);
        if (dup !== undefined)
            throw new ValidationError(
                joinPath(f, "src"),
                src,
                `files with distinct names: two files named "${dup}" would overwrite each other at "${target}"`,
            );
        const image = paths.reduce<Image>(
            (img, p) => img.addLayer(f, layer({ kind: "copy", pathType: "file", src: p, dst: target })),
            this,
        );
        return image.recorded(this, { sourceFile: { src: list as string[], dst } });
    }

    /**
     * Copies a local folder into the image, honouring .dockerignore (its own, or the
     * image's withDockerignore). `dst` "." (default) means "./<folder name>", unless
     * `copyContentsOnly`.
     */
    withSourceFolder(src: string, dst = ".", options: ImageArgs.SourceFolderOptions = {}): Image {
        const f = "withSourceFolder";
        const path = checkHostPath(joinPath(f, "src"), src);
        if (!isDir(path)) throw new ValidationError(joinPath(f, "src"), src, "an existing directory");
        parseArgs(sourceFolderOptionsSchema, options, f);
        let target = checkImagePath(joinPath(f, "dst"), dst);
        if (!options.copyContentsOnly && target === ".") target = `./${pathName(path)}`;
        return this.addLayer(f, layer({ kind: "copy", pathType: "folder", src: path, dst: target })).recorded(this, {
            sourceFolder: {
                src,
                dst,
                ...definedFields({ copyContentsOnly: options.copyContentsOnly as boolean | undefined }),
            },
        });
    }

    /**
     * The .dockerignore for every source layer of this image (the last one given wins).
     * As in flyte-sdk, the patterns are relative to the file's directory.
     */
    withDockerignore(path: string): Image {
        const f = "withDockerignore.path";
        const p = checkHostPath(f, path);
        if (pathName(p) !== ".dockerignore")
            throw new ValidationError(
                f,
                path,
                "a path to a file named .dockerignore (flyte-sdk reads the .dockerignore of that directory)",
            );
        if (!isFile(p)) throw new ValidationError(f, path, "an existing .dockerignore file");
        return this.addLayer("withDockerignore", layer({ kind: "dockerignore", path: p })).recorded(this, {
            dockerignore: path,
        });
    }

    /**
     * Installs locally built flyte wheels from `distDir` (flyte's `with_local_v2`): the
     * `flyte` package (dependencies from the index, then the local wheel forced), and a
     * `flyteidl2` wheel from the same folder if there is one.
     */
    withLocalV2(args: ImageArgs.LocalV2Args = {}): Image {
        const f = "withLocalV2";
        const dir = normalizeArgs(localV2ArgsSchema, args, f).distDir ?? "dist";
        if (!isDir(dir))
            throw new ValidationError(
                joinPath(f, "distDir"),
                dir,
                "an existing folder of built wheels (e.g. from `python -m build`)",
            );
        let image = this.addLayer(
            f,
            layer({ kind: "pythonWheels", wheelDir: dir, packageName: "flyte", ...NO_PIP_OPTIONS }),
        );
        const idl = listWheels(dir)
            .map((p) => pathName(p))
            .filter((n) => n.startsWith("flyteidl2-"))
            .sort();
        if (idl.length > 1)
            throw new ValidationError(joinPath(f, "distDir"), idl, "at most one flyteidl2 wheel in the folder");
        if (idl.length === 1)
            image = image.addLayer(
                f,
                layer({ kind: "pythonWheels", wheelDir: dir, packageName: "flyteidl2", ...NO_PIP_OPTIONS }),
            );
        return image.recorded(this, { localV2: definedFields({ distDir: args.distDir as string | undefined }) });
    }

    /**
     * @internal flyte-sdk's raw Dockerfile lines (its `_DockerLines`, which only its default
     * images use, for their LABELs): the data form's `dockerLines` layer, so an image flyte-sdk
     * made is reproduced layer for layer. Only `LABEL` lines are accepted.
     */
    withDockerLines(lines: readonly string[]): Image {
        const f = "dockerLines";
        if (!Array.isArray(lines) || lines.length === 0)
            throw new ValidationError(joinPath(f, "lines"), lines, "a non-empty list of LABEL lines");
        lines.forEach((line, i) => {
            if (typeof line !== "string" || !DOCKER_LABEL_LINE.test(line))
                throw new ValidationError(
                    joinPath(joinPath(f, "lines"), i),
                    line,
                    "a Dockerfile LABEL line on one line (LABEL key=value ...): flyte-sdk's default images only label",
                );
        });
        return this.addLayer(f, layer({ kind: "dockerLines", lines: Object.freeze([...lines]) })).recorded(this, {
            dockerLines: { lines: [...lines] },
        });
    }

    /**
     * @internal The dependencies of a uv script's `# /// script` block as a layer on this
     * image (flyte-sdk's `UVScript` layer, which `fromUvScript` adds to Flyte's Debian base):
     * the data form's `uvScript` layer.
     */
    withUvScript(script: string, options: PipOptionsArgs = {}): Image {
        const f = "uvScript";
        const path = checkHostPath(joinPath(f, "script"), script);
        if (!path.endsWith(".py"))
            throw new ValidationError(joinPath(f, "script"), script, "a Python script path ending in .py");
        const a = normalizeArgs(pipOptionsArgsSchema, options, f);
        const metadata = readUvScript(path, joinPath(f, "script"));
        return this.addLayer(f, layer({ kind: "uvScript", script: path, metadata, ...pipOptions(a) })).recorded(this, {
            uvScript: { script, ...pipSpec(options) },
        });
    }

    /** A copy with another registry, name, extendability or platform; marks the image as to be built. */
    clone(args: ImageArgs.CloneArgs = {}): Image {
        const a = normalizeArgs(cloneArgsSchema, args, "clone");
        return this.cloneWith(a).recorded(this, {
            clone: definedFields({ ...a, platform: a.platform && [...a.platform] }),
        });
    }

    private cloneWith(a: {
        registry?: string;
        name?: string;
        extendable?: boolean;
        platform?: readonly Architecture[];
    }): Image {
        const name = a.name ?? this.name;
        if (name === undefined)
            throw new ValidationError(
                "clone.name",
                undefined,
                "a name for the image (an image from fromBase has none)",
            );
        return new Image({
            ...this.state(),
            // flyte-sdk: a clone keeps the image's registry; an image without one (fromBase)
            // stays without ("name:tag"), whatever registry is configured
            registry: a.registry ?? this.registry,
            name,
            platform: a.platform ?? this.platform,
            extendable: a.extendable ?? this.extendable,
            isCloned: true,
            presetTag: undefined,
        });
    }

    private addLayer(method: string, l: Layer): Image {
        if ("secretMounts" in l) checkBuildSecretIds(method, [...this.layers, l]);
        if (this.dockerfilePath !== undefined) {
            throw new ValidationError(
                method,
                this.dockerfilePath,
                "no layers on a Dockerfile-based image; put these steps in the Dockerfile",
            );
        }
        if (!this.extendable) {
            throw new ValidationError(
                method,
                this.baseImage,
                "layers need an extendable image: call .clone({ name, extendable: true }) first (Image.fromBase images are not extendable, as in Flyte)",
            );
        }
        return new Image({
            ...this.cloneWith({}).state(),
            layers: [...this.layers, l],
        });
    }

    private state(): ImageState {
        return {
            baseImage: this.baseImage,
            dockerfilePath: this.dockerfilePath,
            registry: this.registry,
            name: this.name,
            platform: this.platform,
            python: this.python,
            extendable: this.extendable,
            isCloned: this.isCloned,
            presetTag: this.presetTag,
            layers: this.layers,
            rootDir: this.rootDir,
            recipe: this.recipe,
        };
    }

    /** This image with `step` appended to the recipe of `before` (the image the method was called on). */
    private recorded(before: Image, step: ImageLayerSpec): Image {
        return this.madeBy(before.recipe && withStep(before.recipe, step));
    }

    private madeBy(recipe: Recipe | undefined): Image {
        return new Image({ ...this.state(), recipe: recipe && frozenRecipe(recipe) });
    }

    /**
     * The image as data: its source and its layers in order, the form the multi-language
     * package takes (`ImageSpec`). `Image.fromSpec(image.toSpec())` is the same image:
     * same tag, same Dockerfile.
     */
    toSpec(): ImageSpec {
        if (!this.recipe) throw new Error("this Image was not made by a from* constructor");
        return specOf(this.recipe);
    }

    toString(): string {
        return this.uri;
    }
}

/**
 * Two different secrets (group/key) whose BuildKit ids collapse to one (`<GROUP>_<KEY>`
 * upper-cased: group "a" key "b_c" and group "a_b" key "c", or keys "token" and
 * "TOKEN") would receive one value: refused.
 */
function checkBuildSecretIds(method: string, layers: readonly Layer[]): void {
    const owners = new Map<string, string>();
    for (const l of layers) {
        if (!("secretMounts" in l)) continue;
        for (const m of l.secretMounts) {
            const id = buildSecretId(m.secret);
            const who =
                m.secret.group === undefined
                    ? `key "${m.secret.key}"`
                    : `group "${m.secret.group}" key "${m.secret.key}"`;
            const first = owners.get(id);
            if (first !== undefined && first !== who) {
                throw new ValidationError(
                    `${method}.secretMounts`,
                    who,
                    `its BuildKit secret id ${id} is also the id of ${first} (ids are <GROUP>_<KEY> upper-cased); rename one so each secret gets its own value`,
                );
            }
            owners.set(id, who);
        }
    }
}

/** The tag part of a reference ("python:3.11" -> "3.11"); "latest" when it has none. */
function referenceTag(ref: string): string {
    const noDigest = ref.split("@")[0];
    const lastSlash = noDigest.lastIndexOf("/");
    const colon = noDigest.indexOf(":", lastSlash + 1);
    if (colon >= 0) return noDigest.slice(colon + 1);
    return ref.includes("@") ? ref.slice(ref.indexOf("@") + 1) : "latest";
}

/** The valid secret mounts of a method's options (none when not given). */
function mountsOf(args: Record<string, unknown>): readonly SecretMount[] {
    return (args.secretMounts as readonly SecretMount[] | undefined) ?? NO_PIP_OPTIONS.secretMounts;
}
