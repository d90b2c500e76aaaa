/**
 * Every profile against the real kube-scheduler, without Pulumi: render a template
 * with the pure core, store it in the API server, make a pod from it and see which
 * fake node (platform/nodes.yaml) the scheduler binds it to.
 */
import { CustomProfile, GPU, ProfileInput, ResourcesArgs, TPU, renderPodTemplate } from "pulumi-flyte";
import { KubeClient, kubeClient, probeScheduling, waitFor } from "../../scripts/lib/kube-client";
import { requireEnv } from "./workspace";

jest.setTimeout(10 * 60_000);

const NS = "flyte-e2e-scheduling";
let kube: KubeClient;

const neuronCores: CustomProfile = { extends: "eks", name: "eks-cores", neuron: { resource: "aws.amazon.com/neuron", coreResource: "aws.amazon.com/neuroncore", unit: "core", selectors: [[{ key: "karpenter.k8s.aws/instance-accelerator-name", column: "karpenter" }]], tolerations: [{ key: "aws.amazon.com/neuron", operator: "Exists", effect: "NoSchedule" }] } };

interface Case {
    name: string;
    profile: ProfileInput;
    resources: ResourcesArgs;
    interruptible?: boolean;
    migStrategy?: "single" | "mixed";
    /** The node, or the nodes any of which is right; undefined: stays Pending. */
    expect: string | string[] | undefined;
    /** For a Pending pod: what the scheduler's message says. */
    why?: RegExp;
}

const CASES: Case[] = [
    { name: "aks-a100-80g", profile: "aks", resources: { gpu: "A100 80G:1" }, expect: "aks-a100-80gb" },
    { name: "aks-spot", profile: "aks", resources: { cpu: 2 }, interruptible: true, expect: "aks-spot" },
    { name: "aks-a100-40g", profile: "aks", resources: { gpu: "A100:1" }, expect: undefined, why: /didn't match Pod's node affinity\/selector/ }, // no ND96asr_v4 node
    { name: "nvidia-a100-80g", profile: "nvidia", resources: { gpu: "A100 80G:8" }, expect: "gfd-a100-80gb" },
    { name: "nvidia-mig-mixed", profile: "nvidia", migStrategy: "mixed", resources: { gpu: GPU({ device: "A100 80G", quantity: 2, partition: "1g.10gb" }) }, expect: "gfd-a100-mig-mixed" },
    { name: "nvidia-mig-single", profile: "nvidia", migStrategy: "single", resources: { gpu: GPU({ device: "A100 80G", partition: "1g.10gb" }) }, expect: undefined, why: /didn't match Pod's node affinity\/selector/ }, // the GFD MIG node uses strategy mixed
    { name: "flyte-a100", profile: "flyte", resources: { gpu: "A100:8" }, expect: "flyte-a100" },
    { name: "eks-a100-80g", profile: "eks", resources: { gpu: "A100 80G:8" }, expect: "eks-a100-80gb" },
    { name: "eks-neuron-cores", profile: neuronCores, resources: { gpu: "Inf2:6" }, expect: "eks-inf2" }, // 12 NeuronCores
    { name: "eks-neuron-too-many", profile: "eks", resources: { gpu: "Inf2:12" }, expect: undefined, why: /Insufficient aws.amazon.com\/neuron/ }, // inf2.24xlarge has 6
    { name: "gke-any-gpu", profile: "gke", resources: { gpu: 1 }, expect: ["gke-a100-40gb", "gke-a100-80gb", "gke-h100-80gb", "eks-a100-40gb", "eks-a100-80gb", "gfd-a100-80gb"] },
    { name: "gke-mig-2g", profile: "gke", resources: { gpu: GPU({ device: "A100", partition: "2g.10gb" }) }, expect: undefined, why: /didn't match Pod's node affinity\/selector/ }, // only 1g.5gb slices exist
    { name: "gke-tpu-multihost", profile: "gke", resources: { gpu: TPU({ device: "V5P", partition: "2x2x2" }) }, expect: undefined, why: /didn't match Pod's node affinity\/selector/ }, // no 2x2x2 hosts
    { name: "gke-tpu-v6e", profile: "gke", resources: { gpu: TPU({ device: "V6E", partition: "2x4" }) }, expect: "gke-tpu-v6e-2x4" },
];

beforeAll(async () => {
    kube = kubeClient(requireEnv("KUBECONFIG"));
    await kube.remove(`/api/v1/namespaces/${NS}`);
    await waitFor(async () => (await kube.request("GET", `/api/v1/namespaces/${NS}`)).status === 404, 120_000);
    await kube.create("/api/v1/namespaces", { metadata: { name: NS } });
    await waitFor(async () => (await kube.list(`/api/v1/namespaces/${NS}/serviceaccounts`)).some((s: any) => s.metadata.name === "default"), 60_000);
});

afterAll(async () => {
    await kube.remove(`/api/v1/namespaces/${NS}`);
});

test.each(CASES)("$name", async (c) => {
    const tpl = renderPodTemplate({ name: c.name, image: "localhost:30000/probe:1", resources: c.resources, interruptible: c.interruptible }, { profile: c.profile, migStrategy: c.migStrategy, namespace: NS });
    await kube.create(`/api/v1/namespaces/${NS}/podtemplates`, tpl);
    const result = await probeScheduling(kube, NS, tpl.metadata.name, `probe-${c.name}`, c.expect === undefined ? 15_000 : 30_000);
    if (c.expect === undefined) {
        expect({ node: result.node, reason: result.reason }).toEqual({ node: undefined, reason: "Unschedulable" });
        expect(result.message).toMatch(c.why!);
    } else if (Array.isArray(c.expect)) {
        expect(c.expect).toContain(result.node);
    } else {
        expect(result.node).toBe(c.expect);
    }
});
