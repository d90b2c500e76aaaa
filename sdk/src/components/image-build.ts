import * as dockerbuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { Image } from "../core/image";
import { RemoteImageInfo, repositoryOf } from "../build/registry";
import { HeldLock, acquireLock } from "../build/lock";
import {
    AssembledContext,
    assembleBuildContext,
    keepContext,
    removeContext,
    removeContextAtExit,
} from "../build/assemble-context";
import { underMocks } from "../runtime/mocks";
import { programSlot } from "../runtime/program-state";
import { SharedBuilds } from "../runtime/shared-builds";
import { ImageBuildArgs, ImageBuildSettings, buildSettingsKey, validateImageBuild } from "./image-build-settings";
import { BuildFault, lookUp, preflight, pullableDigest } from "./image-preflight";

export type { ImageBuildArgs, ImageBuildOptions } from "./image-build-settings";

/** Label recording which stack built an image, so a stack keeps managing its own builds. */
export const BUILT_BY_LABEL = "io.pulumi-flyte.built-by";

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
    const context = buildContext(image, name, settings);
    const builtBy = `${pulumi.getProject()}/${pulumi.getStack()}`;
    // a real `pulumi up` (not a preview, not unit tests under mocks) checks what would make
    // the build fail before the provider builds: the registry, the Docker daemon, the steps
    const deploying = !pulumi.runtime.isDryRun() && !underMocks();
    // stacks of this machine updated at once take turns for the lookup, the build and the
    // push of one tag: the second finds what the first pushed (one build, one digest)
    const lock =
        deploying && settings.skipExisting ? buildLock(parent, name, uri, builtBy) : Promise.resolve(undefined);
    const outcome = lock.then(async (held) => {
        const release = () => held?.release();
        try {
            const { found, unreachable } = settings.skipExisting
                ? await lookUp(uri, parent, settings.registryCredentials, deploying)
                : {};
            if (found && found.labels[BUILT_BY_LABEL] !== builtBy) {
                removeContext(context.dir);
                const reused = await reuseExisting(parent, name, uri, found, settings, deploying);
                release();
                return reused;
            }
            // a tag this stack pushed is in the state already: the provider has nothing to build
            if (deploying) await checkBeforeBuild(parent, name, uri, context, settings, unreachable, !found);
            const build = registerBuild(parent, name, uri, context, settings, builtBy);
            // nothing uses a digest the registry cannot serve whole; the lock goes once it is checked
            const digest = build.digest.apply(async (d) => {
                try {
                    return deploying && d ? await pullableDigest(uri, d, name, settings, parent) : d;
                } finally {
                    release();
                }
            });
            return { built: true, digest };
        } catch (err) {
            release();
            throw err;
        }
    });
    const result = pulumi.output(outcome);
    const digest = result.apply((r) => r.digest);
    return { built: result.apply((r) => r.built), digest, ref: pulumi.interpolate`${repositoryOf(uri)}@${digest}` };
}

/**
 * The build context, assembled in one folder per stack and build, re-assembled in place
 * (previews and tag changes reuse it, nothing accumulates); removed when the program
 * ends, unless the provider took it (see registerBuild).
 */
function buildContext(image: Image, name: string, settings: ImageBuildSettings): AssembledContext {
    const dir = path.join(
        settings.workDir,
        "contexts",
        sanitize(`${pulumi.getProject()}-${pulumi.getStack()}-${name}`),
    );
    const context = assembleBuildContext(image, dir, { baseImageMirrors: settings.baseImageMirrors });
    removeContextAtExit(context.dir);
    return context;
}

/** In a `pulumi up`: what would make the build fail (a registry that cannot be reached, the daemon, the steps) fails it first, said on the ImageBuild. */
async function checkBeforeBuild(
    parent: pulumi.Resource,
    name: string,
    uri: string,
    context: AssembledContext,
    settings: ImageBuildSettings,
    unreachable: string | undefined,
    toBuild: boolean,
): Promise<void> {
    try {
        if (unreachable) throw new BuildFault(unreachable);
        if (toBuild) await preflight(uri, parent, context.dir, context.dockerfile, settings);
    } catch (err) {
        removeContext(context.dir);
        if (!(err instanceof BuildFault)) throw err;
        pulumi.log.error(err.message, parent);
        throw new pulumi.RunError(`${uri} was not built: see the error on ImageBuild "${name}"`);
    }
}

/** Takes the machine-wide lock of `uri`'s build (said while it waits; a failure to take it fails the build). */
function buildLock(parent: pulumi.Resource, name: string, uri: string, builtBy: string): Promise<HeldLock> {
    return acquireLock(uri, `stack ${builtBy} (ImageBuild "${name}")`, {
        onWait: (holder) =>
            pulumi.log.info(
                `waiting for ${holder.owner} (pid ${holder.pid}), which is building or pushing ${uri}`,
                parent,
            ),
    }).catch((err: Error) => {
        pulumi.log.error(`${err.message}; nothing was built or pushed for ${uri}`, parent);
        throw new pulumi.RunError(`${uri} was not built: see the error on ImageBuild "${name}"`);
    });
}

/** A tag another stack or tool pushed: used as is, not built (its digest checked pullable in a `pulumi up`). */
async function reuseExisting(
    parent: pulumi.Resource,
    name: string,
    uri: string,
    found: RemoteImageInfo,
    settings: ImageBuildSettings,
    deploying: boolean,
): Promise<{ built: boolean; digest: pulumi.Output<string> }> {
    pulumi.log.info(
        `${uri} already exists in the registry (built by ${found.labels[BUILT_BY_LABEL] ?? "another tool"}); not building`,
        parent,
    );
    // nothing uses a digest the registry cannot serve whole
    const digest = deploying ? await pullableDigest(uri, found.digest, name, settings, parent) : found.digest;
    return { built: false, digest: pulumi.output(digest) };
}

/** The docker-build Image that builds and pushes `uri` from the assembled context. */
function registerBuild(
    parent: pulumi.Resource,
    name: string,
    uri: string,
    context: AssembledContext,
    settings: ImageBuildSettings,
    builtBy: string,
): dockerbuild.Image {
    const secretValues = settings.secretValues;
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
        // an image stays in the registry when this stack stops building it: other stacks may
        // have deployed its digest (they found the tag this stack pushed), and the registry's
        // own garbage collection is the one that knows
        { parent, retainOnDelete: true },
    );
    // the state refers to the context once the provider hashed it: `pulumi refresh` hashes it
    // again (the docker-build provider's refresh diff; a missing context showed as
    // `[diff: ~contextHash]`), so it stays until a later run no longer builds there
    build.contextHash.apply(() => keepContext(context.dir));
    return build;
}

function sanitize(s: string): string {
    return s.replace(/[^A-Za-z0-9_.-]/g, "_");
}
