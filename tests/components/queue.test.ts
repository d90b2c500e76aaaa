import { installMocks, ofType, registrations, reset, settle, expectRejectedBeforeRegistering } from "./harness";
installMocks();
import { Queue } from "../../sdk/src/components/queue";
import { TaskEnvironment } from "../../sdk/src/components/task-environment";
import { planQueueFromSpec } from "../../sdk/src/components/queue-from-spec";
import { findLocalQueue } from "../../sdk/src/runtime/declared-queues";

const KUEUE = "kubernetes:kueue.x-k8s.io/v1beta2:";

describe("Queue", () => {
    beforeEach(reset);

    it("registers the ResourceFlavors, the ClusterQueue and a LocalQueue per namespace under the component", async () => {
        const q = new Queue("gpu", {
            profile: "gke",
            namespaces: ["ml", "research"],
            cohort: "org",
            flavors: [
                { gpu: "A100 80G", quota: { cpu: 96, memory: "1360Gi", gpu: 8 } },
                { quota: { cpu: 8, memory: "32Gi" } },
            ],
        });
        await settle(q, q.clusterQueue, ...q.localQueues, ...q.resourceFlavors);
        const crs = registrations.filter((r) => r.type.startsWith(KUEUE));
        const byName = Object.fromEntries(crs.map((r) => [r.name, r]));
        expect(crs.map((r) => [r.name, r.type.slice(KUEUE.length)]).sort()).toEqual([
            ["gpu-clusterqueue", "ClusterQueue"],
            ["gpu-flavor-gke-a100-80g", "ResourceFlavor"],
            ["gpu-flavor-gke-cpu", "ResourceFlavor"],
            ["gpu-localqueue-ml", "LocalQueue"],
            ["gpu-localqueue-research", "LocalQueue"],
        ]);
        expect(byName["gpu-clusterqueue"].inputs.spec.cohortName).toBe("org");
        expect(byName["gpu-flavor-gke-a100-80g"].inputs.spec.nodeLabels).toEqual({
            "cloud.google.com/gke-accelerator": "nvidia-a100-80gb",
        });
        expect(byName["gpu-localqueue-ml"].inputs).toMatchObject({
            apiVersion: "kueue.x-k8s.io/v1beta2",
            metadata: { name: "gpu", namespace: "ml" },
            spec: { clusterQueue: "gpu" },
        });
        expect(registrations.find((r) => r.type === "flyte:index:Queue")?.name).toBe("gpu");
        expect(q.flavorNames).toEqual(["gke-a100-80g", "gke-cpu"]);
    });

    it("two queues offering the same flavour share its ResourceFlavor; another spec under the same name is an error", async () => {
        const a = new Queue("a", {
            profile: "gke",
            namespaces: ["ml"],
            flavors: [{ gpu: "A100 80G", quota: { gpu: 8 } }],
        });
        const b = new Queue("b", {
            profile: "gke",
            namespaces: ["ml"],
            flavors: [{ gpu: "A100 80G", quota: { gpu: 4 } }],
        });
        await settle(a, b);
        expect(ofType(`${KUEUE}ResourceFlavor`).map((r) => r.name)).toEqual(["a-flavor-gke-a100-80g"]);
        expect(
            () =>
                new Queue("c", {
                    profile: "eks",
                    namespaces: ["ml"],
                    flavors: [{ name: "gke-a100-80g", gpu: "A100 80G", quota: { gpu: 4 } }],
                }),
        ).toThrow(/queue "a" declares the ResourceFlavor "gke-a100-80g" with other node labels/);
    });

    it("a typo or an impossible quota fails before anything registers", () => {
        expectRejectedBeforeRegistering(
            () =>
                new Queue("gpu", {
                    profile: "gke",
                    flavors: [{ gpu: "A100", quota: { gpu: 8 }, lendingLimit: { gpu: 1 } }],
                }),
            "flavors[0].lendingLimit",
        );
        expectRejectedBeforeRegistering(
            () => new Queue("gpu", { profile: "gke", flavors: [{ gpu: "A100", quota: { gpus: 8 } }] } as never),
            "flavors[0].quota.gpus",
        );
        expectRejectedBeforeRegistering(
            () => new Queue("gpu", { profile: "gke", namespaces: ["ML"], flavors: [{ quota: { cpu: 1 } }] }),
            "namespaces[0]",
        );
    });

    it("a run in a declared queue is created suspended, labelled, after its LocalQueue", async () => {
        const q = new Queue("gpu", {
            profile: "gke",
            namespaces: ["ml"],
            flavors: [{ gpu: "A100 80G", quota: { gpu: 8 } }],
        });
        const env = new TaskEnvironment("train", {
            image: "ghcr.io/acme/train:1",
            namespace: "ml",
            profile: "gke",
            queue: "gpu",
            resources: { gpu: "A100 80G:4" },
        });
        const run = env.task("fit").run("once", { command: ["python", "-m", "fit"] });
        await settle(q, env, run, run.job!);
        const job = ofType("kubernetes:batch/v1:Job")[0];
        expect(job.inputs.spec.suspend).toBe(true);
        expect(job.inputs.metadata.labels["kueue.x-k8s.io/queue-name"]).toBe("gpu");
        // the run depends on the LocalQueue its namespace has (mocks do not record dependencies: the lookup is checked)
        expect(findLocalQueue("gpu", "ml")?.resource).toBe(q.localQueues[0]);
        expect(findLocalQueue("gpu", "other")).toBeUndefined();
    });
});

describe("Queue as data (the flyte package)", () => {
    beforeEach(reset);

    it("converts flavours given as data and names errors in its terms", () => {
        const plan = planQueueFromSpec("gpu", {
            profile: "gke",
            namespaces: ["ml"],
            flavors: [
                { device: { deviceClass: "GPU", device: "A100", partition: "1g.5gb" }, quota: { gpu: 7 } },
                { gpu: "A100 80G", quota: { cpu: "96", memory: "1Ti", gpu: 8 } },
            ],
        });
        expect(plan.queue.flavors.map((f) => f.name)).toEqual(["gke-a100-1g-5gb", "gke-a100-80g"]);
        expect(() =>
            planQueueFromSpec("gpu", {
                profile: "gke",
                flavors: [{ device: { deviceClass: "GPU", device: "A100", partition: "1g.6gb" }, quota: { gpu: 7 } }],
            }),
        ).toThrow(/^flavors\[0\]\.device\.partition: got "1g.6gb"/);
        expect(() =>
            planQueueFromSpec("gpu", { profile: "gke", flavors: [{ gpu: "A100", quota: { gpu: 8 } }], cohrt: "x" }),
        ).toThrow(/cohrt: unknown field "cohrt"; did you mean "cohort"\?/);
    });
});
