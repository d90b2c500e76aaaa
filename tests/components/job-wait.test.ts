/**
 * `run(..., { wait })`: option checks, and the waiting logic against a scripted API
 * (what the Job and its pods look like over time), without a cluster.
 */
import { JobGone, awaitCompletion, normalizeWait } from "../../sdk/src/components/job-wait";
import { ValidationError } from "../../sdk/src/core/errors";
import { thrownBy } from "./harness";

const target = { task: "smoke.report", run: "once", containerName: "primary" };
const fast = { timeoutSeconds: 5, logLines: 3 };

/** An API that answers GETs from a script; each Job read advances time by one step. */
function scriptedApi(jobs: any[], pods: any[], log = "", logStatus = 200) {
    let step = 0;
    const gets: string[] = [];
    return {
        gets,
        api: {
            async get(path: string) {
                gets.push(path);
                if (path.startsWith("/apis/batch/v1/")) {
                    const body = jobs[Math.min(step++, jobs.length - 1)];
                    return { status: 200, body, text: JSON.stringify(body) };
                }
                if (path.includes("/log?")) return { status: logStatus, body: undefined, text: log };
                return { status: 200, body: { items: pods }, text: "" };
            },
        },
    };
}

const running = { status: { active: 1 } };
const complete = { status: { succeeded: 1, conditions: [{ type: "Complete", status: "True" }] } };
const failed = {
    status: {
        failed: 1,
        conditions: [
            {
                type: "Failed",
                status: "True",
                reason: "BackoffLimitExceeded",
                message: "Job has reached the specified backoff limit",
            },
        ],
    },
};
const pod = (name: string, created: string, status: any) => ({
    metadata: { name, creationTimestamp: created },
    spec: { nodeName: "worker" },
    status,
});

describe("normalizeWait", () => {
    test("true waits 10 minutes (Pulumi's default for Jobs) with a 20-line log tail; false and undefined do not wait", () => {
        expect(normalizeWait("run.wait", true)).toEqual({ timeoutSeconds: 600, logLines: 20 });
        expect(normalizeWait("run.wait", false)).toBeUndefined();
        expect(normalizeWait("run.wait", undefined)).toBeUndefined();
        expect(normalizeWait("run.wait", { timeout: "2m", logLines: 50 })).toEqual({
            timeoutSeconds: 120,
            logLines: 50,
        });
    });

    test.each([
        ["a string", "yes", "run.wait"],
        ["an unknown field", { timout: "1m" }, "run.wait.timout"],
        ["a zero timeout", { timeout: 0 }, "run.wait.timeout"],
        ["a bad duration", { timeout: "ten minutes" }, "run.wait.timeout"],
        ["negative log lines", { logLines: -1 }, "run.wait.logLines"],
    ])("%s is rejected with its field", (_, value, field) => {
        const e = thrownBy(() => normalizeWait("run.wait", value));
        expect(e).toBeInstanceOf(ValidationError);
        expect((e as ValidationError).field).toBe(field);
    });
});

describe("awaitCompletion", () => {
    test("a queued Job that Kueue has not admitted by the deadline: the error says it waits in its queue, with Kueue's reason", async () => {
        const queued = {
            metadata: { uid: "uid-q", labels: { "kueue.x-k8s.io/queue-name": "gpu" } },
            spec: { suspend: true },
            status: {},
        };
        const workload = {
            metadata: { name: "job-train-fit-once-1a2b3" },
            status: {
                conditions: [
                    {
                        type: "QuotaReserved",
                        status: "False",
                        reason: "Pending",
                        message:
                            "couldn't assign flavors to pod set main: insufficient unused quota for nvidia.com/gpu in flavor gke-a100-80g, 4 more needed",
                    },
                ],
            },
        };
        const gets: string[] = [];
        const api = {
            async get(path: string) {
                gets.push(path);
                if (path.startsWith("/apis/batch/v1/")) return { status: 200, body: queued, text: "" };
                if (path.startsWith("/apis/kueue.x-k8s.io/"))
                    return { status: 200, body: { items: [workload] }, text: "" };
                return { status: 200, body: { items: [] }, text: "" };
            },
        };
        const err = await awaitCompletion(
            api,
            "ml",
            "train-fit-once",
            target,
            { timeoutSeconds: 0.01, logLines: 3 },
            5,
        ).then(
            () => new Error("resolved"),
            (e: Error) => e,
        );
        expect(err.message).toBe(
            'task "smoke.report" run "once" (Job ml/train-fit-once) did not start within 0.01s: it waits, suspended, in queue "gpu": Kueue has not admitted its Workload job-train-fit-once-1a2b3 (couldn\'t assign flavors to pod set main: insufficient unused quota for nvidia.com/gpu in flavor gke-a100-80g, 4 more needed); it starts when its ClusterQueue has the quota',
        );
        expect(gets).toContain(
            "/apis/kueue.x-k8s.io/v1beta2/namespaces/ml/workloads?labelSelector=kueue.x-k8s.io%2Fjob-uid%3Duid-q",
        );
    });

    test("a queued Job without a Workload (Kueue not running): said so", async () => {
        const queued = {
            metadata: { uid: "u", labels: { "kueue.x-k8s.io/queue-name": "gpu" } },
            spec: { suspend: true },
        };
        const api = {
            async get(path: string) {
                if (path.startsWith("/apis/batch/v1/")) return { status: 200, body: queued, text: "" };
                return { status: 200, body: { items: [] }, text: "" };
            },
        };
        const err = await awaitCompletion(api, "ml", "j", target, { timeoutSeconds: 0.01, logLines: 3 }, 5).then(
            () => new Error("resolved"),
            (e: Error) => e,
        );
        expect(err.message).toContain(
            'it waits, suspended, in queue "gpu" and Kueue made no Workload for it (is Kueue running?',
        );
    });

    test("polls until the Job is Complete; reports the pod and node that completed it", async () => {
        const { api } = scriptedApi(
            [running, running, complete],
            [pod("r-1", "2026-01-01T00:00:00Z", { phase: "Succeeded" })],
        );
        await expect(awaitCompletion(api, "ns", "smoke-report-once", target, fast, 1)).resolves.toEqual({
            namespace: "ns",
            jobName: "smoke-report-once",
            succeeded: 1,
            pod: "r-1",
            node: "worker",
        });
    });

    test("a replaced Job's pods, still terminating under the same job-name, are not this Job's: the report is about the new Job's pod", async () => {
        const own = {
            ...pod("r-new", "2026-01-01T00:00:00Z", {
                phase: "Failed",
                containerStatuses: [{ name: "primary", state: { terminated: { exitCode: 3, reason: "Error" } } }],
            }),
        };
        own.metadata = { ...own.metadata, ownerReferences: [{ kind: "Job", uid: "uid-new" }] } as any;
        const old = pod("r-old", "2026-01-01T00:05:00Z", {
            phase: "Running",
            containerStatuses: [{ name: "primary", state: { running: {} } }],
        });
        (old.metadata as any).ownerReferences = [{ kind: "Job", uid: "uid-old" }];
        const { api } = scriptedApi([{ ...failed, metadata: { uid: "uid-new" } }], [own, old], "boom\n");
        const err = await awaitCompletion(api, "ns", "smoke-report-fail", target, fast, 1).then(
            () => new Error("resolved"),
            (e: Error) => e,
        );
        expect(err.message).toContain("pod r-new on node worker: exit code 3 (Error)");
        expect(err.message).not.toContain("r-old");
    });

    test("a failed Job: the error names the task, the reason, the last pod's exit code and its last log lines", async () => {
        const pods = [
            pod("r-2", "2026-01-01T00:01:00Z", {
                phase: "Failed",
                containerStatuses: [{ name: "primary", state: { terminated: { exitCode: 3, reason: "Error" } } }],
            }),
            pod("r-1", "2026-01-01T00:00:00Z", {
                phase: "Failed",
                containerStatuses: [{ name: "primary", state: { terminated: { exitCode: 1, reason: "Error" } } }],
            }),
        ];
        const { api, gets } = scriptedApi([running, failed], pods, "step 1\nstep 2\nboom\n");
        const err = await awaitCompletion(api, "ns", "smoke-report-fail", { ...target, run: "fail" }, fast, 1).then(
            () => new Error("resolved"),
            (e: Error) => e,
        );
        expect(err).toBeInstanceOf(Error);
        expect(err.message).toBe(
            [
                'task "smoke.report" run "fail" (Job ns/smoke-report-fail) failed: BackoffLimitExceeded (Job has reached the specified backoff limit); ' +
                    'pod r-2 on node worker: exit code 3 (Error); last 3 log lines of "smoke.report":',
                "    | step 1",
                "    | step 2",
                "    | boom",
            ].join("\n"),
        );
        // the newest pod's log, primary container, only the tail
        expect(gets.filter((g) => g.includes("/log?"))).toEqual([
            "/api/v1/namespaces/ns/pods/r-2/log?container=primary&tailLines=3",
        ]);
    });

    test("a Job that never finishes: the error says so and why its pod is stuck", async () => {
        const stuck = pod("r-1", "2026-01-01T00:00:00Z", {
            phase: "Pending",
            containerStatuses: [
                {
                    name: "primary",
                    state: { waiting: { reason: "CreateContainerConfigError", message: 'secret "wandb" not found' } },
                },
            ],
        });
        const { api } = scriptedApi([running], [stuck]);
        const err = await awaitCompletion(api, "ns", "j", target, { timeoutSeconds: 0.01, logLines: 3 }, 5).then(
            () => new Error("resolved"),
            (e: Error) => e,
        );
        expect(err.message).toBe(
            'task "smoke.report" run "once" (Job ns/j) did not complete within 0.01s; pod r-1 on node worker: waiting: CreateContainerConfigError (secret "wandb" not found)',
        );
    });

    test("a Job that is gone (deleted, or removed by its TTL after it finished) is JobGone: nothing to wait for, with the way to run it again", async () => {
        const api = {
            async get() {
                return { status: 404, body: { reason: "NotFound" }, text: '{"reason":"NotFound"}' };
            },
        };
        const err = await awaitCompletion(api, "ns", "smoke-report-once", target, fast, 1).then(
            () => new Error("resolved"),
            (e: Error) => e,
        );
        expect(err).toBeInstanceOf(JobGone);
        expect(err.message).toMatch(
            /^task "smoke.report" run "once" \(Job ns\/smoke-report-once\) no longer exists .*ttlSecondsAfterFinished.*pulumi up --refresh/,
        );
        // any other answer is still an error of the wait
        const forbidden = {
            async get() {
                return { status: 403, body: undefined, text: "forbidden" };
            },
        };
        const other = await awaitCompletion(forbidden, "ns", "j", target, fast, 1).then(
            () => new Error("resolved"),
            (e: Error) => e,
        );
        expect(other).not.toBeInstanceOf(JobGone);
        expect(other.message).toMatch(/cannot read the Job \(HTTP 403: forbidden\)/);
    });

    test("an unreadable log is said so, not hidden", async () => {
        const pods = [
            pod("r-1", "2026-01-01T00:00:00Z", {
                phase: "Failed",
                containerStatuses: [{ name: "primary", state: { terminated: { exitCode: 3 } } }],
            }),
        ];
        const { api } = scriptedApi([failed], pods, "", 403);
        const err = await awaitCompletion(api, "ns", "j", target, fast, 1).then(
            () => new Error("resolved"),
            (e: Error) => e,
        );
        expect(err.message).toMatch(/pod r-1 on node worker: exit code 3; its log could not be read \(HTTP 403\)$/);
    });
});

describe("awaitCompletion: an image that cannot be pulled", () => {
    const IMAGE = "localhost:30000/quickstart@sha256:" + "a".repeat(64);
    const ANSWER = `failed to pull and unpack image "${IMAGE}": failed to resolve reference "${IMAGE}": unexpected status from GET request to https://localhost:30000/v2/quickstart/manifests/sha256:${"a".repeat(64)}: 500 Internal Server Error`;
    const stuck = (reason: string, message: string) =>
        pod("once-abc", "2026-01-01T00:00:00Z", {
            phase: "Pending",
            containerStatuses: [{ name: "primary", image: IMAGE, state: { waiting: { reason, message } } }],
        });

    /** Job running forever; pods and events as given; counts Job reads. */
    function api(pods: any[], events: any[] = []) {
        let jobReads = 0;
        return {
            reads: () => jobReads,
            api: {
                async get(path: string) {
                    if (path.startsWith("/apis/batch/v1/")) {
                        jobReads++;
                        return { status: 200, body: running, text: "" };
                    }
                    if (path.includes("/events?")) return { status: 200, body: { items: events }, text: "" };
                    return { status: 200, body: { items: pods }, text: "" };
                },
            },
        };
    }

    test("fails at the first pull failure, naming the image and the registry's answer (not after its timeout)", async () => {
        const a = api([stuck("ErrImagePull", ANSWER)]);
        const t0 = Date.now();
        const err = await awaitCompletion(
            a.api,
            "flyte-dev",
            "smoke-report-once",
            target,
            { timeoutSeconds: 600, logLines: 3 },
            1,
        ).catch((e) => e);
        expect(Date.now() - t0).toBeLessThan(5000);
        expect(a.reads()).toBe(1);
        expect(err.message).toBe(
            `task "smoke.report" run "once" (Job flyte-dev/smoke-report-once) cannot start: pod once-abc on node worker cannot pull the image ${IMAGE} (ErrImagePull): ${ANSWER}; make the image pullable (push it again, fix the registry or its credentials), then run \`pulumi up\` again`,
        );
    });

    test("in back-off, the cause comes from the pod's last pull failure event", async () => {
        const a = api(
            [stuck("ImagePullBackOff", `Back-off pulling image "${IMAGE}"`)],
            [
                {
                    reason: "Failed",
                    message: "Failed to pull image: an older answer",
                    lastTimestamp: "2026-01-01T00:00:01Z",
                },
                {
                    reason: "Failed",
                    message: `Failed to pull image "${IMAGE}": ${ANSWER}`,
                    lastTimestamp: "2026-01-01T00:00:09Z",
                },
                {
                    reason: "BackOff",
                    message: `Back-off pulling image "${IMAGE}"`,
                    lastTimestamp: "2026-01-01T00:00:10Z",
                },
            ],
        );
        const err = await awaitCompletion(a.api, "flyte-dev", "smoke-report-once", target, fast, 1).catch((e) => e);
        expect(err.message).toContain(
            `cannot pull the image ${IMAGE} (ImagePullBackOff): Failed to pull image "${IMAGE}": ${ANSWER}`,
        );
    });
});
