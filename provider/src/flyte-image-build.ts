import * as pulumi from "@pulumi/pulumi";
import { deployImageBuild } from "../../sdk/src/components/image-build";
import { validateImageBuild } from "../../sdk/src/components/image-build-settings";
import { planImageBuildFromSpec } from "../../sdk/src/components/plan-from-spec";
import { ImageBuildArgs } from "./args";
import { namingStyle, programDirectory } from "./program";
import { inCallerTerms } from "../../sdk/src/spec/caller-terms";
import { ImageBuildArgs as ImageBuildSchema } from "../../sdk/src/spec/schema";

/**
 * Builds an image with BuildKit (build secrets as secret mounts, never layers), pushes
 * it under flyte-sdk's content-addressed tag, and exposes the digest reference that
 * pods use. A tag already in the registry, pushed by another stack or by flyte-sdk, is
 * reused without building.
 */
export class ImageBuild extends pulumi.ComponentResource {
    /** `<registry>/<name>:<tag>`, the tag being flyte-sdk's content hash. */
    public readonly uri: pulumi.Output<string>;
    /** `<repository>@sha256:...`: what pod templates reference (`imageRef` of an environment). */
    public readonly ref: pulumi.Output<string>;
    /** The pushed image's digest (empty for a published image used as is). */
    public readonly digest: pulumi.Output<string>;
    /** False when an existing image built elsewhere was reused. */
    public readonly built: pulumi.Output<boolean>;

    constructor(name: string, args: ImageBuildArgs, opts?: pulumi.ComponentResourceOptions) {
        const { buildArgs, settings } = inCallerTerms(ImageBuildSchema, namingStyle(), () => {
            const buildArgs = planImageBuildFromSpec(args, { baseDir: programDirectory() });
            return { buildArgs, settings: validateImageBuild(buildArgs) };
        });
        super("flyte:index:ImageBuild", name, {}, opts);
        const build = deployImageBuild(this, name, buildArgs.image, settings);
        this.uri = pulumi.output(buildArgs.image.uri);
        this.ref = build.ref;
        this.digest = build.digest;
        this.built = build.built;
        this.registerOutputs({ uri: this.uri, ref: this.ref, digest: this.digest, built: this.built });
    }
}
