/**
 * The scheduling check as components run it (Pulumi mocks, the cluster replaced by a
 * node list): placements as outputs of environments and tasks (TypeScript API and
 * the multi-language class), a warning on the PodTemplate of a pod no node can take,
 * `flyte:schedulingCheck: error` failing, `off` silent, one informational message
 * for an unreachable cluster, declared node pools, and the settings' validation.
 */
import * as pulumi from "@pulumi/pulumi";
import { installMocks, reset, resolve, settle, thrownBy } from "./harness";
installMocks({ preview: true });
import { TaskEnvironment, ValidationError, configureSchedulingCheck } from "../../sdk/src";
import { ClusterNodes, setNodeSource } from "../../sdk/src/components/schedulability";
import { TaskEnvironment as ProviderTaskEnvironment } from "../../provider/src/flyte-task-environment";

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
    {
        metadata: {
            name: "a100-80-2",
            labels: {
                "cloud.google.com/gke-nodepool": "a100-80gb",
                "cloud.google.com/gke-accelerator": "nvidia-a100-80gb",
            },
        },
        spec: { taints: [gpuTaint] },
        status: { allocatable: { cpu: "96", memory: "1360Gi", pods: "110", "nvidia.com/gpu": "8" } },
    },
];

function cluster(nodes: any[] = NODES): () => Promise<ClusterNodes> {
    const { fromKubernetesNode } = jest.requireActual("../../sdk/src/core/simulator/simulate");
    return async () => ({ ok: true, nodes: nodes.map(fromKubernetesNode), cluster: "https://test" });
}

const logs: { level: string; message: string; resource?: pulumi.Resource }[] = [];
let seq = 0;
const unique = (base: string) => `${base}-${++seq}`;

beforeEach(() => {
    reset();
    logs.length = 0;
    pulumi.runtime.setAllConfig({});
    configureSchedulingCheck({});
    for (const level of ["info", "warn", "error"] as const) {
        jest.spyOn(pulumi.log, level).mockImplementation((async (message: string, resource?: pulumi.Resource) => {
            logs.push({ level, message, resource });
        }) as any);
    }
    setNodeSource(cluster());
});

afterEach(() => {
    jest.restoreAllMocks();
    setNodeSource(undefined);
});

const env = (name: string, resources: any, extra: any = {}) =>
    new TaskEnvironment(name, { image: "ghcr.io/acme/app:1", profile: "gke", namespace: "ml", resources, ...extra });
const settled = async () => {
    for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
};

describe("placements", () => {
    test("an environment and its task that fit: their pools and nodes; nothing is logged", async () => {
        const e = env(unique("train"), { cpu: 8, memory: "64Gi", gpu: "A100 80G:4" });
        const fit = e.task("fit");
        const small = fit.override({ retries: 0 });
        await settle(e);
        expect((await resolve(e.placement)).value).toBe("a100-80gb (a100-80-1, a100-80-2)");
        expect((await resolve(fit.placement)).value).toBe("a100-80gb (a100-80-1, a100-80-2)");
        expect((await resolve(small.placement)).value).toBe("a100-80gb (a100-80-1, a100-80-2)");
        expect((await resolve(e.scheduling)).value).toEqual({
            checked: true,
            schedulable: true,
            nodes: ["a100-80-1", "a100-80-2"],
            pools: ["a100-80gb"],
            scaleUp: [],
            placement: "a100-80gb (a100-80-1, a100-80-2)",
        });
        await settled();
        expect(logs).toEqual([]);
    });

    test('a pod no node can take: "none: <the scheduler\'s reasons>" and a warning on its PodTemplate', async () => {
        const name = unique("serve");
        const e = env(name, { cpu: 16, memory: "128Gi", gpu: "H100:8" });
        const t = e.task("predict");
        await settle(e);
        const placement = (await resolve(e.placement)).value;
        expect(placement).toBe(
            "none: 0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector." +
                " By node group: 3 nodes (pools default-pool, a100-80gb) didn't match node affinity `cloud.google.com/gke-accelerator In [nvidia-h100-80gb, nvidia-h100-mega-80gb]` [NodeAffinity].",
        );
        expect((await resolve(t.placement)).value).toBe(placement);
        await settled();
        expect(logs.map((l) => [l.level, l.message, l.resource])).toEqual([
            [
                "warn",
                `environment "${name}" cannot be scheduled on any node of the cluster: ${placement.replace(/^none: /, "")}`,
                e.podTemplate,
            ],
            [
                "warn",
                `task "${name}.predict" cannot be scheduled on any node of the cluster: ${placement.replace(/^none: /, "")}`,
                t.podTemplate,
            ],
        ]);
        expect((await resolve(e.scheduling)).value).toMatchObject({
            checked: true,
            schedulable: false,
            nodes: [],
            schedulerMessage: "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.",
        });
    });

    test("resource fit is judged against allocatable, in the scheduler's words", async () => {
        const e = env(unique("wide"), { cpu: 200, memory: "64Gi", gpu: "A100 80G:8" });
        expect((await resolve(e.placement)).value).toMatch(
            /^none: 0\/3 nodes are available: 1 node\(s\) didn't match Pod's node affinity\/selector, 2 Insufficient cpu\. By node group: .*2 nodes \(pool a100-80gb\) had insufficient `cpu` \(allocatable 96, requested 200\) \[NodeResourcesFit\]\.$/,
        );
    });

    test("the multi-language class has the placement of the environment and of each task as outputs", async () => {
        const e = new ProviderTaskEnvironment(unique("ml"), {
            imageRef: "ghcr.io/acme/app:1",
            profile: "gke",
            resources: { gpu: "A100 80G:1" },
            tasks: [{ name: "fit" }, { name: "eval" }],
        } as any);
        expect((await resolve(e.placement)).value).toBe("a100-80gb (a100-80-1, a100-80-2)");
        expect((await resolve(e.taskPlacements)).value).toEqual({
            fit: "a100-80gb (a100-80-1, a100-80-2)",
            eval: "a100-80gb (a100-80-1, a100-80-2)",
        });
        const huge = new ProviderTaskEnvironment(unique("huge"), {
            imageRef: "ghcr.io/acme/app:1",
            profile: "gke",
            resources: { gpu: "A100 80G:8", cpu: "500" },
            tasks: [{ name: "fit" }],
        } as any);
        expect((await resolve(huge.placement)).value).toMatch(
            /^none: 0\/3 nodes are available: 1 node\(s\) didn't match Pod's node affinity\/selector, 2 Insufficient cpu\./,
        );
        expect((await resolve(huge.taskPlacements)).value.fit).toBe((await resolve(huge.placement)).value);
    });
});

describe("settings", () => {
    test("flyte:schedulingCheck: error fails with the reason, tied to the PodTemplate", async () => {
        pulumi.runtime.setAllConfig({ "flyte:schedulingCheck": "error" });
        setNodeSource(cluster());
        const name = unique("serve");
        const e = env(name, { gpu: "H100:8" });
        // the placement rejects: in a program nothing handles it, and Pulumi's runtime fails the
        // preview with the message on the resource (tests/e2e/placement.test.ts); here, consume it
        for (const o of [e.placement, e.scheduling] as any[])
            for (const p of [o.promise(), o.isKnown, o.isSecret, o.allResources?.()]) p?.catch?.(() => undefined);
        const failure = await (e.placement as any).promise().then(
            () => undefined,
            (err: unknown) => err,
        );
        expect(failure).toBeInstanceOf(pulumi.ResourceError);
        expect((failure as pulumi.ResourceError).resource).toBe(e.podTemplate);
        expect((failure as Error).message).toMatch(
            new RegExp(
                `^environment "${name}" cannot be scheduled on any node of the cluster: 0/3 nodes are available: 3 node\\(s\\) didn't match Pod's node affinity/selector\\. .*\\(flyte:schedulingCheck is error\\)$`,
            ),
        );
        // a pod that fits is not an error
        expect((await resolve(env(unique("ok"), { gpu: "A100 80G:1" }).placement)).value).toBe(
            "a100-80gb (a100-80-1, a100-80-2)",
        );
    });

    test("flyte:schedulingCheck: off checks nothing and says so", async () => {
        pulumi.runtime.setAllConfig({ "flyte:schedulingCheck": "off" });
        const read = jest.fn(cluster());
        setNodeSource(read);
        const e = env(unique("serve"), { gpu: "H100:8" });
        expect((await resolve(e.placement)).value).toBe("unchecked: flyte:schedulingCheck is off");
        expect((await resolve(e.scheduling)).value).toEqual({
            checked: false,
            nodes: [],
            pools: [],
            scaleUp: [],
            placement: "unchecked: flyte:schedulingCheck is off",
        });
        await settled();
        expect(read).not.toHaveBeenCalled();
        expect(logs).toEqual([]);
    });

    test("an unreachable cluster: one informational message for the whole program, never a failure (even with error)", async () => {
        pulumi.runtime.setAllConfig({ "flyte:schedulingCheck": "error" });
        const read = jest.fn(async (): Promise<ClusterNodes> => ({
            ok: false,
            reason: "connect ECONNREFUSED 127.0.0.1:6443",
        }));
        setNodeSource(read);
        const a = env(unique("a"), { gpu: "H100:8" });
        const b = env(unique("b"), { cpu: 1 });
        const t = b.task("t");
        for (const o of [a.placement, b.placement, t.placement])
            expect((await resolve(o)).value).toBe(
                "unchecked: cluster unreachable: connect ECONNREFUSED 127.0.0.1:6443",
            );
        await settled();
        expect(read).toHaveBeenCalledTimes(1);
        expect(logs.map((l) => [l.level, l.resource])).toEqual([["info", undefined]]);
        expect(logs[0].message).toMatch(
            /^flyte scheduling check skipped: the cluster cannot be read \(connect ECONNREFUSED 127.0.0.1:6443\)/,
        );
    });

    test("the cluster is read once per program, however many pods are checked", async () => {
        const read = jest.fn(cluster());
        setNodeSource(read);
        const e = env(unique("x"), { cpu: 1 });
        e.task("a");
        e.task("b");
        await resolve(e.placement);
        expect(read).toHaveBeenCalledTimes(1);
    });

    test("each distinct pod is simulated once: tasks that keep their environment's pod, and equal environments, share its verdict; new nodes or settings simulate again", async () => {
        const simulator = jest.requireActual("../../sdk/src/core/simulator/simulate");
        const simulate = jest.spyOn(simulator, "simulateScheduling");
        const a = env(unique("a"), { cpu: 1 });
        const b = env(unique("b"), { cpu: 1 });
        const tasks = [
            a.task("one"),
            a.task("two", { retries: 2 }),
            b.task("three"),
            a.task("big", { interruptible: true }),
        ];
        const c = env(unique("c"), { cpu: 2 });
        await Promise.all([a, b, c, ...tasks].map((x) => resolve(x.placement)));
        // { cpu: 1 } (a, b and the three tasks that keep it), the interruptible task, { cpu: 2 }
        expect(simulate).toHaveBeenCalledTimes(3);
        expect((await resolve(tasks[0].placement)).value).toBe("default-pool (cpu-1)");
        setNodeSource(cluster(NODES.slice(1)));
        const d = env(unique("d"), { cpu: 1 });
        expect((await resolve(d.placement)).value).toMatch(/^none: 0\/2 nodes are available/);
        expect(simulate).toHaveBeenCalledTimes(4);
        configureSchedulingCheck({ nodePools: [{ name: "cpu", allocatable: { cpu: "4", memory: "8Gi" } }] });
        const e = env(unique("e"), { cpu: 1 });
        expect((await resolve(e.placement)).value).toMatch(/^cpu \(declared pool/);
        expect(simulate).toHaveBeenCalledTimes(5);
    });

    test("declared node pools (scale from zero): the message says which pool must scale up; an unreachable cluster checks against them alone", async () => {
        const h100 = {
            name: "h100-pool",
            labels: {
                "cloud.google.com/gke-accelerator": "nvidia-h100-80gb",
                "cloud.google.com/gke-nodepool": "h100-pool",
            },
            taints: [gpuTaint],
            allocatable: { cpu: "208", memory: "1872Gi", "nvidia.com/gpu": "8" },
        };
        pulumi.runtime.setAllConfig({ "flyte:nodePools": JSON.stringify([h100]) });
        setNodeSource(cluster());
        const name = unique("serve");
        const e = env(name, { cpu: 16, memory: "128Gi", gpu: "H100:8" });
        expect((await resolve(e.placement)).value).toBe(
            "h100-pool (declared pool, no fitting node yet: it must scale up)",
        );
        expect((await resolve(e.scheduling)).value).toMatchObject({
            checked: true,
            schedulable: true,
            nodes: [],
            scaleUp: ["h100-pool"],
        });
        await settled();
        expect(logs.map((l) => [l.level, l.message, l.resource])).toEqual([
            [
                "info",
                `environment "${name}": no node of the cluster fits; node pool h100-pool would have to scale up. 0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.`,
                e.podTemplate,
            ],
        ]);

        logs.length = 0;
        setNodeSource(async () => ({ ok: false, reason: "no kubeconfig" }));
        const b200 = unique("b200");
        const f = env(b200, { gpu: "B200:8" });
        expect((await resolve(f.placement)).value).toBe(
            "none: 0/0 nodes are available. By node group: declared pool h100-pool didn't match node selector `cloud.google.com/gke-accelerator=nvidia-b200` [NodeAffinity].",
        );
        await settled();
        expect(logs.map((l) => l.level)).toEqual(["info", "warn"]);
        expect(logs[0].message).toMatch(/checking against the declared node pools only/);
        expect(logs[1].message).toMatch(
            new RegExp(
                `^environment "${b200}" cannot be scheduled on any node of the cluster nor on any declared node pool: `,
            ),
        );
    });

    test("pools declared in the program add to the stack's; the same name twice is an error", async () => {
        configureSchedulingCheck({ nodePools: [{ name: "big-cpu", allocatable: { cpu: "64", memory: "256Gi" } }] });
        const e = env(unique("big"), { cpu: 48, memory: "200Gi" });
        expect((await resolve(e.placement)).value).toBe(
            "big-cpu (declared pool, no fitting node yet: it must scale up)",
        );
        pulumi.runtime.setAllConfig({
            "flyte:nodePools": JSON.stringify([{ name: "big-cpu", allocatable: { cpu: "8", memory: "8Gi" } }]),
        });
        setNodeSource(cluster());
        const error = thrownBy(() => env(unique("big"), { cpu: 1 }));
        expect((error as ValidationError).field).toBe("configureSchedulingCheck.nodePools");
    });

    test.each([
        [{ "flyte:schedulingCheck": "warning" }, "flyte:schedulingCheck", /allowed values: "warn", "error", "off"/],
        [{ "flyte:nodePools": "h100" }, "flyte:nodePools", /expected a list of node pools/],
        [
            { "flyte:nodePools": JSON.stringify([{ name: "p", allocatable: { cpu: "8", memory: "lots" } }]) },
            "flyte:nodePools[0].allocatable.memory",
            /Kubernetes quantity/,
        ],
        [
            {
                "flyte:nodePools": JSON.stringify([
                    {
                        name: "p",
                        allocatable: { cpu: "8", memory: "8Gi" },
                        taints: [{ key: "k", effect: "NoSchedul" }],
                    },
                ]),
            },
            "flyte:nodePools[0].taints[0].effect",
            /"NoSchedule", "PreferNoSchedule", "NoExecute"/,
        ],
    ])("%j is rejected naming the key", (config, field, allowed) => {
        pulumi.runtime.setAllConfig(config);
        setNodeSource(cluster());
        const error = thrownBy(() => env(unique("x"), { cpu: 1 }));
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).field).toBe(field);
        expect((error as Error).message).toMatch(allowed);
    });

    test("program settings are validated too", () => {
        expect((thrownBy(() => configureSchedulingCheck({ mode: "loud" as any })) as ValidationError).field).toBe(
            "configureSchedulingCheck.mode",
        );
        expect(
            (thrownBy(() => configureSchedulingCheck({ nodePools: [{ name: "p" } as any] })) as ValidationError).field,
        ).toBe("configureSchedulingCheck.nodePools[0].allocatable");
    });

    test("under Pulumi's mocks with no node source, and with an explicit Kubernetes provider, nothing is checked", async () => {
        setNodeSource(undefined);
        const e = env(unique("mocked"), { cpu: 1 });
        expect((await resolve(e.placement)).value).toBe("unchecked: no cluster under Pulumi's mocks");
        setNodeSource(cluster());
        const k8s = await import("@pulumi/kubernetes");
        const provider = new k8s.Provider(unique("other-cluster"), { kubeconfig: "{}" });
        const p = new TaskEnvironment(
            unique("explicit"),
            { image: "ghcr.io/acme/app:1", resources: { cpu: 1 } },
            { providers: [provider] },
        );
        expect((await resolve(p.placement)).value).toBe(
            "unchecked: the component uses an explicit Kubernetes provider, whose cluster the check cannot read",
        );
    });
});

describe("dynamic resource allocation", () => {
    const draNode = {
        metadata: { name: "dra-h100", labels: { "cloud.google.com/gke-nodepool": "dra-h100" } },
        spec: { taints: [gpuTaint] },
        status: { allocatable: { cpu: "96", memory: "900Gi", pods: "110" } },
    };
    const gpus = (n: number) =>
        Array.from({ length: n }, (_, i) => ({
            name: `gpu-${i}`,
            attributes: { type: { string: "gpu" }, productName: { string: "NVIDIA H100 80GB HBM3" } },
            capacity: { memory: { value: "80Gi" } },
        }));
    const dra = (extendedResourceName?: string) => ({
        deviceClasses: [
            {
                metadata: { name: "gpu.nvidia.com" },
                spec: {
                    selectors: [
                        {
                            cel: {
                                expression:
                                    "device.driver == 'gpu.nvidia.com' && device.attributes['gpu.nvidia.com'].type == 'gpu'",
                            },
                        },
                    ],
                    ...(extendedResourceName ? { extendedResourceName } : {}),
                },
            },
        ],
        resourceSlices: [
            {
                metadata: { name: "dra-h100-gpus" },
                spec: {
                    driver: "gpu.nvidia.com",
                    pool: { name: "dra-h100", generation: 1, resourceSliceCount: 1 },
                    nodeName: "dra-h100",
                    devices: gpus(4),
                },
            },
        ],
        resourceClaims: [],
    });
    const withDra = (draCluster: any) => async (): Promise<ClusterNodes> => {
        const { fromKubernetesNode } = jest.requireActual("../../sdk/src/core/simulator/simulate");
        return {
            ok: true,
            nodes: [...NODES, draNode].map(fromKubernetesNode),
            cluster: "https://test",
            dra: draCluster,
        };
    };

    test("a claim from the environment's ResourceClaimTemplate is allocated where its devices are", async () => {
        setNodeSource(withDra(dra()));
        const e = env(unique("claims"), { gpu: ["H100:2", "A100_80G:2"] }, { deviceAllocation: "dra" });
        expect((await resolve(e.placement)).value).toBe("dra-h100");
        const big = env(unique("claims"), { gpu: "H100:8" }, { deviceAllocation: "dra" });
        const placement = (await resolve(big.placement)).value;
        expect(placement).toMatch(
            /^none: 0\/4 nodes are available: 4 cannot allocate all claims\. By node group: 4 nodes \(pools [^)]*\) couldn't allocate 8 of gpu\.nvidia\.com from its ResourceSlices \[DynamicResources\]\.$/,
        );
        await settled();
        expect(logs.filter((l) => l.level === "warn").map((l) => l.message)).toEqual([
            expect.stringMatching(
                /cannot be scheduled on any node of the cluster: 0\/4 nodes are available: 4 cannot allocate all claims\./,
            ),
        ]);
    });

    test("extended resources served by DRA count on nodes without allocatable", async () => {
        setNodeSource(withDra(dra("nvidia.com/gpu")));
        const e = env(unique("any"), { gpu: 4 });
        expect((await resolve(e.placement)).value).toBe("a100-80gb (a100-80-1, a100-80-2); dra-h100");
        setNodeSource(withDra(dra()));
        const without = env(unique("any"), { gpu: 4 });
        expect((await resolve(without.placement)).value).toBe("a100-80gb (a100-80-1, a100-80-2)");
    });

    test("claims are unchecked when the DRA objects cannot be read; extended resources still checked", async () => {
        setNodeSource(withDra({ unreadable: "resourceslices is forbidden (403)" }));
        const e = env(unique("claims"), { gpu: "H100:1" }, { deviceAllocation: "dra" });
        expect((await resolve(e.placement)).value).toBe(
            "unchecked: the cluster's DRA objects cannot be read (resourceslices is forbidden (403))",
        );
        const plain = env(unique("plain"), { gpu: "A100_80G:1" });
        expect((await resolve(plain.placement)).value).toBe("a100-80gb (a100-80-1, a100-80-2)");
    });
});
