import { installMocks, ofType, settle } from "./harness";
installMocks();
import { TaskEnvironment } from "../../sdk/src";
import * as flyte from "../../provider/src";

/*
 * Flyte's timeout semantics wherever a timeout reaches: 0, in any of its spellings, or
 * none is no deadline. A task's timeout becomes the timeout annotation of its PodTemplate
 * and the activeDeadlineSeconds of its runs' Jobs and of its CronJobs' Job template; an
 * override sets it for one invocation (0 removes a declared one). Checked on what the
 * components register, from the TypeScript API and from the flyte package's data form.
 */

const REF = "registry.example.com/team/app@sha256:" + "c".repeat(64);
const ANNOTATION = "pulumi-flyte.io/timeout-seconds";
const ZEROES: (number | string)[] = [0, "0", "0s", "0m", "0h0m0s"];

async function settleAll(): Promise<void> {
    for (let i = 0; i < 20; i++) await new Promise((res) => setImmediate(res));
}

/** Deadline of every registered run (Job, CronJob's Job template) and annotation of every PodTemplate, by name. */
function deadlines(): Record<string, number | string | undefined> {
    const out: Record<string, number | string | undefined> = {};
    for (const j of ofType("kubernetes:batch/v1:Job")) out[j.name] = j.inputs.spec.activeDeadlineSeconds;
    for (const c of ofType("kubernetes:batch/v1:CronJob"))
        out[c.name] = c.inputs.spec.jobTemplate.spec.activeDeadlineSeconds;
    for (const p of ofType("kubernetes:core/v1:PodTemplate"))
        out[p.name] = p.inputs.template.metadata?.annotations?.[ANNOTATION];
    return out;
}

/** A task declared with `declared`, one run without override, one scheduled, one overridden with `override`. */
async function typescript(declared: number | string | undefined, override: number | string | undefined) {
    const env = new TaskEnvironment("e", { image: REF });
    const task = env.task("t", declared === undefined ? {} : { timeout: declared });
    task.run("plain", { command: ["true"] });
    task.run("nightly", { command: ["true"], schedule: "0 3 * * *" });
    task.override(override === undefined ? {} : { timeout: override }).run("once", { command: ["true"] });
    await settle(env);
    await settleAll();
}

async function dataForm(declared: string | undefined, override: string | undefined) {
    const env = new flyte.TaskEnvironment("e", {
        imageRef: REF,
        tasks: [
            {
                name: "t",
                ...(declared === undefined ? {} : { timeout: declared }),
                runs: [
                    { name: "plain", command: ["true"] },
                    { name: "nightly", command: ["true"], schedule: "0 3 * * *" },
                    {
                        name: "once",
                        command: ["true"],
                        ...(override === undefined ? {} : { override: { timeout: override } }),
                    },
                ],
            },
        ],
    });
    await settle(env);
    await settleAll();
}

const NONE = {
    "e-podtemplate": undefined,
    "e-t-podtemplate": undefined,
    "e-t-plain-job": undefined,
    "e-t-nightly-cronjob": undefined,
    "e-t-once-job": undefined,
};

describe("timeouts: 0 or none is no deadline", () => {
    it.each([undefined, ...ZEROES])(
        "TypeScript: a task declared with timeout %p has no deadline anywhere",
        async (t) => {
            await typescript(t, undefined);
            expect(deadlines()).toEqual(NONE);
        },
    );

    it.each([undefined, ...ZEROES.filter((z) => typeof z === "string")])(
        "flyte package: a task declared with timeout %p has no deadline anywhere",
        async (t) => {
            await dataForm(t as string | undefined, undefined);
            expect(deadlines()).toEqual(NONE);
        },
    );

    it.each(ZEROES)("TypeScript: an override of %p removes a declared timeout from its run only", async (zero) => {
        await typescript("1h", zero);
        expect(deadlines()).toEqual({
            "e-podtemplate": undefined,
            "e-t-podtemplate": "3600",
            "e-t-plain-job": 3600,
            "e-t-nightly-cronjob": 3600,
            "e-t-once-job": undefined,
        });
    });

    it.each(ZEROES.filter((z) => typeof z === "string"))(
        "flyte package: an override of %p removes a declared timeout from its run only",
        async (zero) => {
            await dataForm("1h", zero as string);
            expect(deadlines()).toEqual({
                "e-podtemplate": undefined,
                "e-t-podtemplate": "3600",
                "e-t-plain-job": 3600,
                "e-t-nightly-cronjob": 3600,
                "e-t-once-job": undefined,
            });
        },
    );

    it("an override sets a deadline for its run where none was declared", async () => {
        await typescript(undefined, "90s");
        expect(deadlines()).toEqual({ ...NONE, "e-t-once-job": 90 });
    });
});
