/**
 * The admission simulation: Kueue v0.17's flavour assignment and quota arithmetic
 * (cohorts, borrowing and lending limits, usage), in Kueue's own messages.
 */
import { normalizeQueue, localQueue } from "../../../sdk/src/core/queue/cluster-queue";
import { ClusterQueue, Cohort } from "../../../sdk/src/core/queue/kueue";
import { QueueSettings } from "../../../sdk/src/core/queue/queue-args";
import { render } from "../../../sdk/src/core/podtemplate/render";
import {
    FlavorUsageMap,
    KueueSnapshot,
    addPendingUsage,
    admittedUsage,
    quantityString,
    simulateAdmission,
} from "../../../sdk/src/core/simulator/queue-admission";
import { ProfileInput } from "../../../sdk/src/core/placement/resolve";
import { ResourcesArgs } from "../../../sdk/src/core/resources";

function snapshot(queues: [string, QueueSettings][], extra: Partial<KueueSnapshot> = {}): KueueSnapshot {
    const normalized = queues.map(([name, s]) => normalizeQueue(name, s));
    const flavors = new Map(normalized.flatMap((q) => q.flavors.map((f) => [f.name, f.resourceFlavor] as const)));
    return {
        localQueues: normalized.map((q) => localQueue(q, "ml")),
        clusterQueues: normalized.map((q) => q.clusterQueue),
        cohorts: [],
        flavors: [...flavors.values()],
        ...extra,
    };
}

const pod = (resources: ResourcesArgs, profile: ProfileInput = "gke", interruptible = false) =>
    render({ name: "t", image: "img", resources, interruptible }, { profile }).podTemplate.template.spec as never;

const run = (resources: ResourcesArgs, queue = "gpu", count = 1, profile: ProfileInput = "gke") => ({
    namespace: "ml",
    queue,
    pod: pod(resources, profile),
    count,
});

const GPU_QUEUE: QueueSettings = {
    profile: "gke",
    flavors: [{ quota: { cpu: 8, memory: "32Gi" } }, { gpu: "A100 80G", quota: { cpu: 96, memory: "1360Gi", gpu: 8 } }],
};

describe("flavour assignment", () => {
    test("a GPU run takes the GPU flavour (the CPU flavour's labels do not match); Kueue adds its node labels", () => {
        const v = simulateAdmission(run({ cpu: 4, memory: "16Gi", gpu: "A100 80G:4" }), snapshot([["gpu", GPU_QUEUE]]));
        expect(v).toMatchObject({
            outcome: "fits",
            clusterQueue: "gpu",
            flavor: "gke-a100-80g",
            flavors: { cpu: "gke-a100-80g", memory: "gke-a100-80g", "nvidia.com/gpu": "gke-a100-80g" },
            nodeSelector: { "cloud.google.com/gke-accelerator": "nvidia-a100-80gb" },
            borrows: false,
            message: "admitted by ClusterQueue gpu in flavor gke-a100-80g",
        });
    });

    test("a CPU-only run never takes the GPU flavour: it does not tolerate its taint", () => {
        const q: QueueSettings = {
            profile: "gke",
            flavors: [
                { gpu: "A100 80G", quota: { cpu: 96, memory: "1Ti", gpu: 8 } },
                { quota: { cpu: 8, memory: "32Gi" } },
            ],
        };
        const v = simulateAdmission(run({ cpu: 2, memory: "1Gi" }), snapshot([["gpu", q]]));
        expect(v.flavor).toBe("gke-cpu");
        const gpuOnly = simulateAdmission(
            run({ cpu: 2, memory: "1Gi" }),
            snapshot([["gpu", { ...q, flavors: [q.flavors[0]] }]]),
        );
        expect(gpuOnly.outcome).toBe("never");
        expect(gpuOnly.message).toBe(
            // Kueue prints the taint with Go's %s of the struct (checked against Kueue v0.17.0 by tests/e2e/queues.test.ts)
            "couldn't assign flavors to pod set main: untolerated taint {nvidia.com/gpu  NoSchedule <nil>} in flavor gke-a100-80g",
        );
    });

    test("another model matches no flavour", () => {
        const v = simulateAdmission(run({ gpu: "A100:1" }), snapshot([["gpu", GPU_QUEUE]]));
        expect(v.outcome).toBe("never");
        expect(v.message).toBe(
            "couldn't assign flavors to pod set main: flavor gke-a100-80g doesn't match node affinity, flavor gke-cpu doesn't match node affinity",
        );
    });

    test("a resource the ClusterQueue does not count makes the run inadmissible", () => {
        const v = simulateAdmission(run({ cpu: 1, memory: "1Gi", disk: "10Gi" }), snapshot([["gpu", GPU_QUEUE]]));
        expect(v).toMatchObject({
            outcome: "never",
            message: "couldn't assign flavors to pod set main: resource ephemeral-storage unavailable in ClusterQueue",
        });
    });

    test("Kueue ignores an affinity with a term without flavour keys: an EKS A100 40GB run matches the 80GB flavour first, and the check says so", () => {
        const q: QueueSettings = {
            profile: "eks",
            flavors: [
                { gpu: "A100 80G", quota: { gpu: 8 } },
                { gpu: "A100", quota: { gpu: 8 } },
            ],
        };
        // the pod's node-group alternative (k8s.amazonaws.com/accelerator) names no key of the flavours
        const v = simulateAdmission(run({ gpu: "A100:1" }, "gpu", 1, "eks"), snapshot([["gpu", q]]));
        expect(v.flavor).toBe("eks-a100-80g");
        expect(v.caveat).toContain("k8s.amazonaws.com/accelerator In [nvidia-tesla-a100]");
        // the 80GB run has one alternative: no caveat
        expect(
            simulateAdmission(run({ gpu: "A100 80G:1" }, "gpu", 1, "eks"), snapshot([["gpu", q]])).caveat,
        ).toBeUndefined();
    });
});

describe("quota", () => {
    const big = { cpu: 4, memory: "16Gi", gpu: "A100 80G:4" } as const;

    test("runs admitted before use the quota: the third waits, in Kueue's words", () => {
        const snap = snapshot([["gpu", GPU_QUEUE]]);
        const pending = new Map<string, FlavorUsageMap>();
        const outcomes = [1, 2, 3].map(() => {
            const v = simulateAdmission(run(big), snap, pending);
            if (v.outcome === "fits") addPendingUsage(pending, v.clusterQueue!, admittedUsage(v));
            return v;
        });
        expect(outcomes.map((v) => v.outcome)).toEqual(["fits", "fits", "waits"]);
        expect(outcomes[2]).toMatchObject({
            flavor: "gke-a100-80g",
            message:
                "couldn't assign flavors to pod set main: flavor gke-cpu doesn't match node affinity, insufficient unused quota for nvidia.com/gpu in flavor gke-a100-80g, 4 more needed",
        });
    });

    test("the ClusterQueue's reported reservations count as usage", () => {
        const snap = snapshot([["gpu", GPU_QUEUE]]);
        const cq = snap.clusterQueues[0] as ClusterQueue;
        const used: ClusterQueue = {
            ...cq,
            status: {
                flavorsReservation: [
                    {
                        name: "gke-a100-80g",
                        resources: [
                            { name: "nvidia.com/gpu", total: "6" },
                            { name: "cpu", total: "4" },
                        ],
                    },
                ],
            },
        };
        const v = simulateAdmission(run(big), { ...snap, clusterQueues: [used] });
        expect(v.outcome).toBe("waits");
        expect(v.message).toContain(
            "insufficient unused quota for nvidia.com/gpu in flavor gke-a100-80g, 2 more needed",
        );
    });

    test("more than the quota can ever hold never starts: the maximum capacity is said", () => {
        const v = simulateAdmission(run({ gpu: "A100 80G:8" }, "gpu", 2), snapshot([["gpu", GPU_QUEUE]]));
        expect(v.outcome).toBe("never");
        expect(v.message).toBe(
            "couldn't assign flavors to pod set main: flavor gke-cpu doesn't match node affinity, insufficient quota for nvidia.com/gpu in flavor gke-a100-80g, previously considered podsets requests (0) + current podset request (16) > maximum capacity (8)",
        );
        expect(v.flavors).toEqual({});
    });

    test("Kueue's quantity strings", () => {
        expect(quantityString("cpu", 500n)).toBe("500m");
        expect(quantityString("cpu", 4000n)).toBe("4");
        expect(quantityString("memory", 16n * 1024n ** 3n)).toBe("16Gi");
        expect(quantityString("memory", 100000n)).toBe("100k");
        expect(quantityString("nvidia.com/gpu", 3n)).toBe("3");
    });
});

describe("cohorts", () => {
    const a: QueueSettings = {
        profile: "gke",
        cohort: "research",
        flavors: [{ gpu: "A100 80G", quota: { gpu: 8 }, lendingLimit: { gpu: 2 } }],
    };
    const b: QueueSettings = {
        profile: "gke",
        cohort: "research",
        flavors: [{ gpu: "A100 80G", quota: { gpu: 4 }, borrowingLimit: { gpu: 1 } }],
    };
    const gpus = (n: number) => ({ gpu: `A100 80G:${n}` });

    test("a queue borrows what the cohort lends, within its borrowing limit", () => {
        const snap = snapshot([
            ["a", a],
            ["b", b],
        ]);
        expect(simulateAdmission(run(gpus(5), "b"), snap)).toMatchObject({ outcome: "fits", borrows: true });
        const six = simulateAdmission(run(gpus(6), "b"), snap);
        expect(six.outcome).toBe("never");
        expect(six.message).toContain("> maximum capacity (5)");
        // a lends 2 of its 8: it may use 8 itself, and b's 4 when b does not
        expect(simulateAdmission(run(gpus(8), "a"), snap)).toMatchObject({ outcome: "fits", borrows: false });
    });

    test("without a borrowing limit, the lending limit bounds it", () => {
        const snap = snapshot([
            ["a", a],
            ["b", { ...b, flavors: [{ gpu: "A100 80G", quota: { gpu: 4 } }] }],
        ]);
        expect(simulateAdmission(run(gpus(6), "b"), snap).outcome).toBe("fits");
        expect(simulateAdmission(run(gpus(7), "b"), snap).message).toContain("> maximum capacity (6)");
    });

    test("a Cohort object's own quota and its parent's lend to its queues", () => {
        const snap = snapshot([["b", { ...b, flavors: [{ gpu: "A100 80G", quota: { gpu: 4 } }] }]]);
        const group = (n: string) => [
            {
                coveredResources: ["nvidia.com/gpu"],
                flavors: [{ name: "gke-a100-80g", resources: [{ name: "nvidia.com/gpu", nominalQuota: n }] }],
            },
        ];
        const cohorts: Cohort[] = [
            {
                apiVersion: "kueue.x-k8s.io/v1beta2",
                kind: "Cohort",
                metadata: { name: "research" },
                spec: { parentName: "org", resourceGroups: group("2") },
            },
            {
                apiVersion: "kueue.x-k8s.io/v1beta2",
                kind: "Cohort",
                metadata: { name: "org" },
                spec: { resourceGroups: group("8") },
            },
        ];
        const v = simulateAdmission(run(gpus(8), "b"), { ...snap, cohorts });
        expect(v.outcome).toBe("fits");
        expect(simulateAdmission(run({ gpu: "A100 80G:8" }, "b", 2), { ...snap, cohorts }).message).toContain(
            "> maximum capacity (14)",
        );
    });

    test("whenCanBorrow TryNextFlavor prefers a flavour that fits without borrowing", () => {
        const q = (fungible: boolean): QueueSettings => ({
            profile: "gke",
            cohort: "research",
            ...(fungible ? { flavorFungibility: { whenCanBorrow: "TryNextFlavor" } } : {}),
            flavors: [
                { gpu: "A100 80G", quota: { gpu: 2 } },
                { gpu: "A100 80G", interruptible: true, quota: { gpu: 8 } },
            ],
        });
        const lender: QueueSettings = {
            profile: "gke",
            cohort: "research",
            flavors: [{ gpu: "A100 80G", quota: { gpu: 8 } }],
        };
        const spot = (n: number) => ({
            namespace: "ml",
            queue: "gpu",
            // a run that may use spot and on-demand nodes (no capacity requirement): tolerates the spot taint
            pod: {
                ...(pod({ gpu: `A100 80G:${n}` }) as object),
                affinity: undefined,
                tolerations: [{ operator: "Exists" }],
            } as never,
            count: 1,
        });
        const first = simulateAdmission(
            spot(4),
            snapshot([
                ["gpu", q(false)],
                ["lender", lender],
            ]),
        );
        expect(first).toMatchObject({ flavor: "gke-a100-80g", borrows: true });
        const next = simulateAdmission(
            spot(4),
            snapshot([
                ["gpu", q(true)],
                ["lender", lender],
            ]),
        );
        expect(next).toMatchObject({ flavor: "gke-a100-80g-spot", borrows: false });
    });
});

describe("queues that cannot admit", () => {
    test.each<[string, (s: KueueSnapshot) => KueueSnapshot, string]>([
        ["no LocalQueue", (s) => ({ ...s, localQueues: [] }), "LocalQueue gpu doesn't exist in namespace ml"],
        ["no ClusterQueue", (s) => ({ ...s, clusterQueues: [] }), "ClusterQueue gpu not found"],
        [
            "a missing flavour",
            (s) => ({ ...s, flavors: s.flavors.slice(1) }),
            "ClusterQueue gpu is inactive (missing ResourceFlavor gke-cpu)",
        ],
        [
            "a stopped ClusterQueue",
            (s) => ({
                ...s,
                clusterQueues: [{ ...s.clusterQueues[0], spec: { ...s.clusterQueues[0].spec, stopPolicy: "Hold" } }],
            }),
            "ClusterQueue gpu is inactive (stopPolicy Hold)",
        ],
        [
            "a stopped LocalQueue",
            (s) => ({
                ...s,
                localQueues: [{ ...s.localQueues[0], spec: { ...s.localQueues[0].spec, stopPolicy: "HoldAndDrain" } }],
            }),
            "LocalQueue gpu is stopped (stopPolicy HoldAndDrain)",
        ],
        [
            "a namespace the ClusterQueue does not admit",
            (s) => ({
                ...s,
                clusterQueues: [
                    {
                        ...s.clusterQueues[0],
                        spec: {
                            ...s.clusterQueues[0].spec,
                            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "prod" } },
                        },
                    },
                ],
            }),
            "Workload namespace doesn't match ClusterQueue selector",
        ],
    ])("%s", (_, change, message) => {
        const v = simulateAdmission(run({ cpu: 1 }), change(snapshot([["gpu", GPU_QUEUE]])));
        expect(v).toMatchObject({ outcome: "inadmissible", message });
    });
});
