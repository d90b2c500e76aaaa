import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ValidationError } from "../core/errors";
import { RunArgs, checkRunArgs, jobSpec, runLabels } from "../core/podtemplate/job";
import { OverrideOptions, TaskTemplate } from "../core/task";
import { templateWithImage } from "./pod-template-args";
import type { TaskEnvironment } from "./task-environment";
import { claimName } from "./name-claims";

export interface TaskRunArgs extends RunArgs {
    /** Invocation-level overrides (Flyte's `task.override(...)`), applied before running. */
    override?: OverrideOptions;
}

/**
 * A declared task. Not a resource itself: its PodTemplate is a child of the
 * environment; `run` materialises invocations as Jobs / CronJobs.
 */
export class Task {
    readonly environment: TaskEnvironment;
    readonly template: TaskTemplate;
    /** The PodTemplate registered when the task was declared. */
    readonly podTemplate: k8s.core.v1.PodTemplate;

    constructor(environment: TaskEnvironment, template: TaskTemplate, podTemplate: k8s.core.v1.PodTemplate) {
        this.environment = environment;
        this.template = template;
        this.podTemplate = podTemplate;
    }

    get name(): string {
        return this.template.name;
    }

    get fullName(): string {
        return this.template.fullName;
    }

    /** A new Task with invocation-level overrides (pure: registers nothing). */
    override(options: OverrideOptions): Task {
        return new Task(this.environment, this.template.override(options), this.podTemplate);
    }

    /**
     * Materialises an invocation: a batch/v1 Job (or a CronJob with `schedule`) built
     * from this task's template with its overrides applied.
     */
    run(runName: string, args: TaskRunArgs = {}, opts?: pulumi.ComponentResourceOptions): TaskRun {
        return new TaskRun(`${this.environment.environmentName}-${this.name}-${runName}`, { task: this, runName, ...args }, { parent: this.environment, ...opts });
    }
}

export interface TaskRunResourceArgs extends TaskRunArgs {
    task: Task;
    runName: string;
}

/** One invocation of a task: a Job, or a CronJob when scheduled (plus a headless Service for multi-host slices). */
export class TaskRun extends pulumi.ComponentResource {
    readonly job?: k8s.batch.v1.Job;
    readonly cronJob?: k8s.batch.v1.CronJob;
    readonly service?: k8s.core.v1.Service;
    /** Kubernetes name of the Job / CronJob. */
    readonly jobName: string;

    constructor(name: string, args: TaskRunResourceArgs, opts?: pulumi.ComponentResourceOptions) {
        const { task, runName, override, ...runArgs } = args;
        checkRunArgs("run", { ...runArgs, override });
        const template = override ? task.template.override(override, "run.override") : task.template;
        const env = task.environment;
        const rendered = env.renderTask(template);
        const { name: jobName, spec, hosts } = jobSpec(rendered, runName, runArgs);
        claimName("run", env.namespaceInput, runArgs.schedule ? "CronJob" : "Job", jobName, `run "${template.fullName}.${runName}"`);
        if (hosts > 1 && runArgs.schedule) {
            throw new ValidationError("run.schedule", runArgs.schedule, "scheduled runs of multi-host TPU slices are not supported yet; run them as Jobs");
        }
        super("flyte:index:TaskRun", name, {}, opts);
        this.jobName = jobName;
        spec.template = templateWithImage(spec.template, rendered.primaryContainerName, env.imageRef);
        const metadata = { name: jobName, ...(env.namespaceInput !== undefined ? { namespace: env.namespaceInput } : {}), labels: runLabels(rendered, runName) };
        const childOpts = { parent: this, dependsOn: [task.podTemplate, ...env.childDependencies] };
        if (hosts > 1) {
            this.service = new k8s.core.v1.Service(`${name}-hosts`, {
                metadata,
                spec: { clusterIP: "None", selector: { "job-name": jobName }, publishNotReadyAddresses: true },
            }, childOpts);
        }
        if (runArgs.schedule) {
            const { schedule, timeZone, suspend } = runArgs;
            this.cronJob = new k8s.batch.v1.CronJob(`${name}-cronjob`, {
                metadata,
                spec: { schedule, ...(timeZone ? { timeZone } : {}), ...(suspend !== undefined ? { suspend } : {}), concurrencyPolicy: "Forbid", jobTemplate: { metadata: { labels: metadata.labels }, spec } },
            }, childOpts);
        } else {
            // `pulumi up` registers the run; it does not wait hours for a training job to finish
            const jobMetadata = { ...metadata, annotations: { "pulumi.com/skipAwait": "true" } };
            this.job = new k8s.batch.v1.Job(`${name}-job`, { metadata: jobMetadata, spec }, childOpts);
        }
        this.registerOutputs({ jobName });
    }
}
