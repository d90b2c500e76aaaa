import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ENVIRONMENT_FIELDS, Environment, EnvironmentArgs, ImageLike, normalizeEnvironment } from "../core/environment";
import { ValidationError } from "../core/errors";
import { checkNamespace } from "../core/names";
import { Rendered, render } from "../core/podtemplate/render";
import { MigStrategy } from "../core/scheduling/profile";
import { ProfileInput, resolveProfile } from "../core/scheduling/resolve";
import { TaskOptions, TaskTemplate } from "../core/task";
import { Image } from "../core/image";
import { ImageBuild, ImageBuildOptions } from "./image-build";
import { SecretStore } from "./secret-store";
import { Task } from "./task";
import { podTemplateArgs, withImage } from "./pod-template-args";
import { warmPoolDeployment } from "./warm-pool";
import { claimName } from "./name-claims";

/** What an environment's `image` may be. */
export type EnvironmentImage = Image | ImageBuild | pulumi.Input<string>;

/** Flyte's TaskEnvironment fields (see EnvironmentArgs) plus where and how to deploy them. */
export interface TaskEnvironmentArgs extends Omit<EnvironmentArgs, "name" | "image"> {
    /**
     * An Image (built and pushed by a child ImageBuild), an ImageBuild, an image
     * reference, or "auto" (default): Flyte's default image.
     */
    image?: EnvironmentImage | "auto";
    /** Environments deployed before this one. */
    dependsOn?: TaskEnvironment[];
    /** Namespace of the PodTemplates (default: the provider's). */
    namespace?: pulumi.Input<string>;
    /** Cluster flavour deciding labels, resources and tolerations (default "flyte"). */
    profile?: ProfileInput;
    migStrategy?: MigStrategy;
    /** Build settings when `image` is an Image. */
    imageBuild?: ImageBuildOptions;
    /** Secrets this environment reads; its objects wait for them. */
    secretStore?: SecretStore;
    /** Command of the warm-pool containers of a reusable environment (default: the image's). */
    warmPoolCommand?: string[];
}

const PLACEHOLDER_IMAGE = "pulumi-flyte.invalid/pending-image:0";

/**
 * A Flyte TaskEnvironment on Kubernetes: a PodTemplate carrying the environment's
 * image, resources, accelerators, secrets and scheduling; one more PodTemplate per
 * declared task; a warm pool (Deployment) when reusable.
 */
export class TaskEnvironment extends pulumi.ComponentResource {
    /** The validated environment (pure). */
    readonly environment: Environment;
    /** Name of the environment's PodTemplate. */
    readonly podTemplateName: pulumi.Output<string>;
    /** Image reference used by the pods (a digest reference when built here). */
    readonly imageRef: pulumi.Output<string>;
    readonly namespace: pulumi.Output<string | undefined>;
    /** The environment's PodTemplate resource. */
    readonly podTemplate: k8s.core.v1.PodTemplate;
    /** The warm pool of a reusable environment. */
    readonly warmPool?: k8s.apps.v1.Deployment;
    /** The child image build when `image` was an Image. */
    readonly imageBuild?: ImageBuild;

    /** @internal */ readonly renderOptions: { profile: ProfileInput | undefined; migStrategy?: MigStrategy };
    /** @internal */ readonly childDependencies: pulumi.Resource[];
    /** @internal */ readonly namespaceInput: pulumi.Input<string> | undefined;
    private readonly tasks = new Map<string, Task>();

    constructor(name: string, args: TaskEnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
        // Validate everything before any resource registers: a typo fails at preview.
        const environment = validate(name, args);
        const renderOptions = { profile: args.profile, migStrategy: args.migStrategy };
        const rendered = render(environment, renderOptions);
        claimName("name", args.namespace, "PodTemplate", rendered.name, `environment "${name}"`);
        super("flyte:index:TaskEnvironment", name, {}, opts);
        this.environment = environment;
        this.renderOptions = renderOptions;
        this.namespace = pulumi.output(args.namespace);
        this.namespaceInput = args.namespace;

        const image = args.image;
        if (image instanceof ImageBuild) {
            this.imageRef = image.ref;
        } else if (image instanceof Image) {
            this.imageBuild = new ImageBuild(`${name}-image`, { ...(args.imageBuild ?? {}), image }, { parent: this });
            this.imageRef = this.imageBuild.ref;
        } else if (image === undefined || image === "auto") {
            this.imageRef = pulumi.output((environment.image as Image).uri); // Flyte's default image, published
        } else {
            this.imageRef = pulumi.output(image as pulumi.Input<string>);
        }
        this.childDependencies = [
            ...(args.dependsOn ?? []),
            ...(args.secretStore ? [args.secretStore] : []),
        ];

        this.podTemplate = new k8s.core.v1.PodTemplate(`${name}-podtemplate`,
            podTemplateArgs(withImage(rendered, this.imageRef), args.namespace),
            { parent: this, dependsOn: this.childDependencies });
        this.podTemplateName = this.podTemplate.metadata.name;

        if (environment.reusable) {
            this.warmPool = new k8s.apps.v1.Deployment(`${name}-pool`,
                warmPoolDeployment(rendered, this.imageRef, args.namespace, args.warmPoolCommand),
                { parent: this, dependsOn: this.childDependencies });
        }
        this.registerOutputs({ podTemplateName: this.podTemplateName, imageRef: this.imageRef });
    }

    /**
     * Declares a task (Flyte's `@env.task`): validates its options, registers its
     * PodTemplate, and returns a Task that can be overridden and run.
     */
    task(nameOrFunction: string | ((...args: any[]) => unknown), options: TaskOptions = {}): Task {
        const name = typeof nameOrFunction === "function" ? snakeCase(nameOrFunction.name) : nameOrFunction;
        if (!name) throw new ValidationError("task", nameOrFunction, "a task needs a name: pass a string or a named function");
        const template = new TaskTemplate(this.environment, name, options, `task(${JSON.stringify(name)})`);
        if (this.tasks.has(template.name)) {
            throw new ValidationError(`task(${JSON.stringify(name)})`, template.name, `environment "${this.environment.name}" already declares a task named "${template.name}"`);
        }
        const rendered = render(this.environment, { ...this.renderOptions, task: template });
        claimName(`task(${JSON.stringify(name)})`, this.namespaceInput, "PodTemplate", rendered.name, `task "${template.fullName}"`);
        const resource = new k8s.core.v1.PodTemplate(`${this.environmentName}-${template.name}-podtemplate`,
            podTemplateArgs(withImage(rendered, this.imageRef), this.namespaceInput),
            { parent: this, dependsOn: this.childDependencies });
        const task = new Task(this, template, resource);
        this.tasks.set(template.name, task);
        return task;
    }

    /** Renders (purely) the PodTemplate of this environment or of a task, image reference as given. */
    renderTask(template: TaskTemplate): Rendered {
        return render(this.environment, { ...this.renderOptions, task: template });
    }

    get environmentName(): string {
        return this.environment.name;
    }
}

function validate(name: string, args: TaskEnvironmentArgs): Environment {
    const raw: unknown = args;
    if (raw === null || typeof raw !== "object") throw new ValidationError("", raw, "expected TaskEnvironment arguments { image, resources, ... }");
    const known = [...ENVIRONMENT_FIELDS.filter((f) => f !== "name"), "dependsOn", "namespace", "profile", "migStrategy", "imageBuild", "secretStore", "warmPoolCommand"];
    for (const key of Object.keys(args)) {
        if (!known.includes(key) && (args as any)[key] !== undefined) {
            throw new ValidationError(key, (args as any)[key], `unknown field "${key}"; allowed fields: ${known.join(", ")}`);
        }
    }
    if (typeof args.namespace === "string") checkNamespace("namespace", args.namespace);
    resolveProfile(args.profile);
    if (args.dependsOn !== undefined && (!Array.isArray(args.dependsOn) || args.dependsOn.some((d) => !(d instanceof TaskEnvironment)))) {
        throw new ValidationError("dependsOn", "(value)", "expected a list of TaskEnvironments");
    }
    if (args.warmPoolCommand !== undefined && (!Array.isArray(args.warmPoolCommand) || args.warmPoolCommand.some((c) => typeof c !== "string"))) {
        throw new ValidationError("warmPoolCommand", args.warmPoolCommand, "expected a list of strings");
    }
    const image = args.image;
    const pureImage = image === undefined ? "auto"
        : image instanceof ImageBuild ? image.image
        : typeof image === "string" || image instanceof Image ? (image as ImageLike | string)
        : pulumi.Output.isInstance(image) || isPromise(image) ? PLACEHOLDER_IMAGE // resolved later; only its value is unknown now
        : undefined;
    const envArgs: EnvironmentArgs = {
        name, image: pureImage ?? PLACEHOLDER_IMAGE, resources: args.resources, envVars: args.envVars, secrets: args.secrets, cache: args.cache,
        reusable: args.reusable, interruptible: args.interruptible, podTemplate: args.podTemplate, description: args.description, queue: args.queue,
    };
    if (pureImage === undefined) throw new ValidationError("image", image, "expected an Image (e.g. Image.fromDebianBase()), an ImageBuild, an image reference, or \"auto\" (Flyte's default image)");
    return normalizeEnvironment(envArgs);
}

function isPromise(value: unknown): boolean {
    return !!value && typeof (value as Promise<unknown>).then === "function";
}

function snakeCase(fnName: string): string {
    return fnName.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
}
