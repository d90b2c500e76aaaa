import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Environment } from "../core/environment-settings";
import { ValidationError } from "../core/errors";
import { argsSchema, checkedLater } from "../core/validate";
import { TaskOptions } from "../core/task-template";
import {
    EnvironmentContext,
    PlannableEnvironmentArgs,
    deployEnvironment,
    planEnvironment,
    plannableArgsSchema,
} from "./environment-steps";
import { ImageBuild } from "./image-build";
import { SecretStore, checkStoreHolds } from "./secret-store";
import { PlacementCheck, SchedulingReport } from "./schedulability";
import { Task, declareTask, planTask } from "./task";

export type { EnvironmentImage } from "./environment-steps";

/** Flyte's TaskEnvironment fields (see EnvironmentArgs) plus where and how to deploy them. */
export interface TaskEnvironmentArgs extends PlannableEnvironmentArgs {
    /** Environments deployed before this one. */
    dependsOn?: TaskEnvironment[];
    /** Secrets this environment reads; its objects wait for them. */
    secretStore?: SecretStore;
}

/** The fields of a TaskEnvironment: the plannable ones, then what the component handles itself. */
export const taskEnvironmentArgsSchema = argsSchema<TaskEnvironmentArgs>()(
    {
        ...plannableArgsSchema.shape,
        dependsOn: checkedLater<TaskEnvironment[]>(),
        secretStore: checkedLater<SecretStore>(),
    },
    "TaskEnvironment arguments { image, resources, ... }",
);

/**
 * A Flyte TaskEnvironment on Kubernetes: a PodTemplate carrying the environment's
 * image, resources, accelerators, secrets and scheduling; one more PodTemplate per
 * declared task; a warm pool (Deployment) when reusable.
 */
export class TaskEnvironment extends pulumi.ComponentResource {
    /** The validated environment (pure). */
    readonly environment: Environment;
    /** The environment's PodTemplate resource. */
    readonly podTemplate: k8s.core.v1.PodTemplate;
    /** The warm pool of a reusable environment. */
    readonly warmPool?: k8s.apps.v1.Deployment;
    /** The build of `image` when it was an Image: a child, or the build of the first environment given the same image. */
    readonly imageBuild?: ImageBuild;

    private readonly context: EnvironmentContext;
    private readonly check: PlacementCheck;
    private namespaceOutput?: pulumi.Output<string | undefined>;
    private podTemplateNameOutput?: pulumi.Output<string>;
    private readonly tasks = new Map<string, Task>();

    constructor(name: string, args: TaskEnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
        // Validate everything before any resource registers: a typo fails at preview.
        if (
            args?.dependsOn !== undefined &&
            (!Array.isArray(args.dependsOn) || args.dependsOn.some((d) => !(d instanceof TaskEnvironment)))
        ) {
            throw new ValidationError("dependsOn", "(value)", "expected a list of TaskEnvironments");
        }
        if (args?.secretStore !== undefined && !(args.secretStore instanceof SecretStore)) {
            throw new ValidationError("secretStore", "(value)", "expected a SecretStore");
        }
        const { dependsOn, secretStore, ...rest } = args ?? ({} as TaskEnvironmentArgs);
        const plan = planEnvironment(
            name,
            args === null || typeof args !== "object" ? args : rest,
            taskEnvironmentArgsSchema,
        );
        if (secretStore) checkStoreHolds(secretStore, plan.environment.secrets, plan.namespace);
        super("flyte:index:TaskEnvironment", name, {}, opts);
        const deployed = deployEnvironment(this, plan, [...(dependsOn ?? []), ...(secretStore ? [secretStore] : [])]);
        // a run's overrides may add secrets: they must be in the store too
        this.context = secretStore
            ? {
                  ...deployed.context,
                  checkSecrets: (secrets, field) => checkStoreHolds(secretStore, secrets, plan.namespace, field),
              }
            : deployed.context;
        this.environment = plan.environment;
        this.imageBuild = deployed.imageBuild;
        this.podTemplate = deployed.podTemplate;
        this.warmPool = deployed.warmPool;
        this.check = deployed.placement;
        // placement is not among the registered outputs: with flyte:schedulingCheck error it
        // rejects, and the program's failure should carry the check's message, not a serializer's.
        // The PodTemplate's name is known now: registered as a value, not an Output (bench B1)
        this.registerOutputs({
            podTemplateName: plan.rendered.podTemplate.metadata.name,
            imageRef: deployed.context.podImage,
        });
    }

    // Outputs below are made when first read: each Output costs the Pulumi runtime several
    // tracked promises per environment, and most programs read none of them (bench B1).

    /** Image reference used by the pods (a digest reference when built here). */
    get imageRef(): pulumi.Output<string> {
        return this.context.imageRef;
    }

    /** Name of the environment's PodTemplate. */
    get podTemplateName(): pulumi.Output<string> {
        return (this.podTemplateNameOutput ??= this.podTemplate.metadata.name);
    }

    get namespace(): pulumi.Output<string | undefined> {
        return (this.namespaceOutput ??= pulumi.output(this.context.namespace));
    }

    /** Where the environment's pod can run (the scheduling check): pools and nodes, "none: <why>", or "unchecked: <why>". */
    get placement(): pulumi.Output<string> {
        return this.check.placement;
    }

    /** The scheduling check's report: fitting nodes and pools, pools to scale up, the scheduler's message. */
    get scheduling(): pulumi.Output<SchedulingReport> {
        return this.check.report;
    }

    /**
     * Declares a task (Flyte's `@env.task`): validates its options, registers its
     * PodTemplate, and returns a Task that can be overridden and run.
     */
    task(nameOrFunction: string | ((...args: never[]) => unknown), options: TaskOptions = {}): Task {
        const name = typeof nameOrFunction === "function" ? snakeCase(nameOrFunction.name) : nameOrFunction;
        if (!name)
            throw new ValidationError("task", nameOrFunction, "a task needs a name: pass a string or a named function");
        const field = `task(${JSON.stringify(name)})`;
        const plan = planTask(this.context, name, options, field);
        if (this.tasks.has(plan.template.name)) {
            throw new ValidationError(
                field,
                plan.template.name,
                `environment "${this.environment.name}" already declares a task named "${plan.template.name}"`,
            );
        }
        const task = declareTask(this.context, plan);
        this.tasks.set(plan.template.name, task);
        return task;
    }

    get environmentName(): string {
        return this.environment.name;
    }
}

function snakeCase(fnName: string): string {
    return fnName.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
}
