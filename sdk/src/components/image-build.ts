import * as dockerbuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { HIDDEN, ValidationError, isOutputLike, joinPath, withValuesHidden } from "../core/errors";
import { argsSchema, checkedLater, checkObject, parseArgs } from "../core/validate";
import { nestedArgs, redactSecrets, secretField, secretPaths } from "../core/secret-fields";
import { Image } from "../core/image";
import {
    RegistryLookupError,
    RemoteImageInfo,
    inspectRemoteImage,
    parseReference,
    repositoryOf,
} from "../build/registry";
import { assembleBuildContext } from "../build/assemble-context";
import {
    buildFailureMessage,
    dockerDownMessage,
    dockerEndpoint,
    explainBuildLog,
    findBuildxPlugin,
    isLocalDaemon,
    pingDocker,
    runCheckBuild,
    tcpProbe,
} from "../build/check-build";
import { explainRequestFailure, unreachableBecause } from "../net/causes";
import { underMocks } from "../runtime/mocks";
import { atExit, programSlot } from "../runtime/program-state";
import { SharedBuilds } from "../runtime/shared-builds";
import { stackDefaults } from "./stack-config";

export interface ImageBuildOptions {
    /**
     * Public base image -> local mirror, e.g. `{ "python:3.11-slim-bookworm":
     * "127.0.0.1:30000/library/python:3.11-slim-bookworm" }`. Default: the JSON file
     * named by $PULUMI_FLYTE_BASE_IMAGES, if set.
     */
    baseImageMirrors?: Record<string, string>;
    /** Network mode of RUN steps: "default", "host" (to reach package mirrors from the build) or "none". */
    network?: string;
    /**
     * Values of build-time secrets by secret id (`<GROUP>_<KEY>` upper-cased, as Flyte).
     * Unset ones are read from the environment variable of that name (as flyte-sdk).
     */
    secretValues?: Record<string, pulumi.Input<string>>;
    /**
     * Skip the build when the content-addressed tag already exists in the registry
     * (default true; under Pulumi's mocks false, so unit tests never reach a registry).
     */
    skipExisting?: boolean;
    /** Where build contexts are assembled (default: $PULUMI_FLYTE_BUILD_WORKDIR, else <tmpdir>/pulumi-flyte). */
    workDir?: string;
    /**
     * Name of the buildx builder (default: $PULUMI_FLYTE_BUILDER, else the provider's
     * choice: an existing docker-container/remote builder, or a new docker-container one).
     */
    builder?: string;
    /**
     * Run the `docker-buildx` CLI plugin instead of the provider's embedded client
     * (default: $PULUMI_FLYTE_BUILDX_EXEC=1). Needed to build with the Docker daemon's own
     * BuildKit ("docker" driver), which the embedded client refuses.
     */
    exec?: boolean;
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
const NETWORK_MODES = Object.values(dockerbuild.NetworkMode) as string[];
const PLATFORMS = Object.values(dockerbuild.Platform) as string[];

type RegistryCredentials = NonNullable<ImageBuildOptions["registryCredentials"]>;
const registryCredentialsSchema = argsSchema<RegistryCredentials>()(
    { username: checkedLater<string>(), password: secretField(checkedLater<string>()) },
    "{ username, password }",
);

/** The fields of an image build; `validateImageBuild` checks their values. */
export const imageBuildArgsSchema = argsSchema<ImageBuildArgs>()(
    {
        image: checkedLater<Image>(),
        baseImageMirrors: checkedLater<Record<string, string>>(),
        network: checkedLater<string>(),
        secretValues: secretField(checkedLater<Record<string, pulumi.Input<string>>>()),
        skipExisting: checkedLater<boolean>(),
        workDir: checkedLater<string>(),
        builder: checkedLater<string>(),
        exec: checkedLater<boolean>(),
        platform: checkedLater<string>(),
        registryCredentials: nestedArgs(checkedLater<RegistryCredentials>(), registryCredentialsSchema),
    },
    "{ image, ... }",
);

/**
 * Builds an Image from its generated Dockerfile with @pulumi/docker-build (BuildKit;
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
        const settings = validateImageBuild(args);
        super("flyte:index:ImageBuild", name, {}, opts);
        // environments given the same Image use this build instead of building it again
        sharedBuilds().register(args.image.uri, this, buildSettingsKey(settings), `ImageBuild "${name}"`);
        const deployed = deployImageBuild(this, name, args.image, settings);
        this.image = args.image;
        this.uri = args.image.uri;
        this.built = deployed.built;
        this.digest = deployed.digest;
        this.ref = deployed.ref;
        this.registerOutputs({ uri: this.uri, ref: this.ref, digest: this.digest, built: this.built });
    }
}

/** The first build of each image in this program: environments given the same Image use it. */
export const sharedBuilds = programSlot("shared image builds", () => new SharedBuilds<ImageBuild>());

/** What an image build gives the pods. */
export interface DeployedImage {
    readonly ref: pulumi.Output<string>;
    readonly digest: pulumi.Output<string>;
    readonly built: pulumi.Output<boolean>;
}

/**
 * Assembles the build context and registers the build under `parent` (named
 * `<name>-build`), unless the image is published as is or its tag was pushed elsewhere.
 */
export function deployImageBuild(
    parent: pulumi.Resource,
    name: string,
    image: Image,
    settings: ImageBuildSettings,
): DeployedImage {
    const uri = image.uri;
    // an uncloned fromBase / default image is someone else's published image: used as is
    if (!image.needsBuild) return { built: pulumi.output(false), digest: pulumi.output(""), ref: pulumi.output(uri) };
    // one context folder per stack and build, re-assembled in place: previews and tag
    // changes reuse it, nothing accumulates
    const contextDir = path.join(
        settings.workDir,
        "contexts",
        sanitize(`${pulumi.getProject()}-${pulumi.getStack()}-${name}`),
    );
    const context = assembleBuildContext(image, contextDir, { baseImageMirrors: settings.baseImageMirrors });
    removeAtExit(context.dir);
    const secretValues = settings.secretValues;
    const builtBy = `${pulumi.getProject()}/${pulumi.getStack()}`;
    // a real `pulumi up` (not a preview, not unit tests under mocks) checks what would make
    // the build fail before the provider builds: the registry, the Docker daemon, the steps
    const deploying = !pulumi.runtime.isDryRun() && !underMocks();
    const lookup: Promise<{ found?: RemoteImageInfo; unreachable?: string }> = settings.skipExisting
        ? lookUp(uri, parent, settings.registryCredentials, deploying)
        : Promise.resolve({});
    const outcome = lookup.then(async ({ found, unreachable }) => {
        if (found && found.labels[BUILT_BY_LABEL] !== builtBy) {
            pulumi.log.info(
                `${uri} already exists in the registry (built by ${found.labels[BUILT_BY_LABEL] ?? "another tool"}); not building`,
                parent,
            );
            removeContext(context.dir);
            return { built: false, digest: pulumi.output(found.digest) };
        }
        if (deploying) {
            try {
                if (unreachable) throw new BuildFault(unreachable);
                // a tag this stack pushed is in the state already: the provider has nothing to build
                if (!found) await preflight(uri, parent, context.dir, context.dockerfile, settings);
            } catch (err) {
                removeContext(context.dir);
                if (!(err instanceof BuildFault)) throw err;
                pulumi.log.error(err.message, parent);
                throw new pulumi.RunError(`${uri} was not built: see the error on ImageBuild "${name}"`);
            }
        }
        const build = new dockerbuild.Image(
            `${name}-build`,
            {
                context: { location: context.dir },
                dockerfile: { location: context.dockerfile },
                tags: [uri],
                push: true,
                buildOnPreview: false,
                ...(settings.builder ? { builder: { name: settings.builder } } : {}),
                ...(settings.exec ? { exec: true } : {}),
                labels: { [BUILT_BY_LABEL]: builtBy },
                ...(settings.network ? { network: settings.network as dockerbuild.NetworkMode } : {}),
                ...(settings.platform ? { platforms: [settings.platform as dockerbuild.Platform] } : {}),
                // the tag covers what the image is made of; rotating a token must not rebuild it
                ...(Object.keys(secretValues).length
                    ? { secrets: secretValues, ignoreSecretsInDiffCalculation: Object.keys(secretValues) }
                    : {}),
            },
            { parent },
        );
        // the provider has hashed (and built) the context once its step is done: nothing is left behind
        build.contextHash.apply(() => removeContext(context.dir));
        return { built: true, digest: build.digest };
    });
    const result = pulumi.output(outcome);
    const digest = result.apply((r) => r.digest);
    return { built: result.apply((r) => r.built), digest, ref: pulumi.interpolate`${repositoryOf(uri)}@${digest}` };
}

/** A build that cannot succeed, with its cause and what to do: an error on the ImageBuild. */
class BuildFault extends Error {}

/**
 * The registry lookup. In a `pulumi up`, a registry that cannot be reached at all
 * (refused, unknown host, timeout) is returned as the build's fault (the push would
 * fail after the whole build); other failures (credentials) are a warning on the
 * build, with the cause, and the image is built.
 */
async function lookUp(
    uri: string,
    resource: pulumi.Resource,
    credentials: { username: string; password: string } | undefined,
    deploying: boolean,
): Promise<{ found?: RemoteImageInfo; unreachable?: string }> {
    try {
        return { found: await inspectRemoteImage(uri, { credentials }) };
    } catch (err) {
        const registry = parseReference(uri).registry;
        const peer = { name: registry, service: "registry", timeoutMs: 10_000 };
        let cause = err instanceof RegistryLookupError ? err.message : explainRequestFailure(err, peer);
        let code = err instanceof RegistryLookupError ? err.unreachable : undefined;
        if (code === "ETIMEDOUT") {
            // a timeout may be this busy program's (its timer fired first): ask the port itself
            code = await tcpProbe(registry, /^(localhost|127\.0\.0\.1|::1)(:|$)/.test(registry) ? 80 : 443);
            if (code && code !== "ETIMEDOUT") cause = explainRequestFailure({ code }, peer);
        }
        if (!unreachableBecause(code)) code = undefined;
        // with a Docker daemon elsewhere, a registry this machine cannot reach may be one the daemon can
        if (code && isLocalDaemon(dockerEndpoint(dockerBuildHost()))) {
            const message = registryDownMessage(uri, code, cause);
            if (deploying) return { unreachable: message };
            pulumi.log.warn(
                `could not check whether ${uri} is already in the registry: ${cause}; \`pulumi up\` cannot build and push it unless the registry at ${parseReference(uri).registry} is reachable then`,
                resource,
            );
            return {};
        }
        pulumi.log.warn(`could not check whether ${uri} is already in the registry: ${cause}; building it`, resource);
        return {};
    }
}

/** "the registry at <host> refused the connection ...; what to do". */
export function registryDownMessage(uri: string, code: string, cause: string): string {
    const registry = parseReference(uri).registry;
    return (
        `the registry at ${registry} ${unreachableBecause(code) ?? `cannot be reached (${cause})`}; nothing was built or pushed for ${uri}. ` +
        "Start the registry (or fix the network to it), or set flyte:registry (or the image's registry) to one that runs, then run `pulumi up` again"
    );
}

/** The Docker daemon the docker-build provider uses: `docker-build:host`, else DOCKER_HOST, else docker's default. */
function dockerBuildHost(): string | undefined {
    try {
        return new pulumi.Config("docker-build").get("host");
    } catch {
        return undefined;
    }
}

/**
 * Before the provider builds: the Docker daemon answers, and (when the provider runs
 * the docker-buildx plugin, which drops the log of a failed build) the build's steps
 * succeed, run once with the same plugin and settings (see build/check-build.ts).
 */
async function preflight(
    uri: string,
    resource: pulumi.Resource,
    contextDir: string,
    dockerfile: string,
    settings: ImageBuildSettings,
): Promise<void> {
    const configuredHost = dockerBuildHost();
    const endpoint = dockerEndpoint(configuredHost);
    if (endpoint) {
        const down = await pingDocker(endpoint);
        if (down) throw new BuildFault(dockerDownMessage(uri, endpoint, down));
    }
    if (!settings.exec) return; // the provider's own client reports the failing step
    const plugin = findBuildxPlugin();
    if (!plugin) return; // the provider says it cannot find the plugin
    const secrets = await resolveSecrets(settings.secretValues);
    pulumi.log.info(`building ${uri}: running the build steps`, resource);
    const run = await runCheckBuild({
        plugin,
        contextDir,
        dockerfile,
        builder: settings.builder,
        network: settings.network,
        platform: settings.platform,
        secrets,
        dockerHost: configuredHost,
    });
    if (run.code !== 0) {
        // a step may print a secret it was given: its output never carries the values
        const log = Object.values(secrets)
            .filter((v) => v.length >= 4)
            .reduce((text, v) => text.split(v).join("[secret]"), run.log);
        throw new BuildFault(buildFailureMessage(uri, explainBuildLog(log)));
    }
}

/** The build secrets' values (known in a `pulumi up`). */
function resolveSecrets(values: Record<string, pulumi.Output<string>>): Promise<Record<string, string>> {
    return new Promise((resolve) => pulumi.all(values).apply((v) => resolve(v)));
}

/** The build contexts this program assembled. */
const assembled = programSlot("assembled build contexts", () => new Set<string>());

/** Contexts still there when the program ends (a preview, a failed or interrupted run) are removed then. */
function removeAtExit(dir: string): void {
    atExit("remove build contexts", () => assembled().forEach(removeContext));
    assembled().add(dir);
}

/** Removes a build context we assembled (its folder only). */
function removeContext(dir: string): void {
    try {
        fs.rmSync(dir, { recursive: true, force: true });
    } catch {
        // a context left behind is re-assembled in place by the next run
    }
}

/**
 * Values of the image's build secrets: from `secretValues`, else (as flyte-sdk's local
 * builder) from the environment variable named like the secret id. Every value is a
 * Pulumi secret: encrypted in state, masked in logs, a BuildKit secret mount in the build.
 */
function buildSecretValues(
    ids: readonly string[],
    given: Record<string, pulumi.Input<string>> | undefined,
    prefix: string,
): Record<string, pulumi.Output<string>> {
    const field = joinPath(prefix, "secretValues");
    const out: Record<string, pulumi.Output<string>> = {};
    for (const id of ids) {
        const value = given?.[id] ?? process.env[id];
        if (value === undefined) {
            throw new ValidationError(
                joinPath(field, id),
                undefined,
                `the image mounts build secret ${id}: pass secretValues.${id} (e.g. config.requireSecret(...)) or set the environment variable ${id}`,
            );
        }
        if (typeof value !== "string" && !isOutputLike(value))
            throw new ValidationError(
                joinPath(field, id),
                HIDDEN,
                "a build secret's value is a string or an Output of one (e.g. config.requireSecret(...))",
            );
        out[id] = pulumi.secret(value);
    }
    for (const id of Object.keys(given ?? {})) {
        if (!ids.includes(id))
            throw new ValidationError(
                joinPath(field, id),
                "(value hidden)",
                `the image mounts no build secret ${id}; it mounts ${ids.length ? ids.join(", ") : "none"}`,
            );
    }
    return out;
}

/** Validated build settings, with the build secrets' values as Pulumi secrets. */
export interface ImageBuildSettings extends ImageBuildOptions {
    readonly workDir: string;
    readonly skipExisting: boolean;
    readonly secretValues: Record<string, pulumi.Output<string>>;
}

/**
 * Validates an image build's arguments (pure apart from reading $PULUMI_FLYTE_* and the
 * mirror file): options, and a value for every build secret the image mounts. Field
 * paths start at `prefix` (an environment's `imageBuild`).
 */
export function validateImageBuild(args: ImageBuildArgs, prefix = ""): ImageBuildSettings {
    return redactSecrets(secretPaths(imageBuildArgsSchema, prefix), () => checkImageBuild(args, prefix));
}

function checkImageBuild(args: ImageBuildArgs, prefix: string): ImageBuildSettings {
    parseArgs(imageBuildArgsSchema, args, prefix);
    const f = (key: string) => joinPath(prefix, key);
    if (!(args.image instanceof Image))
        throw new ValidationError(
            f("image"),
            args.image,
            'expected an Image (e.g. Image.fromDebianBase({ python: "3.11" }))',
        );
    const stack = stackDefaults(); // read even when unused: a misspelled flyte:* key fails here too
    const network = args.network ?? stack.buildNetwork; // flyte:buildNetwork
    if (args.network !== undefined && !NETWORK_MODES.includes(args.network as dockerbuild.NetworkMode)) {
        throw new ValidationError(
            f("network"),
            args.network,
            `allowed values: ${NETWORK_MODES.map((m) => JSON.stringify(m)).join(", ")}`,
        );
    }
    if (args.platform !== undefined && !PLATFORMS.includes(args.platform as dockerbuild.Platform)) {
        throw new ValidationError(
            f("platform"),
            args.platform,
            `expected os/arch[/variant], one of ${PLATFORMS.join(", ")}`,
        );
    }
    if (args.secretValues !== undefined)
        checkObject(f("secretValues"), args.secretValues, "a map of build secret id -> value");
    for (const id of Object.keys(args.secretValues ?? {})) {
        if (!/^[A-Za-z0-9_.-]+$/.test(id))
            throw new ValidationError(
                joinPath(f("secretValues"), id),
                id,
                "a build secret id is letters, digits, '_', '.' or '-'",
            );
    }
    if (args.registryCredentials !== undefined) {
        const c: RegistryCredentials = args.registryCredentials;
        withValuesHidden(() => {
            parseArgs(registryCredentialsSchema, c, f("registryCredentials"));
            if (typeof c.username !== "string" || c.username === "")
                throw new ValidationError(
                    joinPath(f("registryCredentials"), "username"),
                    HIDDEN,
                    "a user name (a string)",
                );
            if (typeof c.password !== "string" && !isOutputLike(c.password))
                throw new ValidationError(
                    joinPath(f("registryCredentials"), "password"),
                    HIDDEN,
                    "a password or token (a string, or an Output of one)",
                );
        });
    }
    const mirrors = args.baseImageMirrors ?? mirrorsFromEnv();
    const ids = args.image.needsBuild ? args.image.buildSecrets.map((s) => s.id) : [];
    return {
        ...args,
        ...(network !== undefined ? { network } : {}),
        baseImageMirrors: mirrors,
        workDir: args.workDir ?? process.env.PULUMI_FLYTE_BUILD_WORKDIR ?? path.join(os.tmpdir(), "pulumi-flyte"),
        // the registry lookup; under Pulumi's mocks only when asked for (skipExisting: true)
        skipExisting: args.skipExisting ?? !underMocks(),
        builder: args.builder ?? process.env.PULUMI_FLYTE_BUILDER,
        exec: args.exec ?? process.env.PULUMI_FLYTE_BUILDX_EXEC === "1",
        secretValues: args.image.needsBuild ? buildSecretValues(ids, args.secretValues, prefix) : {},
    };
}

/** What decides how an image is built (not the secret values, which are Outputs): two builds of one tag must agree on it. */
export function buildSettingsKey(s: ImageBuildSettings): string {
    const mirrors = s.baseImageMirrors ? Object.entries(s.baseImageMirrors).sort(([a], [b]) => (a < b ? -1 : 1)) : [];
    return JSON.stringify([
        s.network ?? null,
        s.platform ?? null,
        s.builder ?? null,
        !!s.exec,
        s.skipExisting,
        s.workDir,
        mirrors,
    ]);
}

/** $PULUMI_FLYTE_BASE_IMAGES names a JSON file mapping public base images to local mirrors. */
export function mirrorsFromEnv(): Record<string, string> | undefined {
    const file = process.env.PULUMI_FLYTE_BASE_IMAGES;
    if (!file) return undefined;
    let parsed: unknown;
    try {
        parsed = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (err) {
        throw new ValidationError(
            "PULUMI_FLYTE_BASE_IMAGES",
            file,
            `expected a readable JSON file mapping base images to mirrors (${(err as Error).message})`,
        );
    }
    if (!parsed || typeof parsed !== "object" || Object.values(parsed).some((v) => typeof v !== "string")) {
        throw new ValidationError(
            "PULUMI_FLYTE_BASE_IMAGES",
            file,
            "expected a JSON object of image name -> mirror image name",
        );
    }
    return parsed as Record<string, string>;
}

function sanitize(s: string): string {
    return s.replace(/[^A-Za-z0-9_.-]/g, "_");
}
