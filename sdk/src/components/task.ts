import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ValidationError } from "../core/errors";
import { argsSchema, checkedLater } from "../core/validate";
import {
    JobSpec,
    RunArgs,
    checkRunArgs,
    jobSpec,
    runAnnotations,
    runArgsSchema,
    runLabels,
} from "../core/podtemplate/job";
import { Rendered, renderTask } from "../core/podtemplate/render";
import { ResourceClaimTemplate } from "../core/podtemplate/kube-types";
import { OverrideOptions, TaskOptions, TaskTemplate } from "../core/task-template";
import { EnvironmentContext, TaskScope, dependsOn } from "./environment-steps";
import { claimName } from "../runtime/name-claims";
import { checkedForConflicts } from "./field-conflicts";
import { FieldConflict } from "../core/managed-fields";
import { findLocalQueue } from "../runtime/declared-queues";
import { JobCompletion, NormalizedWait, normalizeWait, waitForJob } from "./job-wait";
import { podTemplateArgs, registerClaimTemplate, templateWithImage, withImage } from "./pod-template-args";
import { PlacementCheck, SchedulingReport, checkSchedulability } from "./schedulability";
import { QueueAdmissionCheck, QueueAdmissionReport, checkQueueAdmission } from "./queue-admission-check";

export interface TaskRunArgs extends RunArgs {
    /** Invocation-level overrides (Flyte's `task.override(...)`), applied before running. */
    override?: OverrideOptions;
}

/** The fields of `task.run(name, args)`: a run's and its overrides. */
export const taskRunArgsSchema = argsSchema<TaskRunArgs>()(
    { ...runArgsSchema.shape, override: checkedLater<OverrideOptions>() },
    "run options { command?, args?, schedule?, override? }",
);

/** A task validated and rendered, before its PodTemplate registers. */
export interface TaskPlan {
    readonly template: TaskTemplate;
    readonly rendered: Rendered;
}

/** Validates and renders a task of an environment (`field` names it in errors). */
export function planTask(env: TaskScope, name: string, options: TaskOptions, field: string): TaskPlan {
    const template = new TaskTemplate(env.environment, name, options, field);
    const rendered = renderTask(env.rendered, env.environment, { ...env.renderOptions, task: template });
    const owner = `task "${template.fullName}"`;
    claimName(field, env.namespace, "PodTemplate", rendered.name, owner, undefined, owner);
    if (rendered.claimTemplate) claimClaimTemplate(env, field, rendered.claimTemplate.metadata.name, owner);
    return { template, rendered };
}

/** Registers a planned task's PodTemplate under its environment. */
export function declareTask(ctx: EnvironmentContext, plan: TaskPlan): Task {
    const claimTemplate = plan.rendered.claimTemplate
        ? registerClaimTemplate(
              `${ctx.name}-${plan.template.name}-claims`,
              plan.rendered.claimTemplate,
              ctx.namespace,
              { parent: ctx.parent, ...dependsOn(ctx.dependencies) },
          )
        : undefined;
    const resource = new k8s.core.v1.PodTemplate(
        `${ctx.name}-${plan.template.name}-podtemplate`,
        checkedForConflicts(
            "PodTemplate",
            podTemplateArgs(withImage(plan.rendered, ctx.podImage), ctx.namespace),
            `task "${plan.template.fullName}"`,
            ctx.parent,
        ),
        { parent: ctx.parent, ...dependsOn(claimTemplate ? [...ctx.dependencies, claimTemplate] : ctx.dependencies) },
    );
    const placement = checkSchedulability(
        `task "${plan.template.fullName}"`,
        { spec: plan.rendered.podTemplate.template.spec, claimTemplate: plan.rendered.claimTemplate },
        resource,
    );
    return Task.declared(ctx, plan.template, resource, placement);
}

/**
 * A declared task. Not a resource itself: its PodTemplate is a child of the
 * environment; `run` materialises invocations as Jobs / CronJobs.
 */
export class Task {
    readonly template: TaskTemplate;
    /** The PodTemplate registered when the task was declared. */
    readonly podTemplate: k8s.core.v1.PodTemplate;
    private readonly context: EnvironmentContext;
    private readonly check: PlacementCheck;

    /** @internal Tasks are declared with `environment.task(...)`. */
    static declared(
        context: EnvironmentContext,
        template: TaskTemplate,
        podTemplate: k8s.core.v1.PodTemplate,
        placement: PlacementCheck,
    ): Task {
        return new Task(context, template, podTemplate, placement);
    }

    private constructor(
        context: EnvironmentContext,
        template: TaskTemplate,
        podTemplate: k8s.core.v1.PodTemplate,
        placement: PlacementCheck,
    ) {
        this.context = context;
        this.template = template;
        this.podTemplate = podTemplate;
        this.check = placement;
    }

    /** Where the declared task's pod can run: pools and nodes, "none: <why>", or "unchecked: <why>". (An Output made when first read.) */
    get placement(): pulumi.Output<string> {
        return this.check.placement;
    }

    /** The scheduling check's report for the declared task's pod. */
    get scheduling(): pulumi.Output<SchedulingReport> {
        return this.check.report;
    }

    get name(): string {
        return this.template.name;
    }

    get fullName(): string {
        return this.template.fullName;
    }

    /** A new Task with invocation-level overrides (pure: registers nothing). */
    override(options: OverrideOptions): Task {
        return new Task(this.context, this.template.override(options), this.podTemplate, this.check);
    }

    /**
     * Materialises an invocation: a batch/v1 Job (or a CronJob with `schedule`) built
     * from this task's template with its overrides applied.
     */
    run(runName: string, args: TaskRunArgs = {}, opts?: pulumi.ComponentResourceOptions): TaskRun {
        const plan = planRun(this.context, this.template, runName, args, "run");
        return runTask(this.context, this.podTemplate, plan, opts);
    }
}

/** A run validated and rendered into its Job spec, before anything registers. */
export interface RunPlan {
    readonly runName: string;
    readonly template: TaskTemplate;
    readonly rendered: Rendered;
    readonly jobName: string;
    readonly spec: JobSpec;
    readonly hosts: number;
    /** The run's ResourceClaimTemplate (deviceAllocation "dra"). */
    readonly claimTemplate?: ResourceClaimTemplate;
    readonly args: RunArgs;
    /** Set when `pulumi up` waits for the Job (`wait`). */
    readonly wait?: NormalizedWait;
}

/** Validates a run of a task (with its overrides) and computes its Job spec. */
/** A run's `wait`, checked against what it combines with: no schedule, and a command. */
function runWait(field: string, runArgs: Omit<TaskRunArgs, "override">): NormalizedWait | undefined {
    const wait = normalizeWait(`${field}.wait`, runArgs.wait);
    if (wait && runArgs.schedule)
        throw new ValidationError(
            `${field}.wait`,
            runArgs.wait,
            "a scheduled run (CronJob) cannot be waited for; wait applies to one-off runs",
        );
    // Flyte's backend always gives a task's container its command; without one the image's
    // default command runs (python3 in Flyte's images) and a waited-for Job "succeeds" idle
    if (wait && runArgs.command === undefined) {
        throw new ValidationError(
            `${field}.command`,
            undefined,
            "a run that is waited for needs the command its task runs (without one, the image's default command, python3 in Flyte's images, runs and exits at once)",
        );
    }
    return wait;
}

/** Claims the names of the objects a run registers (its Job or CronJob, hosts Service, claim template) for it. */
function claimRunObjects(
    env: TaskScope,
    field: string,
    run: string,
    runArgs: Omit<TaskRunArgs, "override">,
    job: ReturnType<typeof jobSpec>,
): void {
    const owner = `run "${run}"`;
    claimName(field, env.namespace, runArgs.schedule ? "CronJob" : "Job", job.name, owner, undefined, owner);
    if (job.hosts > 1)
        claimName(
            field,
            env.namespace,
            "Service",
            job.spec.template.spec.subdomain,
            `the hosts of run "${run}"`,
            undefined,
            owner,
        );
    if (job.claimTemplate) claimClaimTemplate(env, field, job.claimTemplate.metadata.name, owner);
}

/** Claims the name of the ResourceClaimTemplate a task's or run's pods take their accelerator from. */
function claimClaimTemplate(env: TaskScope, field: string, name: string, owner: string): void {
    claimName(
        field,
        env.namespace,
        "ResourceClaimTemplate",
        name,
        `the accelerator claim of ${owner}`,
        undefined,
        owner,
    );
}

export function planRun(
    env: TaskScope,
    task: TaskTemplate,
    runName: string,
    args: TaskRunArgs,
    field: string,
): RunPlan {
    const { override, ...runArgs } = args ?? {};
    checkRunArgs(field, { ...runArgs, override }, taskRunArgsSchema);
    const wait = runWait(field, runArgs);
    const template = override ? task.override(override, `${field}.override`) : task;
    // the secrets the run's pods read (its overrides' included) are in the environment's SecretStore
    env.checkSecrets?.(
        template.settings.secrets,
        override?.secrets !== undefined ? `${field}.override.secrets` : field,
    );
    const rendered = renderTask(env.rendered, env.environment, { ...env.renderOptions, task: template });
    const job = jobSpec(rendered, runName, runArgs, field);
    const { name: jobName, spec, hosts, claimTemplate } = job;
    claimRunObjects(env, field, `${template.fullName}.${runName}`, runArgs, job);
    if (hosts > 1 && runArgs.schedule) {
        throw new ValidationError(
            `${field}.schedule`,
            runArgs.schedule,
            "scheduled runs of multi-host TPU slices are not supported yet; run them as Jobs",
        );
    }
    return {
        runName,
        template,
        rendered,
        jobName,
        spec,
        hosts,
        args: runArgs,
        wait,
        ...(claimTemplate ? { claimTemplate } : {}),
    };
}

/** Registers a planned run as a TaskRun component under its environment. */
export function runTask(
    ctx: EnvironmentContext,
    taskPodTemplate: k8s.core.v1.PodTemplate,
    plan: RunPlan,
    opts?: pulumi.ComponentResourceOptions,
): TaskRun {
    return TaskRun.registered(
        `${ctx.name}-${plan.template.name}-${plan.runName}`,
        { context: ctx, taskPodTemplate, plan },
        { parent: ctx.parent, ...opts },
    );
}

/** @internal What a TaskRun registers: a planned run of a task of an environment. */
export interface TaskRunResourceArgs {
    context: EnvironmentContext;
    taskPodTemplate: k8s.core.v1.PodTemplate;
    plan: RunPlan;
}

/** One invocation of a task: a Job, or a CronJob when scheduled (plus a headless Service for multi-host slices). */
export class TaskRun extends pulumi.ComponentResource {
    readonly job?: k8s.batch.v1.Job;
    readonly cronJob?: k8s.batch.v1.CronJob;
    readonly service?: k8s.core.v1.Service;
    /** Kubernetes name of the Job / CronJob. */
    readonly jobName: string;
    /** With `wait`: resolves once the Job completed (`pulumi up` fails if it fails). */
    readonly completion?: pulumi.Output<JobCompletion | undefined>;
    private readonly queueCheck?: QueueAdmissionCheck;

    /**
     * For a run with a `queue`: what the scheduling check says of its admission by Kueue
     * (the flavour, why it waits or never starts, where its pods go). An Output made when
     * first read; undefined for a run without a queue.
     */
    get admission(): pulumi.Output<QueueAdmissionReport> | undefined {
        return this.queueCheck?.report;
    }

    /** @internal Runs are made with `task.run(...)`. */
    static registered(name: string, args: TaskRunResourceArgs, opts?: pulumi.ComponentResourceOptions): TaskRun {
        return new TaskRun(name, args, opts);
    }

    private constructor(name: string, args: TaskRunResourceArgs, opts?: pulumi.ComponentResourceOptions) {
        const { context: ctx, taskPodTemplate, plan } = args;
        super("flyte:index:TaskRun", name, {}, opts);
        this.jobName = plan.jobName;
        if (plan.args.command === undefined) {
            pulumi.log.warn(
                `run "${plan.template.fullName}.${plan.runName}" has no command: its pods run the image's default command (python3 in Flyte's images); pass the command the task runs`,
                this,
            );
        }
        const template = templateWithImage(plan.spec.template, plan.rendered.primaryContainerName, ctx.podImage);
        const spec = { ...plan.spec, template: template as k8s.types.input.core.v1.PodTemplateSpec };
        const metadata = runMetadata(plan, ctx.namespace);
        // a run waits in its LocalQueue: created after it, deleted before it (when this program declares it)
        const queue = plan.rendered.settings.queue;
        const localQueue = queue ? findLocalQueue(queue, ctx.namespace) : undefined;
        const childOpts = {
            parent: this,
            dependsOn: [taskPodTemplate, ...ctx.dependencies, ...(localQueue ? [localQueue.resource] : [])],
        };
        const owner = `run "${plan.template.fullName}.${plan.runName}"`;
        if (plan.claimTemplate)
            childOpts.dependsOn.push(
                registerClaimTemplate(`${name}-claims`, plan.claimTemplate, ctx.namespace, childOpts),
            );
        if (plan.hosts > 1) this.service = hostsService(name, plan, metadata, childOpts, owner, this);
        if (plan.args.schedule) this.cronJob = scheduledRun(name, plan, metadata, spec, childOpts, owner, this);
        else {
            // Kueue un-suspends a queued Job when it admits it (and suspends it again if it evicts
            // it): the Job's suspension is Kueue's, never a difference to undo nor a conflict
            this.job = runJob(
                name,
                metadata,
                spec,
                queue ? { ...childOpts, ignoreChanges: ["spec.suspend"] } : childOpts,
                owner,
                this,
                queue ? KUEUE_OWNS : undefined,
            );
            if (plan.wait)
                this.completion = waitForJob(
                    this.job,
                    {
                        task: plan.template.fullName,
                        run: plan.runName,
                        containerName: plan.rendered.primaryContainerName,
                    },
                    plan.wait,
                    this,
                );
        }
        if (queue) this.queueCheck = runQueueCheck(plan, queue, ctx.namespace, owner, this);
        this.registerOutputs({ jobName: this.jobName, ...(this.completion ? { completion: this.completion } : {}) });
    }
}

/** The metadata of a run's Job, CronJob and Service: its name, namespace, labels and annotations. */
function runMetadata(plan: RunPlan, namespace: pulumi.Input<string> | undefined): RunMetadata {
    const annotations = runAnnotations(plan.args);
    return {
        name: plan.jobName,
        ...(namespace !== undefined ? { namespace } : {}),
        labels: runLabels(plan.rendered, plan.runName, plan.args),
        ...(Object.keys(annotations).length ? { annotations } : {}),
    };
}

/** The headless Service of a multi-host run: its pods find each other by the Job's subdomain. */
function hostsService(
    name: string,
    plan: RunPlan,
    metadata: RunMetadata,
    opts: pulumi.CustomResourceOptions,
    owner: string,
    run: pulumi.Resource,
): k8s.core.v1.Service {
    return new k8s.core.v1.Service(
        `${name}-hosts`,
        checkedForConflicts(
            "Service",
            {
                metadata: { ...metadata, name: plan.spec.template.spec.subdomain }, // a DNS-1035 label (see jobSpec)
                spec: {
                    clusterIP: "None",
                    selector: { "job-name": plan.jobName },
                    publishNotReadyAddresses: true,
                },
            },
            owner,
            run,
        ),
        opts,
    );
}

/** Kueue's admission of a queued run, checked at preview: the run's pods as its Job makes them. */
function runQueueCheck(
    plan: RunPlan,
    queue: string,
    namespace: pulumi.Input<string> | undefined,
    owner: string,
    run: pulumi.Resource,
): QueueAdmissionCheck {
    return checkQueueAdmission(
        {
            what: owner,
            queue,
            namespace,
            jobName: plan.jobName,
            pod: plan.spec.template.spec,
            count: plan.spec.parallelism ?? 1,
            scheduled: plan.args.schedule !== undefined,
        },
        run,
    );
}

type RunMetadata = {
    name: string;
    namespace?: pulumi.Input<string>;
    labels: Record<string, string>;
    /** The run's own annotations (a Flyte trigger's, its description) */
    annotations?: Record<string, string>;
};
type RunJobSpec = Omit<JobSpec, "template"> & { template: k8s.types.input.core.v1.PodTemplateSpec };

/** A scheduled run: a CronJob whose Jobs are the run's. */
function scheduledRun(
    name: string,
    plan: RunPlan,
    metadata: RunMetadata,
    spec: RunJobSpec,
    opts: pulumi.CustomResourceOptions,
    owner: string,
    run: pulumi.Resource,
): k8s.batch.v1.CronJob {
    const { schedule, timeZone, suspend } = plan.args;
    return new k8s.batch.v1.CronJob(
        `${name}-cronjob`,
        checkedForConflicts(
            "CronJob",
            {
                metadata,
                spec: {
                    schedule: schedule!,
                    ...(timeZone ? { timeZone } : {}),
                    ...(suspend !== undefined ? { suspend } : {}),
                    concurrencyPolicy: "Forbid",
                    jobTemplate: {
                        metadata: {
                            labels: metadata.labels,
                            ...(metadata.annotations ? { annotations: metadata.annotations } : {}),
                        },
                        spec,
                    },
                },
            },
            owner,
            run,
        ),
        opts,
    );
}

/** The fields of a queued Job that Kueue sets by design: not conflicts with the program's values. */
const KUEUE_OWNS = (c: FieldConflict) => c.path === ".spec.suspend";

/**
 * A run now: its Job. `pulumi up` registers the run; it does not wait hours for a
 * training job to finish. A changed run replaces its Job (a Job's pod template is
 * immutable). The name is fixed (a waited run and `run wait` find the Job by it), and the
 * provider replaced it create-before-delete: the new Job's server-side apply met the old
 * one ("field conflict"). So: delete before replace, and "background" removes the old Job
 * object at once (its pods follow through the garbage collector); foreground would keep
 * it until its pods are gone, which skipAwait does not wait for.
 */
function runJob(
    name: string,
    metadata: RunMetadata,
    spec: RunJobSpec,
    opts: pulumi.CustomResourceOptions,
    owner: string,
    run: pulumi.Resource,
    expected?: (c: FieldConflict) => boolean,
): k8s.batch.v1.Job {
    const jobMetadata = {
        ...metadata,
        annotations: {
            ...(metadata.annotations ?? {}),
            "pulumi.com/skipAwait": "true",
            "pulumi.com/deletionPropagationPolicy": "background",
        },
    };
    return new k8s.batch.v1.Job(
        `${name}-job`,
        checkedForConflicts("Job", { metadata: jobMetadata, spec }, owner, run, expected),
        { ...opts, deleteBeforeReplace: true },
    );
}
