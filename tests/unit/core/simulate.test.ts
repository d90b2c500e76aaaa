/**
 * The scheduling simulator on its own: every filter (node selector and required node
 * affinity with every operator, taints and tolerations with every effect and
 * operator, resource fit for cpu/memory/ephemeral-storage and extended resources,
 * unschedulable nodes), the scheduler-style message, node groups and declared pools;
 * then the platform's fake nodes (platform/nodes.yaml) against the scheduling table.
 */
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { renderPodTemplate } from "../../../sdk/src/core/podtemplate/render";
import {
    SchedulablePodSpec,
    SchedulingNode,
    matchesRequirement,
    nodeAffinity,
    nodeResourcesFit,
    nodeUnschedulable,
    podRequests,
    taintToleration,
    toleratesTaint,
} from "../../../sdk/src/core/simulator/fit";
import {
    declaredPoolNodes,
    fromKubernetesNode,
    poolOf,
    simulateScheduling,
} from "../../../sdk/src/core/simulator/simulate";
import { SCHEDULING_CASES, UNSCHEDULABLE_CASES } from "../../fixtures/scheduling-cases";
import { errorOf } from "./helpers";

const node = (name: string, extra: Partial<SchedulingNode> = {}): SchedulingNode => ({
    name,
    labels: {},
    taints: [],
    allocatable: { cpu: "8", memory: "32Gi", pods: "110", "ephemeral-storage": "100Gi" },
    ...extra,
});
const pod = (spec: SchedulablePodSpec = {}): SchedulablePodSpec => ({
    containers: [{ resources: { requests: { cpu: "1", memory: "1Gi" } } }],
    ...spec,
});

describe("TaintToleration", () => {
    const taint = { key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" };
    test.each([
        ["Exists with the key", { key: "nvidia.com/gpu", operator: "Exists" }, true],
        ["Exists with the key and effect", { key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }, true],
        ["Exists with another effect", { key: "nvidia.com/gpu", operator: "Exists", effect: "NoExecute" }, false],
        ["Exists with no key (tolerates everything)", { operator: "Exists" }, true],
        ["Equal with the value", { key: "nvidia.com/gpu", operator: "Equal", value: "present" }, true],
        ["Equal with another value", { key: "nvidia.com/gpu", operator: "Equal", value: "true" }, false],
        ["no operator means Equal", { key: "nvidia.com/gpu", value: "present" }, true],
        ["another key", { key: "google.com/tpu", operator: "Exists" }, false],
        ["an unknown operator", { key: "nvidia.com/gpu", operator: "Matches" }, false],
    ])("%s", (_, toleration, expected) => {
        expect(toleratesTaint(toleration, taint)).toBe(expected);
    });

    test("Lt / Gt compare integers only when the alpha feature is on (off by default, as in v1.37)", () => {
        const numeric = { key: "node.acme.io/error-rate", value: "5", effect: "NoSchedule" };
        expect(toleratesTaint({ key: "node.acme.io/error-rate", operator: "Lt", value: "10" }, numeric)).toBe(false);
        const on = { tolerationComparisonOperators: true };
        expect(toleratesTaint({ key: "node.acme.io/error-rate", operator: "Lt", value: "10" }, numeric, on)).toBe(true);
        expect(toleratesTaint({ key: "node.acme.io/error-rate", operator: "Lt", value: "5" }, numeric, on)).toBe(false);
        expect(toleratesTaint({ key: "node.acme.io/error-rate", operator: "Gt", value: "4" }, numeric, on)).toBe(true);
        expect(toleratesTaint({ key: "node.acme.io/error-rate", operator: "Gt", value: "x" }, numeric, on)).toBe(false);
    });

    test("only NoSchedule and NoExecute taints keep a pod off; the first untolerated one is named", () => {
        expect(
            taintToleration(pod(), node("n", { taints: [{ key: "a", effect: "PreferNoSchedule" }] })),
        ).toBeUndefined();
        expect(
            taintToleration(
                pod(),
                node("n", {
                    taints: [
                        { key: "a", value: "1", effect: "NoExecute" },
                        { key: "b", effect: "NoSchedule" },
                    ],
                }),
            ),
        ).toEqual({
            filter: "TaintToleration",
            reasons: ["node(s) had untolerated taint(s)"],
            detail: "had untolerated taint `a=1:NoExecute`",
        });
        expect(
            taintToleration(
                pod({ tolerations: [{ key: "a", operator: "Exists" }] }),
                node("n", {
                    taints: [
                        { key: "a", value: "1", effect: "NoExecute" },
                        { key: "b", effect: "NoSchedule" },
                    ],
                }),
            )?.detail,
        ).toBe("had untolerated taint `b:NoSchedule`");
    });
});

describe("NodeAffinity", () => {
    const labels = { zone: "a", gpus: "8", "gpu.memory": "81920", product: "A100" };
    test.each([
        ["In, present", { key: "zone", operator: "In", values: ["a", "b"] }, true],
        ["In, other value", { key: "zone", operator: "In", values: ["b"] }, false],
        ["In, absent label", { key: "region", operator: "In", values: ["a"] }, false],
        ["NotIn, other value", { key: "zone", operator: "NotIn", values: ["b"] }, true],
        ["NotIn, same value", { key: "zone", operator: "NotIn", values: ["a"] }, false],
        ["NotIn, absent label matches", { key: "region", operator: "NotIn", values: ["a"] }, true],
        ["Exists", { key: "zone", operator: "Exists" }, true],
        ["Exists, absent", { key: "region", operator: "Exists" }, false],
        ["DoesNotExist", { key: "region", operator: "DoesNotExist" }, true],
        ["DoesNotExist, present", { key: "zone", operator: "DoesNotExist" }, false],
        ["Gt", { key: "gpu.memory", operator: "Gt", values: ["40960"] }, true],
        ["Gt, equal", { key: "gpu.memory", operator: "Gt", values: ["81920"] }, false],
        ["Lt", { key: "gpus", operator: "Lt", values: ["9"] }, true],
        ["Lt, not an integer label", { key: "product", operator: "Lt", values: ["9"] }, false],
        ["Gt, absent label", { key: "region", operator: "Gt", values: ["1"] }, false],
        ["In with no values is invalid", { key: "zone", operator: "In", values: [] }, false],
    ])("%s", (_, requirement, expected) => {
        expect(matchesRequirement(requirement, labels)).toBe(expected);
    });

    const n = node("gpu-1", { labels });
    const affinity = (...terms: { matchExpressions?: any[]; matchFields?: any[] }[]): SchedulablePodSpec =>
        pod({
            affinity: {
                nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } },
            },
        });

    test("nodeSelector: every label must be equal", () => {
        expect(nodeAffinity(pod({ nodeSelector: { zone: "a", gpus: "8" } }), n)).toBeUndefined();
        expect(nodeAffinity(pod({ nodeSelector: { zone: "a", gpus: "4" } }), n)).toEqual({
            filter: "NodeAffinity",
            reasons: ["node(s) didn't match Pod's node affinity/selector"],
            detail: "didn't match node selector `gpus=4`",
        });
    });

    test("terms are ORed, requirements ANDed; the failing requirement of each term is named", () => {
        expect(
            nodeAffinity(
                affinity(
                    { matchExpressions: [{ key: "zone", operator: "In", values: ["b"] }] },
                    { matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }] },
                ),
                n,
            ),
        ).toBeUndefined();
        expect(
            nodeAffinity(
                affinity({
                    matchExpressions: [
                        { key: "zone", operator: "In", values: ["a"] },
                        { key: "gpus", operator: "Gt", values: ["8"] },
                    ],
                }),
                n,
            )?.detail,
        ).toBe("didn't match node affinity `gpus Gt [8]`");
        expect(
            nodeAffinity(
                affinity(
                    { matchExpressions: [{ key: "zone", operator: "In", values: ["b"] }] },
                    { matchExpressions: [{ key: "product", operator: "DoesNotExist" }] },
                ),
                n,
            )?.detail,
        ).toBe("didn't match node affinity `zone In [b]` or `product DoesNotExist`");
    });

    test("nodeSelector and affinity must both match", () => {
        expect(
            nodeAffinity(
                {
                    ...affinity({ matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }] }),
                    nodeSelector: { zone: "b" },
                },
                n,
            )?.detail,
        ).toBe("didn't match node selector `zone=b`");
    });

    test("matchFields on metadata.name; empty terms match nothing", () => {
        expect(
            nodeAffinity(affinity({ matchFields: [{ key: "metadata.name", operator: "In", values: ["gpu-1"] }] }), n),
        ).toBeUndefined();
        expect(
            nodeAffinity(affinity({ matchFields: [{ key: "metadata.name", operator: "NotIn", values: ["gpu-1"] }] }), n)
                ?.detail,
        ).toBe("didn't match node affinity `metadata.name NotIn [gpu-1]`");
        expect(nodeAffinity(affinity({}), n)?.detail).toBe("didn't match node affinity (it has no non-empty term)");
    });
});

describe("NodeResourcesFit", () => {
    test("requests in the scheduler's units: containers summed, the largest init container, sidecars, overhead, limits as requests", () => {
        const spec: SchedulablePodSpec = {
            containers: [
                { resources: { requests: { cpu: "1500m", memory: "1Gi" }, limits: { "nvidia.com/gpu": "2" } } },
                { resources: { requests: { cpu: "500m" }, limits: { memory: "1Gi", "ephemeral-storage": "10Gi" } } },
            ],
            initContainers: [
                { resources: { requests: { cpu: "4", memory: "512Mi" } } },
                { restartPolicy: "Always", resources: { requests: { cpu: "250m" } } },
            ],
            overhead: { cpu: "100m" },
        };
        const r = podRequests(spec);
        expect(Object.fromEntries(r)).toEqual({
            cpu: 4100n,
            memory: 2n * 1024n ** 3n,
            "ephemeral-storage": 10n * 1024n ** 3n,
            "nvidia.com/gpu": 2n,
        });
    });

    test("pod-level cpu and memory requests win over the containers' sum", () => {
        expect(
            Object.fromEntries(
                podRequests({
                    containers: [{ resources: { requests: { cpu: "1", memory: "1Gi" } } }],
                    resources: { requests: { cpu: "3" } },
                }),
            ),
        ).toEqual({ cpu: 3000n, memory: 1024n ** 3n });
    });

    test("every insufficient resource is a reason of its own, in the scheduler's words; names not checked by the scheduler are ignored", () => {
        const spec: SchedulablePodSpec = {
            containers: [
                {
                    resources: {
                        requests: {
                            cpu: "16",
                            memory: "1Gi",
                            "nvidia.com/mig-1g.10gb": "2",
                            "google.com/tpu": "4",
                            "aws.amazon.com/neuroncore": "12",
                            "example.com/foo": "0",
                            storage: "1Ti",
                        },
                    },
                },
            ],
        };
        const f = nodeResourcesFit(
            spec,
            node("n", {
                allocatable: {
                    cpu: "8",
                    memory: "32Gi",
                    pods: "110",
                    "google.com/tpu": "4",
                    "aws.amazon.com/neuroncore": "8",
                },
            }),
        );
        expect(f).toEqual({
            filter: "NodeResourcesFit",
            reasons: [
                "Insufficient cpu",
                "Insufficient aws.amazon.com/neuroncore",
                "Insufficient nvidia.com/mig-1g.10gb",
            ],
            detail: "had insufficient `cpu` (allocatable 8, requested 16), insufficient `aws.amazon.com/neuroncore` (allocatable 8, requested 12), insufficient `nvidia.com/mig-1g.10gb` (allocatable 0, requested 2)",
        });
    });

    test("memory and ephemeral storage compare in bytes; a node without allocatable pods takes none", () => {
        expect(
            nodeResourcesFit(
                { containers: [{ resources: { requests: { memory: "32Gi", "ephemeral-storage": "101Gi" } } }] },
                node("n"),
            )?.reasons,
        ).toEqual(["Insufficient ephemeral-storage"]);
        expect(
            nodeResourcesFit({ containers: [{ resources: { requests: { memory: "32769Mi" } } }] }, node("n"))?.detail,
        ).toBe("had insufficient `memory` (allocatable 32Gi, requested 32769Mi)");
        expect(nodeResourcesFit(pod(), node("n", { allocatable: { cpu: "8", memory: "32Gi" } }))?.reasons).toEqual([
            "Too many pods",
        ]);
    });
});

describe("NodeUnschedulable", () => {
    test("a cordoned node takes only pods tolerating node.kubernetes.io/unschedulable", () => {
        expect(nodeUnschedulable(pod(), node("n", { unschedulable: true }))?.reasons).toEqual([
            "node(s) were unschedulable",
        ]);
        expect(
            nodeUnschedulable(
                pod({
                    tolerations: [
                        { key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule" },
                    ],
                }),
                node("n", { unschedulable: true }),
            ),
        ).toBeUndefined();
    });
});

describe("simulateScheduling", () => {
    const gpuTaint = { key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" };
    const nodes: SchedulingNode[] = [
        node("cpu-1", { pool: "default" }),
        node("cpu-2", { pool: "default", unschedulable: true }),
        node("a100-1", {
            pool: "a100",
            labels: { acc: "a100" },
            taints: [gpuTaint],
            allocatable: { cpu: "96", memory: "680Gi", pods: "110", "nvidia.com/gpu": "8" },
        }),
        node("a100-2", {
            pool: "a100",
            labels: { acc: "a100" },
            taints: [gpuTaint],
            allocatable: { cpu: "96", memory: "680Gi", pods: "110", "nvidia.com/gpu": "8" },
        }),
        node("h100-1", {
            pool: "h100",
            labels: { acc: "h100" },
            taints: [gpuTaint],
            allocatable: { cpu: "208", memory: "1872Gi", pods: "110", "nvidia.com/gpu": "8" },
        }),
    ];
    const gpuPod = (acc: string, gpus: number, cpu = "8"): SchedulablePodSpec => ({
        containers: [
            {
                resources: {
                    requests: { cpu, memory: "64Gi", "nvidia.com/gpu": String(gpus) },
                    limits: { "nvidia.com/gpu": String(gpus) },
                },
            },
        ],
        nodeSelector: { acc },
        tolerations: [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }],
    });

    test("fitting nodes and their pools; the placement names the pool and its nodes", () => {
        const v = simulateScheduling(gpuPod("a100", 4), nodes);
        expect({
            schedulable: v.schedulable,
            nodes: v.nodes,
            pools: v.pools,
            placement: v.placement,
            schedulerMessage: v.schedulerMessage,
        }).toEqual({
            schedulable: true,
            nodes: ["a100-1", "a100-2"],
            pools: ["a100"],
            placement: "a100 (a100-1, a100-2)",
            schedulerMessage: undefined,
        });
        expect(simulateScheduling(pod(), nodes).placement).toBe("default (cpu-1)");
    });

    test("no fit: the scheduler's own message (first failing filter per node, counts sorted as text) and the node groups", () => {
        const v = simulateScheduling(gpuPod("a100", 16), nodes);
        expect(v.schedulable).toBe(false);
        expect(v.schedulerMessage).toBe(
            "0/5 nodes are available: 1 node(s) were unschedulable, 2 Insufficient nvidia.com/gpu, 2 node(s) didn't match Pod's node affinity/selector.",
        );
        expect(v.groups.map((g) => [g.filter, g.detail, g.nodes, g.pools])).toEqual([
            ["NodeUnschedulable", "were unschedulable (cordoned)", ["cpu-2"], ["default"]],
            ["NodeAffinity", "didn't match node selector `acc=a100`", ["cpu-1", "h100-1"], ["default", "h100"]],
            [
                "NodeResourcesFit",
                "had insufficient `nvidia.com/gpu` (allocatable 8, requested 16)",
                ["a100-1", "a100-2"],
                ["a100"],
            ],
        ]);
        expect(v.placement).toBe(
            "none: 0/5 nodes are available: 1 node(s) were unschedulable, 2 Insufficient nvidia.com/gpu, 2 node(s) didn't match Pod's node affinity/selector." +
                " By node group: 1 node (pool default) were unschedulable (cordoned) [NodeUnschedulable]; 2 nodes (pools default, h100) didn't match node selector `acc=a100` [NodeAffinity];" +
                " 2 nodes (pool a100) had insufficient `nvidia.com/gpu` (allocatable 8, requested 16) [NodeResourcesFit].",
        );
    });

    test("a pod without the GPU toleration is stopped by the taint first, as the scheduler's filter order says", () => {
        const v = simulateScheduling({ ...gpuPod("a100", 1), tolerations: [] }, nodes);
        expect(v.nodes).toEqual([]);
        expect(v.schedulerMessage).toBe(
            "0/5 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) were unschedulable, 3 node(s) had untolerated taint(s).",
        );
    });

    test("every created pod tolerates not-ready/unreachable NoExecute for 300s (DefaultTolerationSeconds), not the NoSchedule taint", () => {
        const notReady = (effect: string) => node("n", { taints: [{ key: "node.kubernetes.io/not-ready", effect }] });
        expect(simulateScheduling(pod(), [notReady("NoExecute")]).nodes).toEqual(["n"]);
        expect(simulateScheduling(pod(), [notReady("NoSchedule")]).nodes).toEqual([]);
    });

    test("declared pools (scale from zero) are candidates: the placement says which pool must scale up", () => {
        const declared = declaredPoolNodes(
            [
                {
                    name: "h100-spot",
                    labels: { acc: "h100" },
                    taints: [{ key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" }],
                    allocatable: { cpu: "208", memory: "1872Gi", "nvidia.com/gpu": "16" },
                },
                { name: "cpu-big", allocatable: { cpu: 64, memory: "256Gi" } },
            ],
            "flyte:nodePools",
        );
        const v = simulateScheduling(gpuPod("h100", 16), nodes, { declaredPools: declared });
        expect({ schedulable: v.schedulable, nodes: v.nodes, scaleUp: v.scaleUp, placement: v.placement }).toEqual({
            schedulable: true,
            nodes: [],
            scaleUp: ["h100-spot"],
            placement: "h100-spot (declared pool, no fitting node yet: it must scale up)",
        });
        // the declared pools do not count as nodes in the scheduler's message
        expect(v.schedulerMessage).toMatch(/^0\/5 nodes are available/);
        const none = simulateScheduling(gpuPod("b200", 1), nodes, { declaredPools: declared });
        expect(none.placement).toContain(
            "declared pools h100-spot, cpu-big didn't match node selector `acc=b200` [NodeAffinity]",
        );
        // a real node that fits wins; the declared pool is not needed
        expect(simulateScheduling(gpuPod("h100", 8), nodes, { declaredPools: declared }).placement).toBe(
            "h100 (h100-1)",
        );
    });

    test("node groups name pools, and nodes that belong to no pool by name", () => {
        const mixed = [node("gfd-1"), node("gfd-2"), node("cpu-9", { pool: "default" })];
        expect(simulateScheduling(gpuPod("a100", 1), mixed).placement).toBe(
            "none: 0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector." +
                " By node group: 3 nodes (pool default; nodes gfd-1, gfd-2) didn't match node selector `acc=a100` [NodeAffinity].",
        );
        expect(simulateScheduling(gpuPod("a100", 1), mixed.slice(0, 1)).placement).toMatch(
            /By node group: 1 node \(gfd-1\) didn't match/,
        );
    });

    test("no nodes at all", () => {
        expect(simulateScheduling(pod(), []).placement).toBe(
            "none: 0/0 nodes are available. The cluster has no nodes and no node pool is declared.",
        );
    });

    test("declared pools are validated, naming the field", () => {
        expect(
            errorOf(() =>
                declaredPoolNodes([{ name: "p", allocatable: { cpu: "8", memory: "lots" } }], "flyte:nodePools"),
            ).message,
        ).toBe(
            'flyte:nodePools[0].allocatable.memory: got "lots"; expected a Kubernetes quantity such as "8", "500m" or "64Gi"',
        );
        expect(
            errorOf(() => declaredPoolNodes([{ name: "p", allocatable: { cpu: "8" } }], "flyte:nodePools")).field,
        ).toBe("flyte:nodePools[0].allocatable");
        expect(
            errorOf(() =>
                declaredPoolNodes(
                    [
                        {
                            name: "p",
                            allocatable: { cpu: "8", memory: "1Gi" },
                            taints: [{ key: "a", effect: "NoSchedul" }],
                        },
                    ],
                    "flyte:nodePools",
                ),
            ).field,
        ).toBe("flyte:nodePools[0].taints[0].effect");
        expect(
            errorOf(() =>
                declaredPoolNodes(
                    [{ name: "p", allocatable: { cpu: "8", memory: "1Gi" }, label: {} }],
                    "flyte:nodePools",
                ),
            ).message,
        ).toMatch(/unknown field "label"/);
        expect(
            errorOf(() =>
                declaredPoolNodes(
                    [
                        { name: "p", allocatable: { cpu: "1", memory: "1Gi" } },
                        { name: "p", allocatable: { cpu: "1", memory: "1Gi" } },
                    ],
                    "pools",
                ),
            ).field,
        ).toBe("pools[1].name");
        expect(errorOf(() => declaredPoolNodes({ name: "p" }, "flyte:nodePools")).message).toMatch(/expected array/);
    });
});

describe("the platform's fake nodes and the scheduling table", () => {
    // every kwok node of platform/nodes.yaml, as the platform registers it, plus an
    // untainted CPU node standing for the platform's real worker
    const file = yaml.load(fs.readFileSync(path.join(__dirname, "../../../platform/nodes.yaml"), "utf8")) as any;
    const platformNodes: SchedulingNode[] = [
        ...file.nodes
            .filter((n: any) => (n.taints ?? []).length > 0)
            .map((n: any) =>
                fromKubernetesNode({
                    metadata: {
                        name: n.name,
                        labels: { ...file.defaults.labels, "kubernetes.io/hostname": n.name, ...n.labels },
                    },
                    spec: { taints: n.taints },
                    status: { allocatable: n.allocatable ?? n.capacity },
                }),
            ),
        fromKubernetesNode({
            metadata: { name: "worker", labels: { "kubernetes.io/hostname": "worker" } },
            status: { allocatable: { cpu: "2", memory: "24Gi", pods: "110", "ephemeral-storage": "100Gi" } },
        }),
    ];

    const draOnly = new Set<string>(file.nodes.filter((n: any) => n.dra).map((n: any) => n.name));

    test("pools come from the flavour's pool label", () => {
        expect(poolOf(platformNodes.find((n) => n.name === "gke-a100-80gb")!.labels)).toBe("a100-80gb");
        expect(poolOf(platformNodes.find((n) => n.name === "eks-inf2")!.labels)).toBe("neuron");
        expect(poolOf(platformNodes.find((n) => n.name === "aks-spot")!.labels)).toBe("spotnp");
        expect(poolOf(platformNodes.find((n) => n.name === "worker")!.labels)).toBeUndefined();
    });

    test.each([...SCHEDULING_CASES, ...UNSCHEDULABLE_CASES])("$name", (c) => {
        const tpl = renderPodTemplate(
            { name: c.name, image: "localhost:30000/probe:1", resources: c.resources, interruptible: c.interruptible },
            { profile: c.profile, migStrategy: c.migStrategy },
        );
        const v = simulateScheduling(tpl.template.spec as SchedulablePodSpec, platformNodes);
        if (c.expect === undefined) {
            expect({ nodes: v.nodes, schedulable: v.schedulable }).toEqual({ nodes: [], schedulable: false });
            expect(v.schedulerMessage).toMatch(c.why!);
            expect(v.schedulerMessage).toMatch(new RegExp(`^0/${platformNodes.length} nodes are available: `));
        } else {
            // no DRA objects here: nodes that offer devices only through DRA are tests/unit/core/dra-*'s
            expect([...v.nodes].sort()).toEqual(
                [c.expect]
                    .flat()
                    .filter((n) => !draOnly.has(n))
                    .sort(),
            );
        }
    });
});
