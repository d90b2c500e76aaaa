/**
 * `task.run(name, { wait })` under Pulumi mocks in preview mode: what registers, and
 * invalid waits rejected before anything registers. (The waiting itself: job-wait.test.ts;
 * against a real node: tests/e2e/task-run.test.ts.)
 */
import { expectRejectedBeforeRegistering, installMocks, ofType, reset, resolve, settle } from "./harness";
installMocks({ preview: true });
import { TaskEnvironment } from "../../sdk/src";

const REF = "registry.example.com/team/app@sha256:" + "c".repeat(64);

describe("TaskRun wait", () => {
    it("registers the same Job as without wait, and a preview never waits", async () => {
        const env = new TaskEnvironment("smoke", { image: REF, profile: "gke", resources: { cpu: 1 } });
        const task = env.task("report");
        const waited = task.run("waited", { command: ["python", "-c", "print(1)"], wait: true });
        const plain = task.run("plain", { command: ["python", "-c", "print(1)"] });
        await settle(env, waited, plain, waited.job!, plain.job!);
        const [a, b] = ["smoke-report-waited-job", "smoke-report-plain-job"].map(
            (n) => ofType("kubernetes:batch/v1:Job").find((r) => r.name === n)!.inputs,
        );
        // the same Job but for the run's name (object name and run label)
        const unnamed = (j: any) =>
            JSON.parse(
                JSON.stringify(j)
                    .replace(/smoke-report-(waited|plain)/g, "NAME")
                    .replace(/"(waited|plain)"/g, '"RUN"'),
            );
        expect(unnamed(a)).toEqual(unnamed(b));
        // the provider does not await the Job: the program does, with the pod's log at hand
        expect(a.metadata.annotations).toEqual({
            "pulumi.com/skipAwait": "true",
            "pulumi.com/deletionPropagationPolicy": "background",
        });
        expect(waited.completion).toBeDefined();
        expect(plain.completion).toBeUndefined();
        expect((await resolve(waited.completion!)).value).toBeUndefined();
    });

    it("rejects waiting for a scheduled run, and a malformed wait, before anything registers", () => {
        const env = new TaskEnvironment("smoke", { image: REF, profile: "gke", resources: { cpu: 1 } });
        const task = env.task("report");
        reset();
        expectRejectedBeforeRegistering(() => task.run("nightly", { schedule: "0 3 * * *", wait: true }), "run.wait");
        expectRejectedBeforeRegistering(() => task.run("once", { wait: "yes" as any }), "run.wait");
        expectRejectedBeforeRegistering(() => task.run("once", { wait: { timeout: "soon" } }), "run.wait.timeout");
        // a waited-for run without a command would run the image's default command and "succeed" idle
        expectRejectedBeforeRegistering(() => task.run("once", { wait: true }), "run.command");
    });
});
