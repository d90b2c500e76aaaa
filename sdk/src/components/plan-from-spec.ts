import { ValidationError, joinPath } from "../core/errors";
import { definedFields } from "../core/objects";
import { checkFlyteName } from "../core/names";
import { EnvironmentPlan, PlannableEnvironmentArgs, planEnvironment } from "./environment-steps";
import { RunPlan, TaskPlan, planRun, planTask } from "./task";
import { ImageBuildArgs } from "./image-build";
import { flyteFieldsFromSpec, profileFromSpec, runFromSpec, taskOptionsFromSpec } from "../spec/convert";
import { imageFromSpec } from "../spec/image-from-spec";
import { atCallerPaths } from "../spec/paths";
import { parseSpec } from "../spec/parse";
import { ImageBuildArgs as ImageBuildSchema, TaskEnvironmentArgs, TaskEnvironmentSpec } from "../spec/schema";

export interface SpecOptions {
    /** Directory relative local paths are resolved from (the program's directory). */
    baseDir?: string;
}

/** An environment given as data, with its tasks and runs, validated and rendered. */
export interface SpecEnvironmentPlan {
    readonly environment: EnvironmentPlan;
    readonly tasks: readonly { readonly plan: TaskPlan; readonly runs: readonly RunPlan[] }[];
}

/**
 * Plans a TaskEnvironment given in the data form (the multi-language package's
 * arguments): the same core validates it as in TypeScript, and every error names the
 * data form's field (`tasks[0].runs[1].override.resources.cpuLimit`).
 */
export function planEnvironmentFromSpec(name: string, input: unknown, options: SpecOptions = {}): SpecEnvironmentPlan {
    const spec: TaskEnvironmentSpec = parseSpec(TaskEnvironmentArgs, input ?? {}, "");
    if (spec.image !== undefined && spec.imageRef !== undefined) {
        throw new ValidationError(
            "imageRef",
            "(an image reference)",
            "set either image (built here) or imageRef (built elsewhere), not both",
        );
    }
    const image = spec.image !== undefined ? imageFromSpec(spec.image, "image", options) : spec.imageRef;
    const profile = profileFromSpec(spec.profile, spec.customProfile);
    const flyte = flyteFieldsFromSpec(spec, "");
    const args: PlannableEnvironmentArgs = definedFields({
        ...flyte.value,
        image,
        namespace: spec.namespace,
        profile: profile.value,
        migStrategy: spec.migStrategy,
        deviceAllocation: spec.deviceAllocation,
        interruptible: spec.interruptible,
        description: spec.description,
        queue: spec.queue,
        imageBuild: spec.imageBuild,
        warmPoolCommand: spec.warmPoolCommand,
    });
    const environment = atCallerPaths([...flyte.rules, ...profile.rules], () => planEnvironment(name, args));

    const taskNames = new Set<string>();
    const tasks = (spec.tasks ?? []).map((t, i) => {
        const field = `tasks[${i}]`;
        const plan = planTaskFromSpec(environment, t, field);
        if (taskNames.has(plan.template.name))
            throw new ValidationError(
                joinPath(field, "name"),
                t.name,
                `environment "${name}" already declares a task named "${plan.template.name}"`,
            );
        taskNames.add(plan.template.name);
        return { plan, runs: planRunsFromSpec(environment, plan, t, field) };
    });
    return { environment, tasks };
}

type TaskSpec = NonNullable<TaskEnvironmentSpec["tasks"]>[number];

/** A task given as data (`field`: its place in the data form), planned as TypeScript's `env.task(...)`. */
function planTaskFromSpec(environment: EnvironmentPlan, t: TaskSpec, field: string): TaskPlan {
    checkFlyteName(joinPath(field, "name"), t.name);
    const options = taskOptionsFromSpec(t);
    const tsField = `task(${JSON.stringify(t.name)})`;
    return atCallerPaths(
        [
            [tsField, field],
            ["task.podTemplate", joinPath(field, "podTemplate")],
        ],
        () => planTask(environment, t.name, options.value, tsField),
    );
}

/** A task's runs given as data, each planned as TypeScript's `task.run(...)`; run names are unique per task. */
function planRunsFromSpec(environment: EnvironmentPlan, plan: TaskPlan, t: TaskSpec, field: string): RunPlan[] {
    const runNames = new Set<string>();
    return (t.runs ?? []).map((r, j) => {
        const runField = joinPath(joinPath(field, "runs"), j);
        checkFlyteName(joinPath(runField, "name"), r.name);
        if (runNames.has(r.name))
            throw new ValidationError(
                joinPath(runField, "name"),
                r.name,
                `task "${plan.template.fullName}" already has a run named "${r.name}"`,
            );
        runNames.add(r.name);
        const run = runFromSpec(r, runField);
        const podTemplateField =
            r.override?.podTemplate !== undefined
                ? joinPath(runField, "override.podTemplate")
                : joinPath(field, "podTemplate");
        return atCallerPaths(
            [
                ["run", runField],
                ["task.podTemplate", podTemplateField],
            ],
            () => planRun(environment, plan.template, r.name, run.value.args, "run"),
            run.rules,
        );
    });
}

/** An ImageBuild given as data: its Image and build settings, for validateImageBuild. */
export function planImageBuildFromSpec(input: unknown, options: SpecOptions = {}): ImageBuildArgs {
    const spec = parseSpec(ImageBuildSchema, input ?? {}, "");
    const { image, ...settings } = spec;
    return definedFields({ ...settings, image: imageFromSpec(image, "image", options) }) as ImageBuildArgs;
}
