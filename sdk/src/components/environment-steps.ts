import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import {
    Environment,
    EnvironmentArgs,
    ImageLike,
    environmentArgsSchema,
    normalizeEnvironment,
} from "../core/environment-settings";
import { ValidationError, isOutputLike } from "../core/errors";
import { argsSchema, checkedLater, fieldsOnly, parseArgs, parseWith, stringListField } from "../core/validate";
import { Image } from "../core/image";
import { checkNamespace } from "../core/names";
import { Secret } from "../core/secret";
import { Rendered, render } from "../core/podtemplate/render";
import { DeviceAllocation, MigStrategy } from "../core/placement/profile";
import { ProfileInput, resolveProfile } from "../core/placement/resolve";
import { checkApiServer } from "./cluster-check";
import { ImageBuild, sharedBuilds } from "./image-build";
import { ImageBuildOptions, buildSettingsKey, imageBuildArgsSchema, validateImageBuild } from "./image-build-settings";
import { nestedArgs, redactSecrets, secretPaths } from "../core/secret-fields";
import { claimName } from "../runtime/name-claims";
import { checkedForConflicts } from "./field-conflicts";
import { stackDefaults } from "./stack-config";
import { podTemplateArgs, registerClaimTemplate, withImage } from "./pod-template-args";
import { PlacementCheck, checkSchedulability } from "./schedulability";
import { warmPoolDeployment, warmPoolName } from "./warm-pool";

/** Where and how an environment is deployed, besides Flyte's own fields. */
export interface DeploymentArgs {
    /** Namespace of the objects (default: the provider's). */
    namespace?: pulumi.Input<string>;
    /** Cluster flavour deciding labels, resources and tolerations (default "flyte"). */
    profile?: ProfileInput;
    migStrategy?: MigStrategy;
    /**
     * How pods ask for the accelerator: `extended` resources (device plugins) or `dra`
     * ResourceClaims (Dynamic Resource Allocation); default the profile's, else `extended`.
     */
    deviceAllocation?: DeviceAllocation;
    /** Build settings when `image` is an Image. */
    imageBuild?: ImageBuildOptions;
    /** Command of the warm-pool containers of a reusable environment (default: the image's). */
    warmPoolCommand?: string[];
}

/** An environment's image: an Image (built by a child ImageBuild), an ImageBuild, a reference, or "auto". */
export type EnvironmentImage = Image | ImageBuild | pulumi.Input<string>;

/** The environment arguments shared by the TypeScript component and the multi-language package. */
export interface PlannableEnvironmentArgs extends Omit<EnvironmentArgs, "name" | "image">, DeploymentArgs {
    image?: EnvironmentImage | "auto";
}

export interface EnvironmentRenderOptions {
    readonly profile: ProfileInput | undefined;
    readonly migStrategy?: MigStrategy;
    readonly deviceAllocation?: DeviceAllocation;
    /** The image is an Output the components put into the pods (see `render`). */
    readonly imagePending?: boolean;
}

/** What planning a task or a run reads of its environment. */
export interface TaskScope {
    readonly name: string;
    readonly environment: Environment;
    readonly renderOptions: EnvironmentRenderOptions;
    /** The environment's own render (with `renderOptions`): tasks that keep its pod settings share its pod spec. */
    readonly rendered: Rendered;
    readonly namespace: pulumi.Input<string> | undefined;
    /** Checks that secrets a task reads (its overrides') are in the environment's SecretStore, when it has one. */
    readonly checkSecrets?: (secrets: readonly Secret[], field: string) => void;
}

/** An environment validated and rendered, before anything registers. */
export interface EnvironmentPlan extends TaskScope {
    readonly args: PlannableEnvironmentArgs;
}

/**
 * What tasks and runs need from their environment once it is registered, and all they
 * get of it (not the component or its arguments).
 */
export interface EnvironmentContext extends TaskScope {
    /** The component the environment's objects belong to. */
    readonly parent: pulumi.Resource;
    /** Image reference of the pods (a digest reference when built here). */
    readonly imageRef: pulumi.Output<string>;
    /** The same as the pods' input: the plain reference when it is known now (cheaper to register than an Output). */
    readonly podImage: pulumi.Input<string>;
    /** Resources every object of the environment waits for. */
    readonly dependencies: readonly pulumi.Resource[];
}

/** The objects an environment registered. */
export interface DeployedEnvironment {
    readonly context: EnvironmentContext;
    readonly podTemplate: k8s.core.v1.PodTemplate;
    readonly warmPool?: k8s.apps.v1.Deployment;
    readonly imageBuild?: ImageBuild;
    /** Where its pod can run (the scheduling check). */
    readonly placement: PlacementCheck;
}

/** Stand-in image validated while an Output reference resolves: the environment then has no image (its `imageRef` has it). */
const PLACEHOLDER_IMAGE = "pulumi-flyte.invalid/pending-image:0";

/**
 * The fields the plan reads: an environment's (its name is the component's) and where
 * and how it is deployed. Only the keys are checked here; the values, in the plan's order.
 */
export const plannableArgsSchema = argsSchema<PlannableEnvironmentArgs>()(
    {
        ...fieldsOnly(environmentArgsSchema.omit({ name: true }).shape),
        image: checkedLater<EnvironmentImage | "auto">(),
        namespace: checkedLater<pulumi.Input<string>>(),
        profile: checkedLater<ProfileInput>(),
        migStrategy: checkedLater<MigStrategy>(),
        deviceAllocation: checkedLater<DeviceAllocation>(),
        imageBuild: nestedArgs(checkedLater<ImageBuildOptions>(), imageBuildArgsSchema),
        warmPoolCommand: checkedLater<string[]>(),
    },
    "TaskEnvironment arguments { image, resources, ... }",
);

/**
 * Validates and renders an environment: every rule runs here, before anything
 * registers, so a typo fails at preview. `schema` is the caller's arguments (the
 * plannable ones and those it handles itself).
 */
export function planEnvironment(
    name: string,
    given: PlannableEnvironmentArgs,
    schema: z.AnyZodObject = plannableArgsSchema,
): EnvironmentPlan {
    return redactSecrets(
        () => secretPaths(schema),
        () => planChecked(name, given, schema),
    );
}

function planChecked(name: string, given: PlannableEnvironmentArgs, schema: z.AnyZodObject): EnvironmentPlan {
    parseArgs(schema, given, "");
    // structural settings must be known at preview: an Output there is named, with why
    for (const [key, value] of Object.entries(given)) {
        if (key !== "image" && key !== "namespace" && isOutputLike(value)) throw new ValidationError(key, value, "");
    }
    // settings the arguments leave out come from the stack config (flyte:namespace, ...)
    const stack = stackDefaults();
    const fromStack = (key: "namespace" | "profile" | "migStrategy" | "deviceAllocation") =>
        given[key] === undefined && stack[key] !== undefined;
    const args: PlannableEnvironmentArgs = {
        ...given,
        ...(fromStack("namespace") ? { namespace: stack.namespace } : {}),
        ...(fromStack("profile") ? { profile: stack.profile } : {}),
        ...(fromStack("migStrategy") ? { migStrategy: stack.migStrategy } : {}),
        ...(fromStack("deviceAllocation") ? { deviceAllocation: stack.deviceAllocation } : {}),
    };
    const stackKeys: [string, string][] = [];
    if (fromStack("migStrategy")) stackKeys.push(["migStrategy", "flyte:migStrategy"]);
    if (fromStack("deviceAllocation")) stackKeys.push(["deviceAllocation", "flyte:deviceAllocation"]);
    return atStackKeys(stackKeys, () => planWith(name, args));
}

/** Reports an error about a setting that came from the stack config at its key (`flyte:migStrategy`). */
function atStackKeys<T>(fields: readonly (readonly [string, string])[], fn: () => T): T {
    try {
        return fn();
    } catch (err) {
        const hit = err instanceof ValidationError ? fields.find(([field]) => field === err.field) : undefined;
        throw hit ? (err as ValidationError).at(hit[1]) : err;
    }
}

/** What the pure core gets of an environment's image: an Image, a reference, "auto", or a stand-in for an Output reference. */
function pureImageOf(image: PlannableEnvironmentArgs["image"]): ImageLike | string {
    const pure =
        image === undefined
            ? "auto"
            : image instanceof ImageBuild
              ? image.image
              : typeof image === "string" || image instanceof Image
                ? (image as ImageLike | string)
                : pulumi.Output.isInstance(image) || isPromise(image)
                  ? PLACEHOLDER_IMAGE
                  : undefined;
    if (pure === undefined) {
        throw new ValidationError(
            "image",
            image,
            'expected an Image (e.g. Image.fromDebianBase()), an ImageBuild, an image reference, or "auto" (Flyte\'s default image)',
        );
    }
    return pure;
}

/**
 * The build of an Image given to the environment, checked before anything registers: its
 * settings and secrets, and the same settings as another build of the image in this program.
 */
function checkChildBuild(image: PlannableEnvironmentArgs["image"], imageBuild: ImageBuildOptions | undefined): void {
    if (imageBuild !== undefined && !(image instanceof Image)) {
        throw new ValidationError(
            "imageBuild",
            "(build settings)",
            "imageBuild applies when image is an Image (built by the environment); this image is built elsewhere or published",
        );
    }
    if (!(image instanceof Image)) return;
    const settings = validateImageBuild({ ...(imageBuild ?? {}), image }, "imageBuild");
    const shared = sharedBuilds().get(image.uri);
    if (shared && shared.settingsKey !== buildSettingsKey(settings)) {
        throw new ValidationError(
            "imageBuild",
            "(build settings)",
            `${shared.owner} builds the same image (${image.uri}) with other settings; one image is built once per program: give both the same imageBuild settings (or build it once with an ImageBuild and pass that)`,
        );
    }
}

function planWith(name: string, args: PlannableEnvironmentArgs): EnvironmentPlan {
    if (typeof args.namespace === "string") checkNamespace("namespace", args.namespace);
    if (args.deviceAllocation !== undefined)
        parseWith(z.enum(["extended", "dra"]), args.deviceAllocation, "deviceAllocation");
    resolveProfile(args.profile);
    if (args.warmPoolCommand !== undefined) parseWith(stringListField, args.warmPoolCommand, "warmPoolCommand");
    const pureImage = pureImageOf(args.image);
    checkChildBuild(args.image, args.imageBuild);
    const imagePending = pureImage === PLACEHOLDER_IMAGE;
    const normalized = normalizeEnvironment({
        name,
        image: pureImage,
        resources: args.resources,
        envVars: args.envVars,
        secrets: args.secrets,
        cache: args.cache,
        reusable: args.reusable,
        interruptible: args.interruptible,
        podTemplate: args.podTemplate,
        description: args.description,
        queue: args.queue,
    });
    // the stand-in never shows in a public value: an Output image is left out of the environment
    const environment: Environment = imagePending ? Object.freeze({ ...normalized, image: undefined }) : normalized;
    const renderOptions: EnvironmentRenderOptions = {
        profile: args.profile,
        migStrategy: args.migStrategy,
        ...(args.deviceAllocation ? { deviceAllocation: args.deviceAllocation } : {}),
        ...(imagePending ? { imagePending } : {}),
    };
    const rendered = render(environment, renderOptions);
    claimName("name", args.namespace, "PodTemplate", rendered.name, `environment "${name}"`);
    if (rendered.claimTemplate)
        claimName(
            "name",
            args.namespace,
            "ResourceClaimTemplate",
            rendered.claimTemplate.metadata.name,
            `the accelerator claim of environment "${name}"`,
        );
    if (environment.reusable)
        claimName(
            "name",
            args.namespace,
            "Deployment",
            warmPoolName(rendered),
            `the warm pool of environment "${name}"`,
        );
    return { name, environment, renderOptions, rendered, namespace: args.namespace, args };
}

/** Registers an environment's image build (when needed), PodTemplate and warm pool under `parent`. */
/**
 * The image the environment's pods run: a reference (published, or an ImageBuild's), or
 * the build of an Image (one per image and program: a later environment uses the first
 * one's, and depends on it).
 */
function podImageOf(
    parent: pulumi.ComponentResource,
    plan: EnvironmentPlan,
): {
    podImage: pulumi.Input<string>;
    imageRef?: pulumi.Output<string>;
    imageBuild?: ImageBuild;
    dependency?: pulumi.Resource;
} {
    const { name, args, environment } = plan;
    const image = args.image;
    if (image instanceof ImageBuild) return { podImage: image.ref, imageRef: image.ref };
    if (image instanceof Image) {
        const shared = sharedBuilds().get(image.uri);
        // not a child: the build of the environment that came first
        if (shared)
            return {
                podImage: shared.build.ref,
                imageRef: shared.build.ref,
                imageBuild: shared.build,
                dependency: shared.build,
            };
        const build = new ImageBuild(`${name}-image`, { ...(args.imageBuild ?? {}), image }, { parent });
        return { podImage: build.ref, imageRef: build.ref, imageBuild: build };
    }
    // Flyte's default image, published
    if (image === undefined || image === "auto") return { podImage: (environment.image as Image).uri };
    return { podImage: image as pulumi.Input<string> };
}

export function deployEnvironment(
    parent: pulumi.ComponentResource,
    plan: EnvironmentPlan,
    dependencies: readonly pulumi.Resource[],
): DeployedEnvironment {
    const { name, environment, rendered, namespace } = plan;
    checkApiServer(parent); // an unreachable API server, said once with what to do
    const pod = podImageOf(parent, plan);
    let imageRef = pod.imageRef;
    const { podImage, imageBuild } = pod;
    if (pod.dependency) dependencies = [...dependencies, pod.dependency];
    // a reference given as a string goes into the pods as a string, and the Output of
    // `imageRef` is made when read (each Output costs the runtime tracked promises: bench B1)
    const context: EnvironmentContext = {
        name,
        environment,
        renderOptions: plan.renderOptions,
        rendered,
        namespace,
        parent,
        podImage,
        dependencies,
        get imageRef() {
            return (imageRef ??= pulumi.output(podImage));
        },
    };
    // the accelerator's ResourceClaimTemplate (deviceAllocation "dra"): pods of the template, the
    // warm pool's and the tasks' runs' (those with the environment's resources) are made from it
    const claimTemplate = rendered.claimTemplate
        ? registerClaimTemplate(`${name}-claims`, rendered.claimTemplate, namespace, {
              parent,
              ...dependsOn(dependencies),
          })
        : undefined;
    const podDependencies = claimTemplate ? [...dependencies, claimTemplate] : dependencies;
    const podTemplate = new k8s.core.v1.PodTemplate(
        `${name}-podtemplate`,
        checkedForConflicts(
            "PodTemplate",
            podTemplateArgs(withImage(rendered, podImage), namespace),
            `environment "${name}"`,
            parent,
        ),
        { parent, ...dependsOn(podDependencies) },
    );
    const warmPool = environment.reusable ? registerWarmPool(parent, plan, podImage, podDependencies) : undefined;
    const placement = checkSchedulability(
        `environment "${name}"`,
        { spec: rendered.podTemplate.template.spec, claimTemplate: rendered.claimTemplate },
        podTemplate,
    );
    return { context, podTemplate, warmPool, imageBuild, placement };
}

/** The warm pool of a reusable environment: a Deployment of its pods, kept running. */
function registerWarmPool(
    parent: pulumi.ComponentResource,
    plan: EnvironmentPlan,
    podImage: pulumi.Input<string>,
    dependencies: readonly pulumi.Resource[],
): k8s.apps.v1.Deployment {
    const { name, rendered, namespace, args } = plan;
    return new k8s.apps.v1.Deployment(
        `${name}-pool`,
        checkedForConflicts(
            "Deployment",
            warmPoolDeployment(rendered, podImage, namespace, args.warmPoolCommand),
            `the warm pool of environment "${name}"`,
            parent,
        ),
        { parent, ...dependsOn(dependencies) },
    );
}

/** The `dependsOn` option, left out when there is nothing to wait for (an empty list still costs the runtime work). */
export function dependsOn(resources: readonly pulumi.Resource[]): { dependsOn?: pulumi.Resource[] } {
    return resources.length ? { dependsOn: [...resources] } : {};
}

function isPromise(value: unknown): boolean {
    return !!value && typeof (value as Promise<unknown>).then === "function";
}
