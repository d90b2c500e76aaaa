import * as pulumi from "@pulumi/pulumi";
import { deployEnvironment } from "../../sdk/src/components/environment-steps";
import { declareTask, runTask } from "../../sdk/src/components/task";
import { planEnvironmentFromSpec } from "../../sdk/src/components/plan-from-spec";
import { TaskEnvironmentArgs } from "./args";
import { namingStyle, programDirectory } from "./program";
import { inCallerTerms } from "../../sdk/src/spec/caller-terms";
import { TaskEnvironmentArgs as TaskEnvironmentSchema } from "../../sdk/src/spec/schema";

/**
 * A Flyte TaskEnvironment on Kubernetes: a PodTemplate with the environment's image,
 * resources, accelerators, secrets and scheduling; a PodTemplate per task; a Job or
 * CronJob per run; a warm pool (Deployment) when reusable. The image, when given, is
 * built and pushed by a child ImageBuild.
 */
export class TaskEnvironment extends pulumi.ComponentResource {
    /** Name of the environment's PodTemplate. */
    public readonly podTemplateName: pulumi.Output<string>;
    /** Image reference the pods use (a digest reference when the image is built here). */
    public readonly imageRef: pulumi.Output<string>;
    /** The image's `<registry>/<name>:<tag>` (flyte-sdk's tag), when `image` is given. */
    public readonly imageUri: pulumi.Output<string | undefined>;
    /** PodTemplate name of each task, by task name. */
    public readonly taskPodTemplateNames: pulumi.Output<Record<string, string>>;
    /** Job (or CronJob) name of each run, by `<task>.<run>`. */
    public readonly runJobNames: pulumi.Output<Record<string, string>>;
    /**
     * Where the environment's pod can run, checked against the cluster's nodes and the
     * declared node pools at preview: its node pools and nodes, "none: <why>" in the
     * scheduler's terms, or "unchecked: <why>".
     */
    public readonly placement: pulumi.Output<string>;
    /** The same for each task's pod, by task name. */
    public readonly taskPlacements: pulumi.Output<Record<string, string>>;
    /**
     * For each run with a `queue`, by `<task>.<run>`: what the scheduling check says of its
     * admission by Kueue (the flavour and where its pods go, why it waits, or why it never starts).
     */
    public readonly runAdmissions: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: TaskEnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
        // every rule runs before anything registers: a mistake fails the preview
        const plan = inCallerTerms(TaskEnvironmentSchema, namingStyle(), () =>
            planEnvironmentFromSpec(name, args, { baseDir: programDirectory() }),
        );
        super("flyte:index:TaskEnvironment", name, {}, opts);
        const deployed = deployEnvironment(this, plan.environment, []);
        const taskPodTemplates: Record<string, pulumi.Output<string>> = {};
        const jobs: Record<string, string> = {};
        const taskPlacements: Record<string, pulumi.Output<string>> = {};
        const admissions: Record<string, pulumi.Output<string>> = {};
        for (const t of plan.tasks) {
            const task = declareTask(deployed.context, t.plan);
            taskPodTemplates[task.name] = task.podTemplate.metadata.name;
            taskPlacements[task.name] = task.placement;
            for (const run of t.runs) {
                const taskRun = runTask(deployed.context, task.podTemplate, run);
                jobs[`${task.name}.${run.runName}`] = run.jobName;
                const admission = taskRun.admission;
                if (admission)
                    admissions[`${task.name}.${run.runName}`] = admission.apply(
                        (a) => `${a.message}${a.placement ? `; its pods go to ${a.placement}` : ""}`,
                    );
            }
        }
        this.podTemplateName = deployed.podTemplate.metadata.name;
        this.imageRef = deployed.context.imageRef;
        this.imageUri = pulumi.output(deployed.imageBuild?.uri);
        this.taskPodTemplateNames = pulumi.output(taskPodTemplates);
        this.runJobNames = pulumi.output(jobs);
        this.placement = deployed.placement.placement;
        this.taskPlacements = pulumi.output(taskPlacements);
        this.runAdmissions = pulumi.output(admissions);
        this.registerOutputs({
            podTemplateName: this.podTemplateName,
            imageRef: this.imageRef,
            imageUri: this.imageUri,
            taskPodTemplateNames: this.taskPodTemplateNames,
            runJobNames: this.runJobNames,
            placement: this.placement,
            taskPlacements: this.taskPlacements,
            runAdmissions: this.runAdmissions,
        });
    }
}
