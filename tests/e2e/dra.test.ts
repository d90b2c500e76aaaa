/**
 * Dynamic Resource Allocation against the real kube-scheduler. The platform's fake
 * drivers publish ResourceSlices for the DRA nodes (NVIDIA GPUs with MIG partitions
 * sharing counters, H100s, TPU v6e chips); a holder claim keeps 2 of the 4 H100s
 * allocated. The program (programs/dra) declares one environment per case of the DRA
 * table: claims of each device family, MIG profiles, alternatives (firstAvailable),
 * extended resources served by DRA, and claims that cannot be allocated. `pulumi up`
 * runs the scheduling check; for every pod the test then makes a pod from its
 * PodTemplate (the resourceclaim controller makes its claim from the ResourceClaimTemplate
 * the program registered, the scheduler allocates it) and asserts that the prediction
 * is the scheduler's verdict: the node it bound the pod to is among the predicted ones,
 * or the pod stays Pending with the predicted FailedScheduling message, word for word.
 * The agreement table goes to .work/e2e-dra/agreement.txt.
 */
import { Stack } from "@pulumi/pulumi/automation";
import * as fs from "fs";
import * as path from "path";
import { SchedulingReport } from "pulumi-flyte";
import { KubeClient, kubeClient, probeClaims, probeScheduling, waitFor } from "../../scripts/lib/kube-client";
import { DRA_CASES, HOLDER_DEVICES } from "../fixtures/dra-cases";
import { REPO, freshNamespace, programWorkspace, requireEnv } from "./workspace";

jest.setTimeout(30 * 60_000);

const WORK_DIR = path.join(REPO, ".work", "e2e-dra");
const NS = "flyte-e2e-dra";
const HOLDER = "h100-holder";

let kube: KubeClient;
let stack: Stack;
const logs: string[] = [];

beforeAll(async () => {
    kube = kubeClient(requireEnv("KUBECONFIG"));
    await freshNamespace(kube, NS, 180_000);
    await waitFor(
        async () => (await kube.request("GET", `/api/v1/namespaces/${NS}/serviceaccounts/default`)).status === 200,
        60_000,
    );
    // devices in use: a claim of 2 H100s, allocated by the scheduler for a pod that keeps running
    await kube.create(`/apis/resource.k8s.io/v1/namespaces/${NS}/resourceclaims`, {
        apiVersion: "resource.k8s.io/v1",
        kind: "ResourceClaim",
        metadata: { name: HOLDER, namespace: NS },
        spec: {
            devices: {
                requests: [
                    {
                        name: "gpu",
                        exactly: {
                            deviceClassName: "gpu.nvidia.com",
                            count: HOLDER_DEVICES,
                            selectors: [
                                {
                                    cel: {
                                        expression:
                                            'device.attributes["gpu.nvidia.com"].productName == "NVIDIA H100 80GB HBM3"',
                                    },
                                },
                            ],
                        },
                    },
                ],
            },
        },
    });
    await kube.create(`/api/v1/namespaces/${NS}/pods`, {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: HOLDER, namespace: NS },
        spec: {
            containers: [{ name: "main", image: "localhost:30000/probe:1", resources: { claims: [{ name: "gpu" }] } }],
            resourceClaims: [{ name: "gpu", resourceClaimName: HOLDER }],
            tolerations: [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }],
        },
    });
    const held = await waitFor(async () => {
        const claim = await kube.get(`/apis/resource.k8s.io/v1/namespaces/${NS}/resourceclaims/${HOLDER}`);
        return (claim.status?.allocation?.devices?.results ?? []).length === HOLDER_DEVICES;
    }, 60_000);
    expect(held).toBe(true);

    const ws = await programWorkspace("dra", WORK_DIR);
    stack = await Stack.create("dev", ws);
    await stack.setConfig("namespace", { value: NS });
});

afterAll(async () => {
    fs.mkdirSync(WORK_DIR, { recursive: true });
    fs.writeFileSync(path.join(WORK_DIR, "engine.log"), logs.join(""));
});

test("the fake drivers publish ResourceSlices and DeviceClasses as NVIDIA's and Google's drivers do", async () => {
    const classes = await kube.list("/apis/resource.k8s.io/v1/deviceclasses");
    expect(classes.map((c: any) => c.metadata.name)).toEqual(
        expect.arrayContaining(["gpu.nvidia.com", "mig.nvidia.com", "tpu.google.com"]),
    );
    const slices = await kube.list("/apis/resource.k8s.io/v1/resourceslices");
    const byNode = (node: string) => slices.filter((s: any) => s.spec.nodeName === node);
    const a100 = byNode("dra-a100-80gb");
    expect(a100.filter((s: any) => s.spec.sharedCounters).length).toBe(1);
    const devices = a100.flatMap((s: any) => s.spec.devices ?? []);
    expect(devices.filter((d: any) => d.attributes.type.string === "gpu").length).toBe(8);
    expect(devices.filter((d: any) => d.attributes.type.string === "mig").length).toBe(8 * 14);
    expect(byNode("dra-tpu-v6e-2x4").flatMap((s: any) => s.spec.devices)).toHaveLength(8);
    // the real worker node has no driver: no slice
    expect(byNode("worker")).toEqual([]);
});

test("up: for every case, the preview's prediction is the real kube-scheduler's verdict", async () => {
    const result = await stack.up({ onOutput: (s) => logs.push(s), color: "never" });
    expect(result.summary.result).toBe("succeeded");
    const outputs = Object.fromEntries(Object.entries(await stack.outputs()).map(([k, v]) => [k, v.value]));
    const reports: Record<string, SchedulingReport> = outputs.reports;
    const templates: Record<string, string> = outputs.templates;
    expect(Object.keys(reports).sort()).toEqual(DRA_CASES.map((c) => c.name).sort());

    const table: string[][] = [["case", "what", "predicted (preview)", "kube-scheduler", "agrees"]];
    const disagreements: unknown[] = [];
    for (const c of DRA_CASES) {
        const report = reports[c.name];
        const actual = await probeScheduling(
            kube,
            NS,
            templates[c.name],
            `probe-${templates[c.name]}`,
            report.schedulable ? 60_000 : 20_000,
        );
        const schedulerMessage = actual.message?.split(" preemption:")[0];
        const agrees = actual.node
            ? report.checked && report.schedulable === true && report.nodes.includes(actual.node)
            : report.checked &&
              report.schedulable === false &&
              actual.reason === "Unschedulable" &&
              report.schedulerMessage === schedulerMessage;
        table.push([
            c.name,
            c.kind,
            report.nodes.length ? report.nodes.join(", ") : `Pending: ${report.schedulerMessage ?? report.placement}`,
            actual.node ?? `Pending: ${schedulerMessage ?? actual.reason}`,
            agrees ? "yes" : "NO",
        ]);
        if (!agrees) disagreements.push({ name: c.name, predicted: report, actual });
        // the table's own expectations hold too
        expect({ name: c.name, nodes: [...report.nodes].sort() }).toEqual({
            name: c.name,
            nodes: c.expect === undefined ? [] : [c.expect].flat().sort(),
        });
        if (c.why) expect(report.schedulerMessage).toMatch(c.why);
    }
    const agreed = table.length - 1 - disagreements.length;
    table.push(["", "", "", "", `${agreed}/${DRA_CASES.length}`]);
    const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
    fs.mkdirSync(WORK_DIR, { recursive: true });
    const text = table.map((r) => r.map((cell, i) => cell.padEnd(widths[i])).join(" | ")).join("\n") + "\n";
    fs.writeFileSync(path.join(WORK_DIR, "agreement.txt"), text);
    process.stdout.write(`DRA agreement (${agreed}/${DRA_CASES.length}):\n${text}`);
    expect(disagreements).toEqual([]);
    // both kinds were exercised
    expect(DRA_CASES.filter((c) => c.expect === undefined).length).toBeGreaterThan(0);
    expect(DRA_CASES.filter((c) => c.expect !== undefined).length).toBeGreaterThan(0);
});

test("destroy leaves no claim of the program behind; the holder's devices are freed with it", async () => {
    await stack.destroy({ onOutput: (s) => logs.push(s) });
    const templates = await kube.list(`/apis/resource.k8s.io/v1/namespaces/${NS}/resourceclaimtemplates`);
    expect(templates).toEqual([]);
    await kube.remove(`/api/v1/namespaces/${NS}/pods/${HOLDER}?gracePeriodSeconds=0`);
    await kube.remove(`/apis/resource.k8s.io/v1/namespaces/${NS}/resourceclaims/${HOLDER}`);
    await kube.remove(`/api/v1/namespaces/${NS}`);
    expect(
        await waitFor(
            async () => (await kube.request("GET", `/api/v1/namespaces/${NS}`)).status === 404,
            180_000,
            1000,
        ),
    ).toBe(true);
    expect(await probeClaims(kube, NS, HOLDER)).toEqual([]);
});
