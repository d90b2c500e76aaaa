import { ValidationError, joinPath } from "../errors";
import { copyData } from "../objects";
import { z } from "zod";
import { argsSchema, booleanField, checkedLater, parseArgs, rule, stringListField } from "../validate";
import {
    CRONJOB_NAME_MAX,
    boundedName,
    checkAnnotations,
    checkFlyteName,
    checkLabels,
    labelValue,
    serviceName,
} from "../names";
import { ANNOTATIONS, CLAIM_NAME, LABELS, LABEL_PREFIX, Rendered } from "./render";
import { PodTemplateSpec, ResourceClaimTemplate } from "./kube-types";

export interface RunArgs {
    /** Container command (default: the image's entrypoint). */
    command?: string[];
    args?: string[];
    /** Cron schedule: makes a CronJob instead of a Job. */
    schedule?: string;
    timeZone?: string;
    /** Seconds a finished Job is kept (default: kept). */
    ttlSecondsAfterFinished?: number;
    suspend?: boolean;
    /** `pulumi up` waits for the Job to complete (see components/job-wait.ts); not for scheduled runs. */
    wait?: boolean | { timeout?: number | string; logLines?: number };
    /** Labels of the run's Job (or CronJob) and its pods (a Flyte trigger's `labels`). */
    labels?: Record<string, string>;
    /** Annotations of the run's Job (or CronJob) and its pods (a Flyte trigger's `annotations`). */
    annotations?: Record<string, string>;
    /** What the run is for (at most 255 characters, as Flyte's): the annotation `pulumi-flyte.io/description`. */
    description?: string;
}

/** A run's description is at most this long (Flyte's limit for descriptions). */
const DESCRIPTION_MAX = 255;

/** The fields of a run and their value rules (`wait` is the component's: components/job-wait.ts). */
export const runArgsSchema = argsSchema<RunArgs>()(
    {
        command: stringListField.optional(),
        args: stringListField.optional(),
        schedule: rule(checkSchedule),
        timeZone: rule(checkTimeZone),
        ttlSecondsAfterFinished: rule(checkTtl),
        suspend: booleanField.optional(),
        wait: checkedLater<RunArgs["wait"]>(),
        labels: rule(checkRunLabels),
        annotations: rule(checkRunAnnotations),
        description: rule(checkDescription),
    },
    "run options { command?, args?, schedule?, override? }",
);

/** A cron schedule the CronJob controller accepts. */
function checkSchedule(field: string, s: unknown): string {
    const problem = typeof s === "string" ? cronProblem(s) : "expected a string";
    if (problem)
        throw new ValidationError(
            field,
            s,
            `expected a cron schedule of five fields (e.g. "0 3 * * *") or a macro such as "@daily" or "@every 1h": ${problem}`,
        );
    return s as string;
}

function checkTimeZone(field: string, value: unknown): string {
    if (!isTimeZone(value))
        throw new ValidationError(
            field,
            value,
            'an IANA time zone name such as "Europe/Paris", "America/New_York" or "Etc/UTC"',
        );
    return value as string;
}

function checkTtl(field: string, value: unknown): number {
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > INT32_MAX)
        throw new ValidationError(field, value, `expected an integer from 0 to ${INT32_MAX} (seconds)`);
    return value;
}

/** Labels of a run: Kubernetes' rules, and none of the keys pulumi-flyte sets. */
function checkRunLabels(field: string, value: unknown): Record<string, string> {
    const labels = checkLabels(field, value);
    for (const key of Object.keys(labels))
        if (key.startsWith(`${LABEL_PREFIX}/`) || key === LABELS.managedBy)
            throw new ValidationError(
                joinPath(field, key),
                labels[key],
                `a label of your own: ${LABEL_PREFIX}/* and ${LABELS.managedBy} are set by pulumi-flyte`,
            );
    return labels;
}

function checkRunAnnotations(field: string, value: unknown): Record<string, string> {
    return checkAnnotations(field, value);
}

function checkDescription(field: string, value: unknown): string {
    if (typeof value !== "string") throw new ValidationError(field, value, "expected a string");
    if (value.length > DESCRIPTION_MAX)
        throw new ValidationError(
            field,
            value,
            `at most ${DESCRIPTION_MAX} characters (Flyte's limit); this one has ${value.length}`,
        );
    return value;
}

const CRON_MACRO = /^@(yearly|annually|monthly|weekly|daily|midnight|hourly)$/;
// `@every <Go duration>`, which the CronJob controller's parser accepts too
const CRON_EVERY = /^@every ((\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+)$/;
const INT32_MAX = 2 ** 31 - 1;
const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
/** The five fields of a cron schedule (the CronJob controller's standard parser): bounds and names. */
const CRON_FIELDS: readonly { name: string; min: number; max: number; names?: readonly string[] }[] = [
    { name: "minute", min: 0, max: 59 },
    { name: "hour", min: 0, max: 23 },
    { name: "day of month", min: 1, max: 31 },
    { name: "month", min: 1, max: 12, names: MONTHS },
    { name: "day of week", min: 0, max: 6, names: DAYS },
];

/** Why a cron schedule would be rejected (undefined: valid). */
export function cronProblem(schedule: string): string | undefined {
    const s = schedule.trim();
    if (/^(CRON_)?TZ=/.test(s))
        return "a time zone in the schedule is not accepted by Kubernetes: use the run's timeZone";
    if (s.startsWith("@")) {
        if (CRON_MACRO.test(s) || CRON_EVERY.test(s)) return undefined;
        return 'a macro is one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly or "@every <duration>" (e.g. "@every 1h30m")';
    }
    const parts = s.split(/\s+/);
    if (parts.length !== 5)
        return `a cron schedule has five fields (minute hour day-of-month month day-of-week); this one has ${parts.length}`;
    for (let i = 0; i < 5; i++) {
        const problem = cronFieldProblem(parts[i], CRON_FIELDS[i]);
        if (problem) return `${CRON_FIELDS[i].name} field "${parts[i]}": ${problem}`;
    }
    return undefined;
}

function cronFieldProblem(text: string, f: (typeof CRON_FIELDS)[number]): string | undefined {
    const value = (v: string): number | undefined => {
        if (/^[0-9]{1,2}$/.test(v)) return Number(v);
        const i = f.names?.indexOf(v.toUpperCase()) ?? -1;
        return i < 0 ? undefined : i + f.min;
    };
    const allowed = `${f.min}-${f.max}${f.names ? ` or ${f.names[0]}-${f.names[f.names.length - 1]}` : ""}`;
    for (const item of text.split(",")) {
        const m = /^([^/]+)(?:\/([0-9]+))?$/.exec(item);
        if (!m) return "expected values, ranges a-b, steps */n or a-b/n, separated by commas";
        const [, range, step] = m;
        if (step !== undefined && (Number(step) < 1 || Number(step) > f.max)) return `a step is 1 to ${f.max}`;
        if (range === "*" || (range === "?" && (f.name === "day of month" || f.name === "day of week"))) continue;
        const [from, to, extra] = range.split("-");
        if (extra !== undefined) return "expected values, ranges a-b, steps */n or a-b/n, separated by commas";
        const a = value(from);
        const b = to === undefined ? a : value(to);
        if (a === undefined || b === undefined || a < f.min || b > f.max) return `values are ${allowed}`;
        if (a > b) return `a range runs from low to high (${from}-${to})`;
    }
    return undefined;
}

/** Checks a run's arguments (their schema's value rules, then what combines fields); `schema` is the caller's (a TaskRun's adds `override`). */
export function checkRunArgs<T extends RunArgs>(field: string, args: T, schema: z.AnyZodObject = runArgsSchema): void {
    parseArgs(schema, args, field);
    if (args.timeZone !== undefined && args.schedule === undefined)
        throw new ValidationError(
            joinPath(field, "timeZone"),
            args.timeZone,
            "a time zone applies to a scheduled run (schedule)",
        );
}

/** An IANA time zone the CronJob controller can load ("Local" is refused by Kubernetes). */
function isTimeZone(value: unknown): boolean {
    if (typeof value !== "string" || value === "" || value === "Local" || !/^[A-Za-z0-9_+\-/]+$/.test(value))
        return false;
    try {
        new Intl.DateTimeFormat("en-US", { timeZone: value });
        return true;
    } catch {
        return false;
    }
}

/** A batch/v1 JobSpec, the fields a run sets. */
export interface JobSpec {
    backoffLimit: number;
    activeDeadlineSeconds?: number;
    ttlSecondsAfterFinished?: number;
    suspend?: boolean;
    completionMode?: "Indexed";
    completions?: number;
    parallelism?: number;
    template: PodTemplateSpec & { spec: { subdomain?: string } };
}

/** The spec as its readers (tests) take it: JSON. `JobSpec` types what jobSpec writes. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
type JobSpecJson = any;

/** The batch/v1 JobSpec of one invocation of a task (from its rendered, overridden template). */
export function jobSpec(
    rendered: Rendered,
    runName: string,
    args: RunArgs,
    field = "run",
): { name: string; spec: JobSpecJson; hosts: number; claimTemplate?: ResourceClaimTemplate } {
    checkFlyteName("run", runName);
    const s = rendered.settings;
    if (s.queue && args.suspend !== undefined && args.schedule === undefined)
        throw new ValidationError(
            joinPath(field, "suspend"),
            args.suspend,
            `a run in a queue (queue "${s.queue}") is created suspended and started by Kueue when its ClusterQueue admits it; to hold queued runs, stop the queue (stopPolicy: "Hold")`,
        );
    const template = runPodTemplate(rendered, runName, args);
    // a CronJob's name leaves room for the "-<time>" suffix of its Jobs
    const name = boundedName(args.schedule !== undefined ? CRONJOB_NAME_MAX : 63, rendered.name, runName);
    const hosts = rendered.placement.hosts;
    const spec: JobSpec = {
        backoffLimit: s.retries,
        // a zero timeout is Flyte's "no timeout" (a zero Duration is unset), never a Job that fails at once
        ...(s.timeoutSeconds ? { activeDeadlineSeconds: s.timeoutSeconds } : {}),
        ...(args.ttlSecondsAfterFinished !== undefined
            ? { ttlSecondsAfterFinished: args.ttlSecondsAfterFinished }
            : {}),
        // a queued run is created suspended: Kueue starts it when its ClusterQueue admits it
        ...(s.queue
            ? { suspend: true }
            : args.suspend !== undefined && args.schedule === undefined
              ? { suspend: args.suspend }
              : {}),
        template,
    };
    if (hosts > 1) {
        // one pod per TPU host of the slice, addressable through a headless Service
        Object.assign(spec, { completionMode: "Indexed", completions: hosts, parallelism: hosts });
        template.spec.subdomain = serviceName(name); // the headless Service's name: a DNS-1035 label
    }
    if (rendered.claimTemplate)
        return { name, spec, hosts, claimTemplate: runClaimTemplate(rendered.claimTemplate, name, runName, template) };
    return { name, spec, hosts };
}

/** The pod template of a run's pods: the task's, with the run's labels, annotations, command and args, never restarted. */
function runPodTemplate(rendered: Rendered, runName: string, args: RunArgs): PodTemplateSpec {
    const template = copyData(rendered.podTemplate.template);
    const annotations = runAnnotations(args);
    template.metadata = {
        ...(template.metadata ?? {}),
        labels: {
            ...(template.metadata?.labels ?? {}),
            ...(args.labels ?? {}),
            [`${LABEL_PREFIX}/run`]: labelValue(runName),
        },
        ...(Object.keys(annotations).length
            ? { annotations: { ...(template.metadata?.annotations ?? {}), ...annotations } }
            : {}),
    };
    template.spec.restartPolicy = "Never";
    template.spec.containers = template.spec.containers.map((c) =>
        c.name === rendered.primaryContainerName
            ? {
                  ...c,
                  ...(args.command ? { command: [...args.command] } : {}),
                  ...(args.args ? { args: [...args.args] } : {}),
              }
            : c,
    );
    return template;
}

/**
 * A run's pods claim their accelerators from a template of the run's own (its
 * overrides may ask for other devices than the task's template): named after the run's
 * Job, and the pod template's claim points at it.
 */
function runClaimTemplate(
    rendered: ResourceClaimTemplate,
    jobName: string,
    runName: string,
    template: PodTemplateSpec,
): ResourceClaimTemplate {
    const claimTemplate = copyData(rendered);
    claimTemplate.metadata.name = `${jobName}-${CLAIM_NAME}`;
    claimTemplate.metadata.labels = {
        ...(claimTemplate.metadata.labels ?? {}),
        [`${LABEL_PREFIX}/run`]: labelValue(runName),
    };
    template.spec.resourceClaims = (template.spec.resourceClaims ?? []).map((c) =>
        c.name === CLAIM_NAME ? { ...c, resourceClaimTemplateName: claimTemplate.metadata.name } : c,
    );
    return claimTemplate;
}

/** Annotations a run adds to its Job (or CronJob) and pods: the caller's, and its description. */
export function runAnnotations(args: RunArgs): Record<string, string> {
    return {
        ...(args.annotations ?? {}),
        ...(args.description !== undefined ? { [ANNOTATIONS.description]: args.description } : {}),
    };
}

/** Labels of a run's objects. */
export function runLabels(rendered: Rendered, runName: string, args: RunArgs = {}): Record<string, string> {
    return {
        ...(rendered.podTemplate.metadata.labels ?? {}),
        ...(args.labels ?? {}),
        [`${LABEL_PREFIX}/run`]: labelValue(runName),
        [LABELS.managedBy]: "pulumi-flyte",
    };
}
