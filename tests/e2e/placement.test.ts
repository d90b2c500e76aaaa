/**
 * The scheduling check against the real kube-scheduler. The program (programs/placement)
 * declares one environment per case of the scheduling table, Pending cases included, and
 * every quickstart environment and task of both profiles; `pulumi preview` and `up` run
 * the check with the nodes of the local platform. For every pod, the test then makes a
 * pod from its PodTemplate and asserts that the prediction is the scheduler's verdict:
 * the node the scheduler chose is among the predicted ones (and they are the case's
 * expected nodes), or, for a Pending pod, the predicted message is the scheduler's
 * FailedScheduling message (same failing filters, same node counts).
 */
import { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import * as fs from "fs";
import * as path from "path";
import { SchedulingReport } from "pulumi-flyte";
import { environmentsFor } from "../../examples/quickstart/environments";
import { KubeClient, kubeClient, probeScheduling, waitFor } from "../../scripts/lib/kube-client";
import { SCHEDULING_CASES, UNSCHEDULABLE_CASES } from "../fixtures/scheduling-cases";
import { REPO, programWorkspace, removeNamespace, requireEnv } from "./workspace";

jest.setTimeout(30 * 60_000);

const WORK_DIR = path.join(REPO, ".work", "e2e-placement");
const NS = "flyte-e2e-placement";
const PENDING = [...SCHEDULING_CASES, ...UNSCHEDULABLE_CASES].filter((c) => c.expect === undefined).map((c) => c.name);

let kube: KubeClient;
let stack: Stack;
const logs: string[] = [];
const timings: Record<string, number> = {};

interface Diagnostic {
    severity: string;
    message: string;
    urn: string;
}

/** Runs a preview, collecting its diagnostics; returns them and the wall time. */
async function preview(label: string): Promise<{ diagnostics: Diagnostic[]; error?: Error }> {
    const diagnostics: Diagnostic[] = [];
    const onEvent = (e: EngineEvent) => {
        const d = e.diagnosticEvent;
        if (d) diagnostics.push({ severity: d.severity, message: d.message, urn: d.urn ?? "" });
    };
    const start = Date.now();
    const error = await stack.preview({ onEvent, onOutput: (s) => logs.push(s), color: "never" }).then(
        () => undefined,
        (err: Error) => err,
    );
    timings[label] = Date.now() - start;
    return { diagnostics, error };
}

const checkMessages = (ds: Diagnostic[]) =>
    ds.filter((d) => /cannot be scheduled|flyte scheduling check/.test(d.message));
/** The environment a PodTemplate URN belongs to ("...::aks-a100-40g-podtemplate" -> "aks-a100-40g"). */
const envOf = (urn: string) =>
    urn
        .split("::")
        .pop()!
        .replace(/-podtemplate$/, "");

beforeAll(async () => {
    kube = kubeClient(requireEnv("KUBECONFIG"));
    await removeNamespace(kube, NS);
    stack = await Stack.create("dev", await programWorkspace("placement", WORK_DIR));
    await stack.setConfig("namespace", { value: NS });
});

afterAll(async () => {
    fs.mkdirSync(WORK_DIR, { recursive: true });
    fs.writeFileSync(path.join(WORK_DIR, "engine.log"), logs.join(""));
    fs.writeFileSync(path.join(WORK_DIR, "timings.json"), JSON.stringify(timings, null, 2));
});

test("preview: a warning on the PodTemplate of exactly the pods no node can take, in the scheduler's terms", async () => {
    const { diagnostics, error } = await preview("preview (check on)");
    expect(error).toBeUndefined();
    const warnings = checkMessages(diagnostics).filter((d) => d.severity === "warning");
    expect(warnings.map((w) => envOf(w.urn)).sort()).toEqual([...PENDING].sort());
    for (const w of warnings) {
        expect(w.urn).toMatch(/kubernetes:core\/v1:PodTemplate::/);
        expect(w.message).toMatch(
            new RegExp(
                `environment "${envOf(w.urn)}" cannot be scheduled on any node of the cluster: 0/\\d+ nodes are available: .* By node group: `,
            ),
        );
    }
    // the cluster was readable: no "skipped" message
    expect(checkMessages(diagnostics).filter((d) => d.severity !== "warning")).toEqual([]);
});

test("up: for every case and every quickstart task, the prediction is the real kube-scheduler's verdict", async () => {
    const result = await stack.up({ onOutput: (s) => logs.push(s), color: "never" });
    expect(result.summary.result).toBe("succeeded");
    const outputs = Object.fromEntries(Object.entries(await stack.outputs()).map(([k, v]) => [k, v.value]));
    const reports: Record<string, SchedulingReport> = outputs.reports;
    const templates: Record<string, string> = outputs.templates;
    const expectedNodes = Object.fromEntries(
        [...SCHEDULING_CASES, ...UNSCHEDULABLE_CASES].map((c) => [
            c.name,
            c.expect === undefined ? [] : [c.expect].flat(),
        ]),
    );
    expect(Object.keys(reports).sort()).toEqual(Object.keys(templates).sort());
    const quickstartPods = (["gke", "eks"] as const).reduce(
        (n, p) => n + environmentsFor(p, { trainGpus: 4, evaluateGpus: 1 }).length + 2,
        0,
    ); // + train.fit, prep.load
    expect(Object.keys(reports).length).toBe(SCHEDULING_CASES.length + UNSCHEDULABLE_CASES.length + quickstartPods);

    const table: string[][] = [["pod", "predicted (preview)", "kube-scheduler", "reason (predicted = scheduler's)"]];
    const disagreements: unknown[] = [];
    for (const [name, report] of Object.entries(reports)) {
        const actual = await probeScheduling(
            kube,
            NS,
            templates[name],
            `probe-${templates[name]}`,
            report.schedulable ? 30_000 : 15_000,
        );
        const scheduler = actual.node ?? `Pending`;
        const schedulerMessage = actual.message?.split(" preemption:")[0];
        table.push([
            name,
            report.nodes.length ? report.nodes.join(", ") : "none",
            scheduler,
            report.schedulerMessage ?? "",
        ]);
        const agrees = actual.node
            ? report.checked && report.schedulable && report.nodes.includes(actual.node)
            : report.checked &&
              report.schedulable === false &&
              actual.reason === "Unschedulable" &&
              report.schedulerMessage === schedulerMessage;
        if (!agrees) disagreements.push({ name, predicted: report, actual });
        // the table's own expectations hold too (the quickstart's have one node each)
        if (name in expectedNodes)
            expect({ name, nodes: [...report.nodes].sort() }).toEqual({ name, nodes: [...expectedNodes[name]].sort() });
        else expect({ name, nodes: report.nodes.length }).toEqual({ name, nodes: 1 });
    }
    const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
    fs.mkdirSync(WORK_DIR, { recursive: true });
    fs.writeFileSync(
        path.join(WORK_DIR, "agreement.txt"),
        table.map((r) => r.map((c, i) => c.padEnd(widths[i])).join("  ")).join("\n") + "\n",
    );
    expect(disagreements).toEqual([]);
    // both kinds were exercised
    expect(Object.values(reports).filter((r) => !r.schedulable).length).toBe(PENDING.length);
});

test("flyte:schedulingCheck: error fails the preview, naming a pod no node can take", async () => {
    await stack.setConfig("flyte:schedulingCheck", { value: "error" });
    try {
        const { error } = await preview("preview (error mode)");
        expect(error).toBeDefined();
        expect(error!.message).toMatch(
            /environment "[a-z0-9-]+" cannot be scheduled on any node of the cluster: 0\/\d+ nodes are available: .*\(flyte:schedulingCheck is error\)/,
        );
        const named = PENDING.filter((n) => error!.message.includes(`environment "${n}" cannot be scheduled`));
        expect(named.length).toBeGreaterThan(0);
    } finally {
        await stack.removeConfig("flyte:schedulingCheck");
    }
});

test("flyte:schedulingCheck: off checks nothing", async () => {
    await stack.setConfig("flyte:schedulingCheck", { value: "off" });
    try {
        const { diagnostics, error } = await preview("preview (check off)");
        expect(error).toBeUndefined();
        expect(checkMessages(diagnostics)).toEqual([]);
    } finally {
        await stack.removeConfig("flyte:schedulingCheck");
    }
});

test("the program reads the nodes (small client or @kubernetes/client-node); a cluster it cannot reach is one informational message, never a failure", async () => {
    // the same reader the check uses, out of jest (the client is an ES module), against the platform and a closed port
    const bad = path.join(WORK_DIR, "unreachable.kubeconfig");
    fs.writeFileSync(
        bad,
        [
            "apiVersion: v1",
            "kind: Config",
            "current-context: nowhere",
            "clusters: [{name: nowhere, cluster: {server: 'https://127.0.0.1:1', insecure-skip-tls-verify: true}}]",
            "users: [{name: nobody, user: {token: none}}]",
            "contexts: [{name: nowhere, context: {cluster: nowhere, user: nobody}}]",
            "",
        ].join("\n"),
    );
    const { execFileSync } = await import("child_process");
    const read = (kubeconfig: string) =>
        JSON.parse(
            execFileSync(
                process.execPath,
                [
                    "-e",
                    "require('./sdk/dist/components/schedulability').readClusterNodes().then((r) => console.log(JSON.stringify(r.ok ? { ok: true, nodes: r.nodes.map((n) => n.name) } : r)))",
                ],
                { cwd: REPO, env: { ...process.env, KUBECONFIG: kubeconfig } },
            ).toString(),
        );
    const platform = read(requireEnv("KUBECONFIG"));
    expect(platform.ok).toBe(true);
    expect(platform.nodes.length).toBeGreaterThan(10);
    const unreachable = read(bad);
    expect(unreachable.ok).toBe(false);
    expect(unreachable.reason).toMatch(/ECONNREFUSED|connect/);

    // and the preview of the whole program with that kubeconfig for the check
    await stack.setConfig("kubernetes:kubeconfig", { value: bad });
    try {
        const { diagnostics } = await preview("preview (cluster unreachable)");
        const skipped = checkMessages(diagnostics);
        expect(skipped.length).toBe(1);
        expect(skipped[0].severity).toMatch(/^info/);
        expect(skipped[0].message).toMatch(/^flyte scheduling check skipped: the cluster cannot be read \(/);
    } finally {
        await stack.removeConfig("kubernetes:kubeconfig");
    }
});

test("destroy", async () => {
    await stack.destroy({ onOutput: (s) => logs.push(s) });
    expect(
        await waitFor(
            async () => (await kube.request("GET", `/api/v1/namespaces/${NS}`)).status === 404,
            180_000,
            1000,
        ),
    ).toBe(true);
});
