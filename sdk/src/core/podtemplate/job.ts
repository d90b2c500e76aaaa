import { ValidationError, joinPath } from "../errors";
import { unknownField } from "../validate";
import { CRONJOB_NAME_MAX, boundedName, checkFlyteName, labelValue, serviceName } from "../names";
import { LABELS, LABEL_PREFIX, Rendered } from "./render";
import { PodTemplateSpec } from "./types";

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
}

export const RUN_FIELDS = ["command", "args", "schedule", "timeZone", "ttlSecondsAfterFinished", "suspend", "wait", "override"];
const CRON_MACRO = /^@(yearly|annually|monthly|weekly|daily|midnight|hourly)$/;
const CRON_FIELD = /^(\*|\?|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/[0-9]+)?(,(\*|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/[0-9]+)?)*$/;

export function checkRunArgs(field: string, args: RunArgs & { override?: unknown }): void {
    if (args === null || typeof args !== "object") throw new ValidationError(field, args, "expected run options { command?, args?, schedule?, override? }");
    for (const key of Object.keys(args)) {
        if (!RUN_FIELDS.includes(key)) throw unknownField(field, key, RUN_FIELDS);
    }
    for (const key of ["command", "args"] as const) {
        const v = args[key];
        if (v !== undefined && (!Array.isArray(v) || v.some((s) => typeof s !== "string"))) throw new ValidationError(joinPath(field, key), v, "expected a list of strings");
    }
    if (args.schedule !== undefined) {
        const s = args.schedule;
        const ok = typeof s === "string" && (CRON_MACRO.test(s) || (s.trim().split(/\s+/).length === 5 && s.trim().split(/\s+/).every((p) => CRON_FIELD.test(p))));
        if (!ok) throw new ValidationError(joinPath(field, "schedule"), s, "expected a cron schedule of five fields (e.g. \"0 3 * * *\") or a macro such as \"@daily\"");
    }
    if (args.ttlSecondsAfterFinished !== undefined && (!Number.isInteger(args.ttlSecondsAfterFinished) || args.ttlSecondsAfterFinished < 0)) {
        throw new ValidationError(joinPath(field, "ttlSecondsAfterFinished"), args.ttlSecondsAfterFinished, "expected a non-negative integer");
    }
}

/** The batch/v1 JobSpec of one invocation of a task (from its rendered, overridden template). */
export function jobSpec(rendered: Rendered, runName: string, args: RunArgs): { name: string; spec: any; hosts: number } {
    checkFlyteName("run", runName);
    const s = rendered.settings;
    const template: PodTemplateSpec = JSON.parse(JSON.stringify(rendered.podTemplate.template));
    // a CronJob's name leaves room for the "-<time>" suffix of its Jobs
    const name = boundedName(args.schedule !== undefined ? CRONJOB_NAME_MAX : 63, rendered.name, runName);
    template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [`${LABEL_PREFIX}/run`]: labelValue(runName) } };
    template.spec.restartPolicy = "Never";
    template.spec.containers = template.spec.containers.map((c) =>
        c.name === rendered.primaryContainerName ? { ...c, ...(args.command ? { command: [...args.command] } : {}), ...(args.args ? { args: [...args.args] } : {}) } : c);
    const hosts = rendered.placement.hosts;
    const spec: any = {
        backoffLimit: s.retries,
        ...(s.timeoutSeconds !== undefined ? { activeDeadlineSeconds: s.timeoutSeconds } : {}),
        ...(args.ttlSecondsAfterFinished !== undefined ? { ttlSecondsAfterFinished: args.ttlSecondsAfterFinished } : {}),
        ...(args.suspend !== undefined && args.schedule === undefined ? { suspend: args.suspend } : {}),
        template,
    };
    if (hosts > 1) {
        // one pod per TPU host of the slice, addressable through a headless Service
        Object.assign(spec, { completionMode: "Indexed", completions: hosts, parallelism: hosts });
        template.spec.subdomain = serviceName(name); // the headless Service's name: a DNS-1035 label
    }
    return { name, spec, hosts };
}

/** Labels of a run's objects. */
export function runLabels(rendered: Rendered, runName: string): Record<string, string> {
    return { ...(rendered.podTemplate.metadata.labels ?? {}), [`${LABEL_PREFIX}/run`]: labelValue(runName), [LABELS.managedBy]: "pulumi-flyte" };
}
