import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ValidationError, joinPath } from "../core/errors";
import { Image } from "../core/image";
import { RemoteImageInfo, inspectRemoteImage, repositoryOf } from "../build/registry";
import { assembleBuildContext } from "../build/context";

export interface ImageBuildOptions {
    /**
     * Public base image -> local mirror, e.g. `{ "python:3.11-slim-bookworm":
     * "127.0.0.1:30000/library/python:3.11-slim-bookworm" }`. Default: the JSON file
     * named by $PULUMI_FLYTE_BASE_IMAGES, if set.
     */
    baseImageMirrors?: Record<string, string>;
    /** Network mode of RUN steps, e.g. "host" to reach package mirrors from the build. */
    network?: string;
    /**
     * Values of build-time secrets by secret id (`<GROUP>_<KEY>` upper-cased, as Flyte).
     * Unset ones are read by the Docker provider from the environment variable of that name.
     */
    secretValues?: Record<string, pulumi.Input<string>>;
    /** Skip the build when the content-addressed tag already exists in the registry (default true). */
    skipExisting?: boolean;
    /** Where build contexts are assembled (default: $PULUMI_FLYTE_BUILD_WORKDIR, else <tmpdir>/pulumi-flyte). */
    workDir?: string;
    /** Target platform, e.g. "linux/amd64". */
    platform?: string;
    /** Credentials for the registry lookup (pushes use the Docker provider's registryAuth). */
    registryCredentials?: { username: string; password: string };
}

export interface ImageBuildArgs extends ImageBuildOptions {
    image: Image;
}

/** Label recording which stack built an image, so a stack keeps managing its own builds. */
export const BUILT_BY_LABEL = "io.pulumi-flyte.built-by";
const OPTION_FIELDS = ["image", "baseImageMirrors", "network", "secretValues", "skipExisting", "workDir", "platform", "registryCredentials"];

/**
 * Builds an Image from its generated Dockerfile with @pulumi/docker (BuildKit;
 * build secrets as `RUN --mount=type=secret`, never build args or layers), pushes it
 * under its content-addressed tag, and exposes the digest reference pod templates
 * use. When the tag already exists in the registry and was not built by this stack
 * (another stack, or flyte-sdk), nothing is built and the existing digest is used.
 */
export class ImageBuild extends pulumi.ComponentResource {
    readonly image: Image;
    /** `<registry>/<name>:<tag>`. */
    readonly uri: string;
    /** `<repository>@sha256:...`, what pod templates reference. */
    readonly ref: pulumi.Output<string>;
    readonly digest: pulumi.Output<string>;
    /** False when an existing tag built elsewhere was reused. */
    readonly built: pulumi.Output<boolean>;

    constructor(name: string, args: ImageBuildArgs, opts?: pulumi.ComponentResourceOptions) {
        const settings = validate(args);
        const uri = args.image.uri;
        // an uncloned fromBase / default image is someone else's published image: used as is
        const needsBuild = args.image.needsBuild;
        const contextDir = path.join(settings.workDir, "contexts", `${sanitize(name)}-${args.image.tag}`);
        const context = needsBuild ? assembleBuildContext(args.image, contextDir, { baseImageMirrors: settings.baseImageMirrors }) : undefined;
        super("flyte:index:ImageBuild", name, {}, opts);
        this.image = args.image;
        this.uri = uri;
        const builtBy = `${pulumi.getProject()}/${pulumi.getStack()}`;
        if (!context) {
            this.built = pulumi.output(false);
            this.digest = pulumi.output("");
            this.ref = pulumi.output(uri);
            this.registerOutputs({ uri, ref: this.ref, built: this.built });
            return;
        }

        const outcome = (settings.skipExisting ? lookUp(uri, settings.registryCredentials) : Promise.resolve(undefined)).then((found) => {
            if (found && found.labels[BUILT_BY_LABEL] !== builtBy) {
                pulumi.log.info(`${uri} already exists in the registry (built by ${found.labels[BUILT_BY_LABEL] ?? "another tool"}); not building`, this);
                return { built: false, digest: pulumi.output(found.digest) };
            }
            const secrets = context.secrets.map((s) => {
                const value = args.secretValues?.[s.id];
                return value === undefined ? { id: s.id, env: s.id } : { id: s.id, src: writeSecretFile(settings.workDir, s.id, value) };
            });
            const local = new docker.RemoteImage(`${name}-build`, {
                name: uri,
                keepLocally: true,
                build: {
                    context: contextDir,
                    dockerfile: path.relative(context.dir, context.dockerfile),
                    version: "2", // BuildKit: needed for secret mounts
                    ...(settings.network ? { networkMode: settings.network } : {}),
                    ...(settings.platform ? { platform: settings.platform } : {}),
                    ...(secrets.length ? { secrets } : {}),
                    label: { [BUILT_BY_LABEL]: builtBy },
                },
            }, { parent: this });
            const pushed = new docker.RegistryImage(`${name}-push`, {
                name: uri,
                keepRemotely: true,
                triggers: { imageId: local.imageId },
            }, { parent: this });
            return { built: true, digest: pushed.sha256Digest };
        });
        const result = pulumi.output(outcome);
        this.built = result.apply((r) => r.built);
        this.digest = result.apply((r) => r.digest);
        this.ref = pulumi.interpolate`${repositoryOf(uri)}@${this.digest}`;
        this.registerOutputs({ uri, ref: this.ref, digest: this.digest, built: this.built });
    }
}

async function lookUp(uri: string, credentials?: { username: string; password: string }): Promise<RemoteImageInfo | undefined> {
    try {
        return await inspectRemoteImage(uri, { credentials });
    } catch (err) {
        pulumi.log.warn(`could not check the registry for ${uri} (${(err as Error).message}); building it`);
        return undefined;
    }
}

/**
 * BuildKit reads secret files from disk: write the value to a private file (0600 in a
 * 0700 directory) when it becomes known. The path, not the value, reaches state.
 */
function writeSecretFile(workDir: string, id: string, value: pulumi.Input<string>): pulumi.Output<string> {
    const dir = path.join(workDir, "secrets", `${sanitize(pulumi.getProject())}-${sanitize(pulumi.getStack())}`);
    const file = path.join(dir, id);
    // the path is not sensitive: unsecret it so previews still show the build block
    return pulumi.unsecret(pulumi.secret(value).apply((v) => {
        fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
        fs.writeFileSync(file, v, { mode: 0o600 });
        return file;
    }));
}

function validate(args: ImageBuildArgs): Required<Pick<ImageBuildOptions, "workDir" | "skipExisting">> & ImageBuildOptions {
    const raw: unknown = args;
    if (raw === null || typeof raw !== "object") throw new ValidationError("", raw, "expected { image, ... }");
    for (const key of Object.keys(args)) {
        if (!OPTION_FIELDS.includes(key) && (args as any)[key] !== undefined) {
            throw new ValidationError(key, (args as any)[key], `unknown field "${key}"; allowed fields: ${OPTION_FIELDS.join(", ")}`);
        }
    }
    if (!(args.image instanceof Image)) throw new ValidationError("image", args.image, "expected an Image (e.g. Image.fromDebianBase({ python: \"3.11\" }))");
    if (args.network !== undefined && !/^[a-z][a-z0-9_.-]*$/.test(args.network)) {
        throw new ValidationError("network", args.network, "expected a Docker network mode such as \"host\", \"default\" or \"none\"");
    }
    if (args.platform !== undefined && !/^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/.test(args.platform)) {
        throw new ValidationError("platform", args.platform, "expected os/arch[/variant], e.g. \"linux/amd64\"");
    }
    for (const id of Object.keys(args.secretValues ?? {})) {
        if (!/^[A-Za-z0-9_.-]+$/.test(id)) throw new ValidationError(joinPath("secretValues", id), id, "a build secret id is letters, digits, '_', '.' or '-'");
    }
    const mirrors = args.baseImageMirrors ?? mirrorsFromEnv();
    return {
        ...args,
        baseImageMirrors: mirrors,
        workDir: args.workDir ?? process.env.PULUMI_FLYTE_BUILD_WORKDIR ?? path.join(os.tmpdir(), "pulumi-flyte"),
        skipExisting: args.skipExisting ?? true,
    };
}

/** $PULUMI_FLYTE_BASE_IMAGES names a JSON file mapping public base images to local mirrors. */
export function mirrorsFromEnv(): Record<string, string> | undefined {
    const file = process.env.PULUMI_FLYTE_BASE_IMAGES;
    if (!file) return undefined;
    let parsed: unknown;
    try {
        parsed = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (err) {
        throw new ValidationError("PULUMI_FLYTE_BASE_IMAGES", file, `expected a readable JSON file mapping base images to mirrors (${(err as Error).message})`);
    }
    if (!parsed || typeof parsed !== "object" || Object.values(parsed).some((v) => typeof v !== "string")) {
        throw new ValidationError("PULUMI_FLYTE_BASE_IMAGES", file, "expected a JSON object of image name -> mirror image name");
    }
    return parsed as Record<string, string>;
}

function sanitize(s: string): string {
    return s.replace(/[^A-Za-z0-9_.-]/g, "_");
}
