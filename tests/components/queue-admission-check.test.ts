/**
 * The scheduling check of queued runs as components run it (Pulumi mocks; the cluster's
 * nodes and Kueue objects replaced): the flavour that admits each run and where its pods
 * go, runs admitted first using the quota the next sees, a run that waits (info) or
 * never starts (warning; error with flyte:schedulingCheck error), a run whose Job exists
 * reported as the cluster has it, and a cluster without Kueue said once.
 */
import * as pulumi from "@pulumi/pulumi";
import { installMocks, reset, resolve } from "./harness";
installMocks({ preview: true });
import { Queue, TaskEnvironment, configureSchedulingCheck } from "../../sdk/src";
import { ClusterNodes, setNodeSource } from "../../sdk/src/components/schedulability";
import { ClusterKueue, ExistingRun, setKueueSource } from "../../sdk/src/components/queue-admission-check";
import { fromKubernetesNode } from "../../sdk/src/core/simulator/simulate";

const gpuTaint = { key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" };
const NODES = [
    {
        metadata: { name: "cpu-1", labels: { "cloud.google.com/gke-nodepool": "default-pool" } },
        status: { allocatable: { cpu: "8", memory: "32Gi", pods: "110" } },
    },
    {
        metadata: {
            name: "a100-80-1",
            labels: {
                "cloud.google.com/gke-nodepool": "a100-80gb",
                "cloud.google.com/gke-accelerator": "nvidia-a100-80gb",
            },
        },
        spec: { taints: [gpuTaint] },
        status: { allocatable: { cpu: "96", memory: "1360Gi", pods: "110", "nvidia.com/gpu": "8" } },
    },
];

const logs: { level: string; message: string }[] = [];
let existing: Record<string, ExistingRun> = {};
let kueue: ClusterKueue = {
    ok: true,
    installed: true,
    snapshot: { localQueues: [], clusterQueues: [], cohorts: [], flavors: [] },
};

beforeEach(() => {
    reset();
    logs.length = 0;
    existing = {};
    kueue = { ok: true, installed: true, snapshot: { localQueues: [], clusterQueues: [], cohorts: [], flavors: [] } };
    pulumi.runtime.setAllConfig({});
    configureSchedulingCheck({});
    for (const level of ["info", "warn", "error"] as const)
        jest.spyOn(pulumi.log, level).mockImplementation((async (message: string) => {
            logs.push({ level, message });
        }) as any);
    setNodeSource(async (): Promise<ClusterNodes> => ({
        ok: true,
        nodes: NODES.map(fromKubernetesNode as any),
        cluster: "https://test",
    }));
    setKueueSource({ snapshot: async () => kueue, run: async (_ns, job) => existing[job] });
});

afterEach(() => {
    jest.restoreAllMocks();
    setNodeSource(undefined);
    setKueueSource(undefined);
});

function program() {
    new Queue("gpu", {
        profile: "gke",
        namespaces: ["ml"],
        flavors: [
            { gpu: "A100 80G", quota: { cpu: 96, memory: "1Ti", gpu: 8 } },
            { nodeLabels: { "cloud.google.com/gke-nodepool": "default-pool" }, quota: { cpu: 4, memory: "16Gi" } },
        ],
    });
    const env = new TaskEnvironment("train", {
        image: "ghcr.io/acme/train:1",
        namespace: "ml",
        profile: "gke",
        queue: "gpu",
        resources: { cpu: 4, memory: "16Gi", gpu: "A100 80G:4" },
    });
    const fit = env.task("fit");
    const cmd = { command: ["python", "-m", "fit"] };
    return {
        a: fit.run("a", cmd),
        b: fit.run("b", cmd),
        c: fit.run("c", cmd),
        old: fit.override({ resources: { gpu: "A100:1" } }).run("old", cmd),
        cpu: new TaskEnvironment("prep", {
            image: "ghcr.io/acme/p:1",
            namespace: "ml",
            profile: "gke",
            queue: "gpu",
            resources: { cpu: 1, memory: "1Gi" },
        })
            .task("step")
            .run("once", cmd),
    };
}

test("each run in declaration order: admitted (flavour, nodes), waiting for quota in use, or never", async () => {
    const runs = program();
    const a = (await resolve(runs.a.admission!)).value;
    expect(a).toMatchObject({
        checked: true,
        queue: "gpu",
        clusterQueue: "gpu",
        outcome: "fits",
        flavor: "gke-a100-80g",
        placement: "a100-80gb (a100-80-1)",
        nodes: ["a100-80-1"],
    });
    expect((await resolve(runs.b.admission!)).value.outcome).toBe("fits");
    const c = (await resolve(runs.c.admission!)).value;
    expect(c).toMatchObject({ outcome: "waits", flavor: "gke-a100-80g" });
    expect(c.message).toContain("insufficient unused quota for nvidia.com/gpu in flavor gke-a100-80g, 4 more needed");
    const old = (await resolve(runs.old.admission!)).value;
    expect(old.outcome).toBe("never");
    const cpu = (await resolve(runs.cpu.admission!)).value;
    expect(cpu).toMatchObject({ outcome: "fits", flavor: "gke-cpu-default-pool", nodes: ["cpu-1"] });
    // the messages: admissions and the wait are information, the run that never starts a warning
    expect(logs.find((l) => l.message.startsWith('run "train.fit.a"'))).toEqual({
        level: "info",
        message:
            'run "train.fit.a" in queue "gpu": admitted by ClusterQueue gpu in flavor gke-a100-80g; its pods go to a100-80gb (a100-80-1)',
    });
    expect(logs.find((l) => l.message.startsWith('run "train.fit.c"'))?.level).toBe("info");
    expect(logs.find((l) => l.message.startsWith('run "train.fit.c"'))?.message).toContain(
        "it starts when quota frees",
    );
    expect(logs.find((l) => l.message.startsWith('run "train.fit.old"'))).toMatchObject({ level: "warn" });
    expect(logs.find((l) => l.message.startsWith('run "train.fit.old"'))?.message).toContain(
        'can never be admitted by queue "gpu" (ClusterQueue gpu): couldn\'t assign flavors to pod set main:',
    );
});

test("usage the cluster reports counts, and runs whose Job exists are reported as the cluster has them", async () => {
    kueue = {
        ok: true,
        installed: true,
        snapshot: {
            localQueues: [],
            cohorts: [],
            flavors: [],
            clusterQueues: [
                {
                    apiVersion: "kueue.x-k8s.io/v1beta2",
                    kind: "ClusterQueue",
                    metadata: { name: "gpu" },
                    spec: {},
                    status: {
                        flavorsReservation: [
                            { name: "gke-a100-80g", resources: [{ name: "nvidia.com/gpu", total: "4" }] },
                        ],
                    },
                },
            ],
        },
    };
    existing = {
        "train-fit-a": {
            finished: false,
            workload: {
                metadata: { name: "w" },
                status: {
                    admission: {
                        clusterQueue: "gpu",
                        podSetAssignments: [{ name: "main", flavors: { "nvidia.com/gpu": "gke-a100-80g" } }],
                    },
                },
            },
        },
        "train-fit-old": { finished: true },
    };
    const runs = program();
    expect((await resolve(runs.a.admission!)).value).toMatchObject({ outcome: "admitted", flavor: "gke-a100-80g" });
    // a's 4 GPUs are the cluster's reservation: b fits, c waits
    expect((await resolve(runs.b.admission!)).value.outcome).toBe("fits");
    expect((await resolve(runs.c.admission!)).value.outcome).toBe("waits");
    expect((await resolve(runs.old.admission!)).value.outcome).toBe("finished");
});

test("flyte:schedulingCheck error fails the run that never starts; off checks nothing", async () => {
    pulumi.runtime.setAllConfig({ "flyte:schedulingCheck": "error" });
    const runs = program();
    // in a program nothing handles the rejection and Pulumi's runtime fails the preview; here, consume it
    const o = runs.old.admission as any;
    for (const p of [o.promise(), o.isKnown, o.isSecret, o.allResources?.()]) p?.catch?.(() => undefined);
    const failure = await o.promise().then(
        () => undefined,
        (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(pulumi.ResourceError);
    expect((failure as pulumi.ResourceError).resource).toBe(runs.old);
    expect((failure as Error).message).toMatch(
        /^run "train.fit.old" can never be admitted .* \(flyte:schedulingCheck is error\)$/,
    );
    // a run that fits is not an error
    expect((await resolve(runs.a.admission!)).value.outcome).toBe("fits");
    reset();
    setKueueSource({ snapshot: async () => kueue, run: async () => undefined });
    pulumi.runtime.setAllConfig({ "flyte:schedulingCheck": "off" });
    const off = program();
    expect((await resolve(off.old.admission!)).value).toEqual({
        checked: false,
        queue: "gpu",
        message: "unchecked: flyte:schedulingCheck is off",
    });
});

test("a cluster without Kueue: one warning, every queued run inadmissible", async () => {
    kueue = { ok: true, installed: false, snapshot: { localQueues: [], clusterQueues: [], cohorts: [], flavors: [] } };
    const runs = program();
    expect((await resolve(runs.a.admission!)).value.outcome).toBe("inadmissible");
    expect((await resolve(runs.b.admission!)).value.outcome).toBe("inadmissible");
    expect(logs.filter((l) => l.message.startsWith("Kueue is not installed"))).toHaveLength(1);
});

test("a run without a queue has no admission", () => {
    const env = new TaskEnvironment("plain", { image: "ghcr.io/acme/p:1", namespace: "ml", profile: "gke" });
    expect(env.task("t").run("r", { command: ["true"] }).admission).toBeUndefined();
});
