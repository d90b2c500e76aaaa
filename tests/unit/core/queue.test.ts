/**
 * Queues: ResourceFlavors made from the profiles and the catalogue (labels and taints
 * as our PodTemplates select the nodes), the ClusterQueue's resource group and quotas,
 * LocalQueues, and every rule Kueue's webhooks enforce, failing first in our terms.
 */
import { GPU, Neuron, TPU } from "../../../sdk/src/core/devices";
import { normalizeQueue, localQueue } from "../../../sdk/src/core/queue/cluster-queue";
import { QUEUE_NAME_LABEL } from "../../../sdk/src/core/queue/kueue";
import { jobSpec } from "../../../sdk/src/core/podtemplate/job";
import { render } from "../../../sdk/src/core/podtemplate/render";
import { errorOf } from "./helpers";

const flavorsOf = (q: ReturnType<typeof normalizeQueue>) =>
    Object.fromEntries(q.flavors.map((f) => [f.name, f.resourceFlavor.spec]));

describe("ResourceFlavors from the catalogue", () => {
    test("gke: accelerator label, MIG partition label, TPU topology, spot, CPU-only", () => {
        const q = normalizeQueue("gpu", {
            profile: "gke",
            flavors: [
                { gpu: "A100 80G", quota: { gpu: 8 } },
                { gpu: GPU({ device: "A100", partition: "1g.5gb" }), quota: { gpu: 7 } },
                { gpu: TPU({ device: "V5P", partition: "2x2x1" }), quota: { gpu: 4 } },
                { gpu: "A100 80G", interruptible: true, quota: { gpu: 8 } },
                { quota: { cpu: 8, memory: "32Gi" } },
            ],
        });
        const taint = { key: "nvidia.com/gpu", effect: "NoSchedule" };
        expect(flavorsOf(q)).toEqual({
            "gke-a100-80g": {
                nodeLabels: { "cloud.google.com/gke-accelerator": "nvidia-a100-80gb" },
                nodeTaints: [taint],
            },
            "gke-a100-1g-5gb": {
                nodeLabels: {
                    "cloud.google.com/gke-accelerator": "nvidia-tesla-a100",
                    "cloud.google.com/gke-gpu-partition-size": "1g.5gb",
                },
                nodeTaints: [taint],
            },
            "gke-tpu-v5p-2x2x1": {
                nodeLabels: {
                    "cloud.google.com/gke-tpu-accelerator": "tpu-v5p-slice",
                    "cloud.google.com/gke-tpu-topology": "2x2x1",
                },
                nodeTaints: [{ key: "google.com/tpu", effect: "NoSchedule" }],
            },
            "gke-a100-80g-spot": {
                nodeLabels: {
                    "cloud.google.com/gke-accelerator": "nvidia-a100-80gb",
                    "cloud.google.com/gke-spot": "true",
                },
                nodeTaints: [taint, { key: "cloud.google.com/gke-spot", value: "true", effect: "NoSchedule" }],
            },
            "gke-cpu": {},
        });
        // the accelerator each flavour counts
        expect(q.flavors.map((f) => f.accelerator)).toEqual([
            "nvidia.com/gpu",
            "nvidia.com/gpu",
            "google.com/tpu",
            "nvidia.com/gpu",
            undefined,
        ]);
    });

    test("eks: Karpenter's GPU memory tells A100 40GB from 80GB; MIG mixed counts nvidia.com/mig-<profile>; Neuron", () => {
        const q = normalizeQueue("gpu", {
            profile: "eks",
            migStrategy: "mixed",
            flavors: [
                { gpu: "A100 80G", quota: { gpu: 8 } },
                { gpu: "A100", quota: { gpu: 8 } },
                {
                    gpu: GPU({ device: "A100 80G", partition: "1g.10gb" }),
                    nodeLabels: { "nvidia.com/gpu.product": "NVIDIA-A100-SXM4-80GB" },
                    quota: { gpu: 56 },
                },
                { gpu: Neuron({ device: "Inf2", quantity: 1 }), quota: { gpu: 6 } },
            ],
        });
        const specs = flavorsOf(q);
        expect(specs["eks-a100-80g"].nodeLabels).toEqual({
            "karpenter.k8s.aws/instance-gpu-memory": "81920",
            "karpenter.k8s.aws/instance-gpu-name": "a100",
        });
        expect(specs["eks-a100"].nodeLabels).toEqual({
            "karpenter.k8s.aws/instance-gpu-memory": "40960",
            "karpenter.k8s.aws/instance-gpu-name": "a100",
        });
        // the pods' term: Karpenter's model and memory, and GPU Feature Discovery's product and MIG strategy
        expect(specs["eks-a100-80g-1g-10gb-nvidia-a100-sxm4-80gb"].nodeLabels).toEqual({
            "karpenter.k8s.aws/instance-gpu-memory": "81920",
            "karpenter.k8s.aws/instance-gpu-name": "a100",
            "nvidia.com/gpu.product": "NVIDIA-A100-SXM4-80GB",
            "nvidia.com/mig.strategy": "mixed",
        });
        expect(specs["eks-inf2"]).toEqual({
            nodeLabels: { "karpenter.k8s.aws/instance-accelerator-name": "inferentia2" },
            nodeTaints: [{ key: "aws.amazon.com/neuron", effect: "NoSchedule" }],
        });
        expect(q.flavors.map((f) => f.accelerator)).toEqual([
            "nvidia.com/gpu",
            "nvidia.com/gpu",
            "nvidia.com/mig-1g.10gb",
            "aws.amazon.com/neuron",
        ]);
    });

    test("flyte profile: the device label and its Equal taint", () => {
        const q = normalizeQueue("gpu", { flavors: [{ gpu: "A100", quota: { gpu: 8 } }] });
        expect(q.flavors[0].resourceFlavor.spec).toEqual({
            nodeLabels: { "k8s.amazonaws.com/accelerator": "nvidia-tesla-a100" },
            nodeTaints: [{ key: "k8s.amazonaws.com/accelerator", value: "nvidia-tesla-a100", effect: "NoSchedule" }],
        });
    });

    test("a device with several label values needs the flavour's choice; the choice must be one of them", () => {
        const e = errorOf(() =>
            normalizeQueue("gpu", { profile: "gke", flavors: [{ gpu: "H100", quota: { gpu: 8 } }] }),
        );
        expect(e.field).toBe("flavors[0].gpu");
        expect(e.message).toContain("In [nvidia-h100-80gb, nvidia-h100-mega-80gb]");
        expect(e.message).toContain('give nodeLabels { "cloud.google.com/gke-accelerator": "nvidia-h100-80gb" }');
        const q = normalizeQueue("gpu", {
            profile: "gke",
            flavors: [
                {
                    gpu: "H100",
                    nodeLabels: { "cloud.google.com/gke-accelerator": "nvidia-h100-mega-80gb" },
                    quota: { gpu: 8 },
                },
            ],
        });
        expect(q.flavors[0].name).toBe("gke-h100-nvidia-h100-mega-80gb");
        const wrong = errorOf(() =>
            normalizeQueue("gpu", {
                profile: "gke",
                flavors: [
                    {
                        gpu: "A100 80G",
                        nodeLabels: { "cloud.google.com/gke-accelerator": "nvidia-h100-80gb" },
                        quota: { gpu: 1 },
                    },
                ],
            }),
        );
        expect(wrong.field).toBe("flavors[0].nodeLabels.cloud.google.com/gke-accelerator");
        expect(wrong.message).toContain("require cloud.google.com/gke-accelerator=nvidia-a100-80gb");
    });

    test("extra node labels (a pool) are added; a whole-GPU flavour cannot claim a MIG partition label", () => {
        const q = normalizeQueue("gpu", {
            profile: "gke",
            flavors: [
                { gpu: "A100 80G", nodeLabels: { "cloud.google.com/gke-nodepool": "a100-pool" }, quota: { gpu: 8 } },
            ],
        });
        expect(q.flavors[0].resourceFlavor.spec.nodeLabels).toEqual({
            "cloud.google.com/gke-accelerator": "nvidia-a100-80gb",
            "cloud.google.com/gke-nodepool": "a100-pool",
        });
        const e = errorOf(() =>
            normalizeQueue("gpu", {
                profile: "gke",
                flavors: [
                    {
                        gpu: "A100",
                        nodeLabels: { "cloud.google.com/gke-gpu-partition-size": "1g.5gb" },
                        quota: { gpu: 8 },
                    },
                ],
            }),
        );
        expect(e.message).toContain("require cloud.google.com/gke-gpu-partition-size DoesNotExist");
    });
});

describe("ClusterQueue", () => {
    test("one resource group: every flavour lists every counted resource in one order, 0 where it has none", () => {
        const q = normalizeQueue("gpu", {
            profile: "gke",
            cohort: "research",
            preemption: { reclaimWithinCohort: "Any", withinClusterQueue: "LowerPriority" },
            flavors: [
                {
                    gpu: "A100 80G",
                    quota: { cpu: 96, memory: "1360Gi", gpu: 8 },
                    borrowingLimit: { gpu: 8 },
                    lendingLimit: { gpu: 4 },
                },
                { quota: { cpu: "500m", memory: "2Gi", pods: 10 } },
            ],
        });
        expect(q.clusterQueue).toEqual({
            apiVersion: "kueue.x-k8s.io/v1beta2",
            kind: "ClusterQueue",
            metadata: { name: "gpu", labels: { "app.kubernetes.io/managed-by": "pulumi-flyte" } },
            spec: {
                cohortName: "research",
                namespaceSelector: {},
                queueingStrategy: "BestEffortFIFO",
                preemption: { reclaimWithinCohort: "Any", withinClusterQueue: "LowerPriority" },
                resourceGroups: [
                    {
                        coveredResources: ["cpu", "memory", "nvidia.com/gpu", "pods"],
                        flavors: [
                            {
                                name: "gke-a100-80g",
                                resources: [
                                    { name: "cpu", nominalQuota: "96" },
                                    { name: "memory", nominalQuota: "1360Gi" },
                                    {
                                        name: "nvidia.com/gpu",
                                        nominalQuota: "8",
                                        borrowingLimit: "8",
                                        lendingLimit: "4",
                                    },
                                    { name: "pods", nominalQuota: "0" },
                                ],
                            },
                            {
                                name: "gke-cpu",
                                resources: [
                                    { name: "cpu", nominalQuota: "500m" },
                                    { name: "memory", nominalQuota: "2Gi" },
                                    { name: "nvidia.com/gpu", nominalQuota: "0" },
                                    { name: "pods", nominalQuota: "10" },
                                ],
                            },
                        ],
                    },
                ],
            },
        });
        expect(localQueue(q, "ml")).toEqual({
            apiVersion: "kueue.x-k8s.io/v1beta2",
            kind: "LocalQueue",
            metadata: { name: "gpu", namespace: "ml", labels: { "app.kubernetes.io/managed-by": "pulumi-flyte" } },
            spec: { clusterQueue: "gpu" },
        });
    });

    test.each([
        [{ flavors: [] }, "flavors", "at least one flavour"],
        [{ flavors: [{ gpu: "A100 80G:8", quota: { gpu: 8 } }] }, "flavors[0].gpu", "without a count"],
        [{ flavors: [{ gpu: "A10O", quota: { gpu: 8 } }] }, "flavors[0].gpu", 'did you mean "A10"?'],
        [{ flavors: [{ gpu: "V5P", quota: { gpu: 8 } }] }, "flavors[0].gpu", 'TPU({ device: "V5P", partition })'],
        [{ flavors: [{ gpu: "A100" }] }, "flavors[0].quota", "a flavour's quota is required"],
        [{ flavors: [{ gpu: "A100", quota: { cpu: 8 } }] }, "flavors[0].quota.gpu", "how many nvidia.com/gpu"],
        [{ flavors: [{ quota: { gpu: 8 } }] }, "flavors[0].quota.gpu", "offers no accelerator"],
        [
            { flavors: [{ gpu: "A100", quota: { gpu: 1.5 } }] },
            "flavors[0].quota.gpu",
            "a whole number of nvidia.com/gpu",
        ],
        [{ flavors: [{ gpu: "A100", quota: { gpu: -1 } }] }, "flavors[0].quota.gpu", "a whole number"],
        [
            { flavors: [{ gpu: "A100", quota: { gpu: 1, memory: "lots" } }] },
            "flavors[0].quota.memory",
            "Kubernetes quantity",
        ],
        [
            { flavors: [{ gpu: "A100", quota: { gpu: 1, memroy: "1Gi" } }] },
            "flavors[0].quota.memroy",
            'did you mean "memory"?',
        ],
        [{ flavors: [{ gpu: "A100", quotas: { gpu: 1 } }] }, "flavors[0].quotas", 'did you mean "quota"?'],
        [
            { flavors: [{ gpu: "A100", quota: { gpu: 8 }, lendingLimit: { gpu: 2 } }] },
            "flavors[0].lendingLimit",
            "within a cohort",
        ],
        [
            { flavors: [{ gpu: "A100", quota: { gpu: 8 }, borrowingLimit: { gpu: 2 } }] },
            "flavors[0].borrowingLimit",
            "within a cohort",
        ],
        [
            { cohort: "c", flavors: [{ gpu: "A100", quota: { gpu: 8 }, lendingLimit: { gpu: 9 } }] },
            "flavors[0].lendingLimit.gpu",
            "lends at most its quota (gpu: 8)",
        ],
        [
            {
                flavors: [
                    { gpu: "A100", quota: { gpu: 1 } },
                    { gpu: "A100", quota: { gpu: 1 } },
                ],
            },
            "flavors[1]",
            "both named",
        ],
        [{ name: "GPU", flavors: [{ quota: { cpu: 1 } }] }, "name", "a Kueue LocalQueue"],
        [{ cohort: "Team A", flavors: [{ quota: { cpu: 1 } }] }, "cohort", "lower-case"],
        [
            { queueingStrategy: "FIFO", flavors: [{ quota: { cpu: 1 } }] },
            "queueingStrategy",
            '"BestEffortFIFO", "StrictFIFO"',
        ],
        [
            { preemption: { reclaimWithinCohort: "Any" }, flavors: [{ quota: { cpu: 1 } }] },
            "preemption.reclaimWithinCohort",
            "needs the queue in a cohort",
        ],
        [
            {
                cohort: "c",
                preemption: { reclaimWithinCohort: "Never", borrowWithinCohort: { policy: "LowerPriority" } },
                flavors: [{ quota: { cpu: 1 } }],
            },
            "preemption.borrowWithinCohort.policy",
            "Kueue rejects",
        ],
        [
            { preemption: { withinClusterQueue: "LowerPriorty" }, flavors: [{ quota: { cpu: 1 } }] },
            "preemption.withinClusterQueue",
            'did you mean "LowerPriority"?',
        ],
        [{ flavors: [{ quota: { cpu: 1 } }], cohrt: "c" }, "cohrt", 'did you mean "cohort"?'],
    ])("%j fails at %s", (args, field, text) => {
        const e = errorOf(() => normalizeQueue("gpu", { profile: "gke", ...(args as object) } as never));
        expect(e.field).toBe(field);
        expect(e.message).toContain(text);
    });
});

describe("queued runs", () => {
    const rendered = (queue?: string) =>
        render(
            { name: "train", image: "ghcr.io/org/img:1", resources: { gpu: "A100 80G:4" }, queue },
            { profile: "gke" },
        );

    test("the PodTemplate's pods, the Job and its pods carry the queue label; the Job is created suspended", () => {
        const r = rendered("gpu");
        expect(r.podTemplate.metadata.labels?.[QUEUE_NAME_LABEL]).toBe("gpu");
        expect(r.podTemplate.template.metadata?.labels?.[QUEUE_NAME_LABEL]).toBe("gpu");
        const job = jobSpec(r, "fit", {});
        expect(job.spec.suspend).toBe(true);
        expect(job.spec.template.metadata.labels[QUEUE_NAME_LABEL]).toBe("gpu");
        // the CronJob's Jobs too (jobTemplate.spec)
        expect(jobSpec(r, "nightly", { schedule: "0 3 * * *" }).spec.suspend).toBe(true);
    });

    test("without a queue nothing changes", () => {
        const r = rendered();
        expect(r.podTemplate.template.metadata?.labels?.[QUEUE_NAME_LABEL]).toBeUndefined();
        expect(jobSpec(r, "fit", {}).spec).not.toHaveProperty("suspend");
    });

    test("suspend on a queued one-off run is an error: Kueue decides when it starts", () => {
        const e = errorOf(() => jobSpec(rendered("gpu"), "fit", { suspend: false }, "tasks[0].runs[0]"));
        expect(e.field).toBe("tasks[0].runs[0].suspend");
        expect(e.message).toContain('stopPolicy: "Hold"');
    });

    test("a queue name is a LocalQueue's", () => {
        const e = errorOf(() => rendered("GPU Queue"));
        expect(e.field).toBe("queue");
        expect(e.message).toContain("a Kueue LocalQueue");
    });
});
