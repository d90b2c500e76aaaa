/**
 * Queues with the real Kueue (v0.17.0, built from the Go module proxy and started by
 * `npm run platform -- kueue`) and the real kube-scheduler. The program
 * (programs/queues) declares a Queue offering GKE A100 80GB nodes (quota 4 GPUs) and
 * the CPU pool `default-pool` (quota 150m), and runs in it. The test asserts what the
 * preview said against what Kueue and the scheduler did:
 *
 * - a queued run is admitted in the predicted flavour, its Job gets the flavour's node
 *   labels and its pod is bound to a predicted node ("first" on the real node through
 *   the pool label Kueue adds; "once" on the A100 80GB node);
 * - a run asking for more than the quota can ever hold ("huge") stays suspended with a
 *   pending Workload whose message is the one the preview printed;
 * - a run added while "first" holds the CPU quota ("second") waits suspended, with the
 *   message the preview printed, and runs once "first" ends and frees the quota
 *   (`pulumi up` waits for it: a waited run through a queue);
 * - the second preview shows no change;
 * - an operator's `kubectl edit` of the ClusterQueue's quota: the preview names the
 *   queue, the other field manager and the choices (not the Kubernetes provider's own
 *   conflict error), and `flyte:fieldConflicts take-back` converges in one `up`;
 * - `destroy` leaves no Kueue object behind.
 */
import { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { REAL_NODE } from "../../examples/quickstart/environments";
import { KubeClient, kubeClient, waitFor } from "../../scripts/lib/kube-client";
import { REPO, programWorkspace, removeNamespace, requireEnv } from "./workspace";

jest.setTimeout(40 * 60_000);

const WORK_DIR = path.join(REPO, ".work", "e2e-queues");
const NS = "flyte-e2e-queues";
const KUEUE = "/apis/kueue.x-k8s.io/v1beta2";
const FLAVORS = ["gke-a100-80g", "gke-cpu-default-pool"];

let kube: KubeClient;
let stack: Stack;
const logs: string[] = [];

interface Diagnostic {
    severity: string;
    message: string;
    urn: string;
}

async function preview(): Promise<{ diagnostics: Diagnostic[]; changes: Record<string, number> }> {
    const diagnostics: Diagnostic[] = [];
    const onEvent = (e: EngineEvent) => {
        const d = e.diagnosticEvent;
        if (d) diagnostics.push({ severity: d.severity, message: d.message, urn: d.urn ?? "" });
    };
    const result = await stack.preview({ onEvent, onOutput: (s) => logs.push(s), color: "never" });
    return { diagnostics, changes: result.changeSummary as Record<string, number> };
}

/** The check's message about run `run` (`"train.fit.huge"`). */
const about = (ds: Diagnostic[], run: string) => ds.filter((d) => d.message.includes(`run "${run}"`));

/** The Kueue message in a check's line: what follows "...: " up to the node placement. */
const kueueMessage = (line: string) => /(couldn't assign flavors to pod set main: [^;\n]*)/.exec(line)?.[1];

const job = (name: string) => kube.get(`/apis/batch/v1/namespaces/${NS}/jobs/${name}`);
const workloadOf = async (jobName: string) => {
    const j = await job(jobName);
    const [w] = await kube.list(
        `${KUEUE}/namespaces/${NS}/workloads?labelSelector=${encodeURIComponent(`kueue.x-k8s.io/job-uid=${j.metadata.uid}`)}`,
    );
    return w;
};
const condition = (w: any, type: string) => (w?.status?.conditions ?? []).find((c: any) => c.type === type);
const podsOf = (jobName: string) =>
    kube.list(`/api/v1/namespaces/${NS}/pods?labelSelector=${encodeURIComponent(`job-name=${jobName}`)}`);

beforeAll(async () => {
    // Kueue is not part of the default platform: built (once per machine) and started here
    execFileSync("bash", [path.join(REPO, "scripts", "platform.sh"), "kueue"], { stdio: "inherit" });
    kube = kubeClient(requireEnv("KUBECONFIG"));
    const baseImages = JSON.parse(fs.readFileSync(requireEnv("PULUMI_FLYTE_BASE_IMAGES"), "utf8"));
    const image: string = baseImages["python:3.11-slim-bookworm"];
    await removeNamespace(kube, NS);
    for (const f of FLAVORS) await kube.remove(`${KUEUE}/resourceflavors/${f}`);
    await kube.remove(`${KUEUE}/clusterqueues/ml`);
    stack = await Stack.create("dev", await programWorkspace("queues", WORK_DIR));
    await stack.setAllConfig({ namespace: { value: NS }, image: { value: image }, phase: { value: "one" } });
});

afterAll(async () => {
    fs.mkdirSync(WORK_DIR, { recursive: true });
    fs.writeFileSync(path.join(WORK_DIR, "engine.log"), logs.join(""));
});

let firstPreview: Diagnostic[] = [];

test("the preview says which flavour admits each run, where its pods go, and which run can never start", async () => {
    const { diagnostics } = await preview();
    firstPreview = diagnostics;
    const [once] = about(diagnostics, "train.fit.once");
    expect(once.message).toContain(
        'in queue "ml": admitted by ClusterQueue ml in flavor gke-a100-80g; its pods go to ',
    );
    expect(once.message).toContain("gke-a100-80gb");
    const [first] = about(diagnostics, "prep.step.first");
    expect(first.message).toContain("admitted by ClusterQueue ml in flavor gke-cpu-default-pool");
    expect(first.message).toMatch(new RegExp(`its pods go to [^;]*\\b${REAL_NODE}\\b`));
    const [huge] = about(diagnostics, "train.fit.huge");
    expect(huge.severity).toBe("warning");
    expect(huge.message).toContain(
        "insufficient quota for nvidia.com/gpu in flavor gke-a100-80g, previously considered podsets requests (0) + current podset request (8) > maximum capacity (4)",
    );
});

test("up: Kueue admits the runs that fit, adds the flavour's node labels, and the scheduler binds them where the preview said", async () => {
    const result = await stack.up({ onOutput: (s) => logs.push(s), color: "never" });
    const admissions = result.outputs.admissions.value;
    // the GPU run: admitted (un-suspended by Kueue), on the A100 80GB node, and done there (kwok)
    const onceDone = await waitFor(
        async () => (await podsOf("train-fit-once")).some((p: any) => p.spec.nodeName),
        120_000,
    );
    expect(onceDone).toBe(true);
    const [oncePod] = await podsOf("train-fit-once");
    expect(admissions.once.nodes).toContain(oncePod.spec.nodeName);
    expect((await workloadOf("train-fit-once")).status.admission.podSetAssignments[0].flavors["nvidia.com/gpu"]).toBe(
        "gke-a100-80g",
    );
    // the CPU run: Kueue added the pool label, which our pod template does not have
    await waitFor(
        async () => (await podsOf("prep-step-first")).some((p: any) => p.status?.phase === "Running"),
        240_000,
    );
    const first = await job("prep-step-first");
    expect(first.spec.suspend).toBe(false);
    expect(first.spec.template.spec.nodeSelector).toMatchObject({ "cloud.google.com/gke-nodepool": "default-pool" });
    const [firstPod] = await podsOf("prep-step-first");
    expect(firstPod.spec.nodeName).toBe(REAL_NODE);
    expect(admissions.first.nodes).toEqual([REAL_NODE]);
    // the run that never fits: suspended, its Workload pending with the preview's message
    const huge = await job("train-fit-huge");
    expect(huge.spec.suspend).toBe(true);
    const pending = await waitFor(async () => !!condition(await workloadOf("train-fit-huge"), "QuotaReserved"), 60_000);
    expect(pending).toBe(true);
    const reserved = condition(await workloadOf("train-fit-huge"), "QuotaReserved");
    expect(reserved.status).toBe("False");
    expect(reserved.message).toBe(kueueMessage(about(firstPreview, "train.fit.huge")[0].message));
    expect(await podsOf("train-fit-huge")).toEqual([]);
});

test("a run that exceeds the quota in use waits suspended, as the preview said, and runs once the quota frees", async () => {
    await stack.setConfig("phase", { value: "two" });
    const { diagnostics } = await preview();
    const [said] = about(diagnostics, "prep.step.second");
    expect(said.message).toContain('waits in queue "ml" (ClusterQueue ml): couldn\'t assign flavors to pod set main: ');
    expect(said.message).toContain("insufficient unused quota for cpu in flavor gke-cpu-default-pool, 50m more needed");
    // `up` waits for "second" (wait: true): meanwhile its Job is suspended and its Workload pending
    const up = stack.up({ onOutput: (s) => logs.push(s), color: "never" });
    const release = async () => {
        // "first" ends (it waits for /tmp/done), its quota frees, Kueue admits "second"
        const [firstPod] = await podsOf("prep-step-first");
        if (firstPod?.status?.phase === "Running")
            execFileSync("kubectl", [
                "--kubeconfig",
                requireEnv("KUBECONFIG"),
                "-n",
                NS,
                "exec",
                firstPod.metadata.name,
                "--",
                "touch",
                "/tmp/done",
            ]);
    };
    try {
        const queued = await waitFor(async () => {
            const r = await kube.request("GET", `/apis/batch/v1/namespaces/${NS}/jobs/prep-step-second`);
            return r.status === 200 && !!condition(await workloadOf("prep-step-second"), "QuotaReserved");
        }, 300_000);
        expect(queued).toBe(true);
        expect((await job("prep-step-second")).spec.suspend).toBe(true);
        const reserved = condition(await workloadOf("prep-step-second"), "QuotaReserved");
        expect(reserved.status).toBe("False");
        expect(reserved.message).toBe(kueueMessage(said.message));
        expect(await podsOf("prep-step-second")).toEqual([]);
        expect((await podsOf("prep-step-first"))[0].status.phase).toBe("Running");
        await release();
    } finally {
        // whatever failed above, the update ends before the next test (it holds the stack's lock)
        await release().catch(() => undefined);
        await up.catch(() => undefined);
    }
    const result = await up;
    expect(result.summary.result).toBe("succeeded");
    const second = await job("prep-step-second");
    expect((second.status.conditions ?? []).some((c: any) => c.type === "Complete" && c.status === "True")).toBe(true);
    const [secondPod] = await podsOf("prep-step-second");
    expect(secondPod.spec.nodeName).toBe(REAL_NODE);
    expect(second.spec.template.spec.nodeSelector).toMatchObject({ "cloud.google.com/gke-nodepool": "default-pool" });
    // the waited run reports where it ran
    expect(result.outputs.admissions.value.second).toMatchObject({ flavor: "gke-cpu-default-pool" });
});

test("the second preview shows no change (Kueue's un-suspending and node labels are not differences)", async () => {
    const { changes } = await preview();
    expect(Object.keys(changes).filter((k) => k !== "same")).toEqual([]);
    // and after a refresh (the live Jobs, as Kueue changed them) neither
    await stack.refresh({ onOutput: (s) => logs.push(s), color: "never" });
    const again = await preview();
    expect(Object.keys(again.changes).filter((k) => k !== "same")).toEqual([]);
});

test("kubectl edit of the ClusterQueue's quota: the preview names it, kubectl-edit and the choices; take-back converges in one up", async () => {
    const cpuQuota = async () =>
        (await kube.get(`${KUEUE}/clusterqueues/ml`)).spec.resourceGroups
            .flatMap((g: any) => g.flavors)
            .find((f: any) => f.name === "gke-cpu-default-pool")
            .resources.find((r: any) => r.name === "cpu").nominalQuota;
    const editor = path.join(WORK_DIR, "editor.sh");
    fs.writeFileSync(editor, `#!/bin/sh\nsed -i 's|nominalQuota: 150m|nominalQuota: 300m|' "$1"\n`, { mode: 0o755 });
    execFileSync("kubectl", ["--kubeconfig", requireEnv("KUBECONFIG"), "edit", "clusterqueue", "ml"], {
        env: { ...process.env, KUBE_EDITOR: editor, EDITOR: editor },
        stdio: "pipe",
    });
    expect(await cpuQuota()).toBe("300m");
    const diagnostics: Diagnostic[] = [];
    const onEvent = (e: EngineEvent) => {
        const d = e.diagnosticEvent;
        if (d) diagnostics.push({ severity: d.severity, message: d.message, urn: d.urn ?? "" });
    };
    await expect(
        stack.preview({ onEvent, onOutput: (s) => logs.push(s), color: "never", refresh: true }),
    ).rejects.toThrow();
    const errors = diagnostics.filter((d) => d.severity === "error").map((d) => d.message);
    const ours = errors.find((m) => m.includes("was changed outside this program"));
    expect(ours).toContain(
        'ClusterQueue ml (of queue "ml") was changed outside this program: field manager "kubectl-edit"',
    );
    expect(ours).toContain("`pulumi config set flyte:fieldConflicts take-back`, then `pulumi up`");
    expect(errors.join("\n")).not.toContain("Server-Side Apply field conflict detected");

    await stack.setConfig("flyte:fieldConflicts", { value: "take-back" });
    try {
        const up = await stack.up({ onOutput: (s) => logs.push(s), color: "never", refresh: true });
        expect(up.summary.result).toBe("succeeded");
    } finally {
        await stack.removeConfig("flyte:fieldConflicts");
    }
    expect(await cpuQuota()).toBe("150m");
    const managers = (await kube.get(`${KUEUE}/clusterqueues/ml`)).metadata.managedFields.map((m: any) => m.manager);
    expect(managers).not.toContain("kubectl-edit");
    const { changes } = await preview();
    expect(Object.keys(changes).filter((k) => k !== "same")).toEqual([]);
});

test("destroy leaves no Kueue object behind", async () => {
    await stack.destroy({ onOutput: (s) => logs.push(s), color: "never" });
    for (const f of FLAVORS) expect((await kube.request("GET", `${KUEUE}/resourceflavors/${f}`)).status).toBe(404);
    expect((await kube.request("GET", `${KUEUE}/clusterqueues/ml`)).status).toBe(404);
    const gone = await waitFor(
        async () => (await kube.request("GET", `/api/v1/namespaces/${NS}`)).status === 404,
        180_000,
        1000,
    );
    expect(gone).toBe(true);
    expect(
        await kube.list(`${KUEUE}/workloads`).then((ws) => ws.filter((w: any) => w.metadata.namespace === NS)),
    ).toEqual([]);
    expect(
        await kube.list(`${KUEUE}/localqueues`).then((qs) => qs.filter((q: any) => q.metadata.namespace === NS)),
    ).toEqual([]);
});
