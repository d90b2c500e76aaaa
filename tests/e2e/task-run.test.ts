/**
 * A run that fails on the real node: `task.run(..., { wait })` makes `pulumi up` fail
 * with an error that names the task and shows the end of its log; `destroy` then
 * leaves no pod. The program (programs/task-run) uses the local Python base image, so
 * nothing is built.
 */
import { Stack } from "@pulumi/pulumi/automation";
import * as fs from "fs";
import * as path from "path";
import { REAL_NODE } from "../../examples/quickstart/environments";
import { KubeClient, kubeClient, waitFor } from "../../scripts/lib/kube-client";
import { REPO, programWorkspace, removeNamespace, requireEnv } from "./workspace";

jest.setTimeout(20 * 60_000);

const WORK_DIR = path.join(REPO, ".work", "e2e-task-run");
const NS = "flyte-e2e-task-run";
// eight numbered lines, then exit code 3; the error must carry the last five only
const SCRIPT = "import sys\nfor i in range(1, 9): print(f'boom line {i}')\nsys.exit(3)";

let kube: KubeClient;
let stack: Stack;
const logs: string[] = [];

const podsOf = async () =>
    (await kube.list(`/api/v1/namespaces/${NS}/pods`)).map((p: any) => ({
        name: p.metadata.name,
        node: p.spec.nodeName,
        phase: p.status?.phase,
    }));

beforeAll(async () => {
    kube = kubeClient(requireEnv("KUBECONFIG"));
    const baseImages = JSON.parse(fs.readFileSync(requireEnv("PULUMI_FLYTE_BASE_IMAGES"), "utf8"));
    const image: string = baseImages["python:3.11-slim-bookworm"];
    await removeNamespace(kube, NS);
    stack = await Stack.create("dev", await programWorkspace("task-run", WORK_DIR));
    await stack.setAllConfig({ namespace: { value: NS }, image: { value: image }, script: { value: SCRIPT } });
});

afterAll(async () => {
    fs.mkdirSync(WORK_DIR, { recursive: true });
    fs.writeFileSync(path.join(WORK_DIR, "engine.log"), logs.join(""));
});

test("a task that exits 3 fails its Job, and `pulumi up` fails naming the task, with the end of its log", async () => {
    const err: Error = await stack.up({ onOutput: (s) => logs.push(s), color: "never" }).then(
        () => new Error("up succeeded"),
        (e) => e,
    );
    // the error as Pulumi reports it: on the TaskRun, then the log tail, one "| " line each
    const lines = err.message.split("\n");
    const at = lines.findIndex((l) => /^\s*flyte:index:TaskRun \(boom-fail-once\):$/.test(l)) + 1;
    expect(at).toBeGreaterThan(0);
    expect(lines[at]).toContain(
        'error: task "boom.fail" run "once" (Job flyte-e2e-task-run/boom-fail-once) failed: BackoffLimitExceeded',
    );
    expect(lines[at]).toMatch(
        new RegExp(
            `; pod boom-fail-once-[a-z0-9]+ on node ${REAL_NODE}: exit code 3 \\(Error\\); last 5 log lines of "boom\\.fail":$`,
        ),
    );
    const tail: string[] = [];
    for (const l of lines.slice(at + 1)) {
        const m = /^\s*\| (.*)$/.exec(l);
        if (!m) break;
        tail.push(m[1]);
    }
    expect(tail).toEqual(["boom line 4", "boom line 5", "boom line 6", "boom line 7", "boom line 8"]);
    // the cluster agrees: the Job failed, its one pod ran on the real node and exited 3
    const job = await kube.get(`/apis/batch/v1/namespaces/${NS}/jobs/boom-fail-once`);
    expect((job.status.conditions ?? []).filter((c: any) => c.status === "True").map((c: any) => c.type)).toContain(
        "Failed",
    );
    const [pod] = await kube.list(`/api/v1/namespaces/${NS}/pods?labelSelector=job-name%3Dboom-fail-once`);
    expect({ node: pod.spec.nodeName, exitCode: pod.status.containerStatuses[0].state.terminated?.exitCode }).toEqual({
        node: REAL_NODE,
        exitCode: 3,
    });
});

test("destroy leaves no pod behind (on the real node either)", async () => {
    expect((await podsOf()).length).toBeGreaterThan(0);
    await stack.destroy({ onOutput: (s) => logs.push(s) });
    const gone = await waitFor(
        async () => (await kube.request("GET", `/api/v1/namespaces/${NS}`)).status === 404,
        180_000,
        1000,
    );
    expect(gone).toBe(true);
    const onNode = (
        await kube.list(`/api/v1/pods?fieldSelector=${encodeURIComponent(`spec.nodeName=${REAL_NODE}`)}`)
    ).filter((p: any) => p.metadata.namespace === NS);
    expect(onNode).toEqual([]);
});
