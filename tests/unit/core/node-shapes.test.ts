/**
 * Node shapes (core/simulator/node-shapes.ts): nodes equal but for their identity are
 * judged once, and every verdict (which nodes fit, each node's failure and reasons, the
 * groups, the scheduler's message, the placement) is the one node-by-node judging
 * gives: on random clusters and pods, on the platform's nodes with the scheduling
 * table, and for pods that read a node's identity.
 */
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { renderPodTemplate } from "../../../sdk/src/core/podtemplate/render";
import { SchedulablePodSpec, SchedulingNode } from "../../../sdk/src/core/simulator/fit";
import {
    IDENTITY_LABELS,
    groupNodeShapes,
    readsNodeIdentity,
    shapesFor,
} from "../../../sdk/src/core/simulator/node-shapes";
import { declaredPoolNodes, fromKubernetesNode, simulateScheduling } from "../../../sdk/src/core/simulator/simulate";
import { SCHEDULING_CASES, UNSCHEDULABLE_CASES } from "../../fixtures/scheduling-cases";

const node = (name: string, extra: Partial<SchedulingNode> = {}): SchedulingNode => ({
    name,
    labels: { "kubernetes.io/hostname": name },
    taints: [],
    allocatable: { cpu: "8", memory: "32Gi", pods: "110" },
    ...extra,
});

/** Judging by shape and node by node give the same verdict, deeply (every node's failure included). */
function expectSameVerdicts(pod: SchedulablePodSpec, nodes: SchedulingNode[], declared: SchedulingNode[] = []) {
    const shapes = groupNodeShapes(nodes);
    const byShape = simulateScheduling(pod, shapes, { declaredPools: declared });
    const byNode = simulateScheduling(pod, nodes, { declaredPools: declared });
    expect(byShape).toStrictEqual(byNode);
    return { shapes, verdict: byShape };
}

describe("groupNodeShapes", () => {
    test("nodes equal but for their names and hostnames share a shape; anything a filter reads splits them", () => {
        const gpu = { cpu: "96", memory: "680Gi", pods: "110", "nvidia.com/gpu": "8" };
        const taint = { key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" };
        const nodes = [
            node("a-1", {
                labels: { "kubernetes.io/hostname": "a-1", acc: "a100" },
                allocatable: gpu,
                taints: [taint],
            }),
            node("a-2", {
                labels: { acc: "a100", "kubernetes.io/hostname": "a-2" },
                allocatable: gpu,
                taints: [taint],
            }),
            node("a-3", { labels: { "kubernetes.io/hostname": "a-3", acc: "a100" }, allocatable: gpu, taints: [] }),
            node("a-4", {
                labels: { "kubernetes.io/hostname": "a-4", acc: "h100" },
                allocatable: gpu,
                taints: [taint],
            }),
            node("a-5", {
                labels: { "kubernetes.io/hostname": "a-5", acc: "a100" },
                allocatable: { ...gpu, "nvidia.com/gpu": "4" },
                taints: [taint],
            }),
            node("a-6", {
                labels: { "kubernetes.io/hostname": "a-6", acc: "a100" },
                allocatable: gpu,
                taints: [taint],
                unschedulable: true,
            }),
            node("a-7", {
                labels: { "kubernetes.io/hostname": "a-7", acc: "a100" },
                allocatable: gpu,
                taints: [taint],
                pool: "p",
            }),
            node("a-8", {
                labels: { "kubernetes.io/hostname": "a-8", acc: "a100" },
                allocatable: { pods: "110", "nvidia.com/gpu": "8", memory: "680Gi", cpu: "96" },
                taints: [taint],
            }),
        ];
        const shapes = groupNodeShapes(nodes);
        // a-2 and a-8: labels and allocatable in another order are the same shape
        expect(shapes.shapeOf).toEqual([0, 0, 1, 2, 3, 4, 5, 0]);
        expect(shapes.representatives.map((n) => n.name)).toEqual(["a-1", "a-3", "a-4", "a-5", "a-6", "a-7"]);
    });

    test("identity labels: kubernetes.io/hostname, and any label whose value is the node's name", () => {
        expect(IDENTITY_LABELS).toContain("kubernetes.io/hostname");
        const nodes = [
            node("n-1", { labels: { "kubernetes.io/hostname": "n-1", "example.com/instance": "n-1", zone: "a" } }),
            node("n-2", { labels: { "kubernetes.io/hostname": "n-2", "example.com/instance": "n-2", zone: "a" } }),
            node("n-3", { labels: { "kubernetes.io/hostname": "n-3", "example.com/instance": "n-3", zone: "b" } }),
        ];
        const shapes = groupNodeShapes(nodes);
        expect([...shapes.identityLabels].sort()).toEqual(["example.com/instance", "kubernetes.io/hostname"]);
        expect(shapes.shapeOf).toEqual([0, 0, 1]);
    });

    test("a ShapePart (what another filter reads of a node) splits shapes; returning the node's name keeps it alone", () => {
        const nodes = ["n-1", "n-2", "n-3", "n-4"].map((n) => node(n));
        expect(groupNodeShapes(nodes).representatives).toHaveLength(1);
        const devices: Record<string, string> = { "n-1": "2 gpus", "n-2": "2 gpus", "n-3": "4 gpus", "n-4": "2 gpus" };
        expect(groupNodeShapes(nodes, [(n) => devices[n.name]]).shapeOf).toEqual([0, 0, 1, 0]);
        expect(groupNodeShapes(nodes, [(n) => n.name]).shapeOf).toEqual([0, 1, 2, 3]);
    });

    test("no two different nodes' texts collide: values that look like separators stay apart", () => {
        const nodes = [
            node("x", { labels: { a: 'b","c' } }),
            node("y", { labels: { a: "b", c: "" } }),
            node("z", { taints: [{ key: "k", value: "v:NoSchedule", effect: "NoExecute" }] }),
            node("w", { taints: [{ key: "k", value: "v", effect: "NoSchedule" }] }),
        ];
        expect(new Set(groupNodeShapes(nodes).shapeOf).size).toBe(4);
    });
});

describe("readsNodeIdentity", () => {
    const identity = new Set(["kubernetes.io/hostname"]);
    test.each<[string, SchedulablePodSpec, boolean]>([
        ["no selector", {}, false],
        ["a node selector on a pool label", { nodeSelector: { pool: "a" } }, false],
        ["a node selector on the hostname", { nodeSelector: { "kubernetes.io/hostname": "n-1" } }, true],
        [
            "an affinity on the hostname",
            {
                affinity: {
                    nodeAffinity: {
                        requiredDuringSchedulingIgnoredDuringExecution: {
                            nodeSelectorTerms: [
                                {
                                    matchExpressions: [
                                        { key: "kubernetes.io/hostname", operator: "NotIn", values: ["x"] },
                                    ],
                                },
                            ],
                        },
                    },
                },
            },
            true,
        ],
        [
            "matchFields on metadata.name",
            {
                affinity: {
                    nodeAffinity: {
                        requiredDuringSchedulingIgnoredDuringExecution: {
                            nodeSelectorTerms: [
                                { matchFields: [{ key: "metadata.name", operator: "In", values: ["n-1"] }] },
                            ],
                        },
                    },
                },
            },
            true,
        ],
    ])("%s: %s", (_, pod, expected) => {
        expect(readsNodeIdentity(pod, identity)).toBe(expected);
    });

    test("such a pod is judged node by node; others once per shape", () => {
        const nodes = ["n-1", "n-2", "n-3"].map((n) => node(n));
        const shapes = groupNodeShapes(nodes);
        expect(shapesFor(shapes, {})?.representatives.map((n) => n.name)).toEqual(["n-1"]);
        expect(shapesFor(shapes, { nodeSelector: { "kubernetes.io/hostname": "n-2" } })).toBeUndefined();
        // a list of nodes is judged node by node
        expect(shapesFor(nodes, {})).toBeUndefined();
    });
});

describe("simulateScheduling by shape gives the verdicts of node-by-node judging", () => {
    test("pods that read the hostname or the node's name", () => {
        const nodes = ["n-1", "n-2", "n-3"].map((n) => node(n));
        const { verdict } = expectSameVerdicts({ nodeSelector: { "kubernetes.io/hostname": "n-2" } }, nodes);
        expect(verdict.nodes).toEqual(["n-2"]);
        const byField = expectSameVerdicts(
            {
                affinity: {
                    nodeAffinity: {
                        requiredDuringSchedulingIgnoredDuringExecution: {
                            nodeSelectorTerms: [
                                { matchFields: [{ key: "metadata.name", operator: "NotIn", values: ["n-1"] }] },
                            ],
                        },
                    },
                },
            },
            nodes,
        );
        expect(byField.verdict.nodes).toEqual(["n-2", "n-3"]);
    });

    // a small seeded generator: the same clusters and pods on every run
    function random(seed: number) {
        return () => {
            seed = (seed * 1103515245 + 12345) % 2 ** 31;
            return seed / 2 ** 31;
        };
    }

    test("random clusters and pods: every verdict field, node by node", () => {
        const rnd = random(42);
        const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
        const taints = [
            [],
            [{ key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" }],
            [{ key: "google.com/tpu", value: "present", effect: "NoSchedule" }],
            [{ key: "spot", effect: "NoExecute" }],
            [{ key: "spot", effect: "PreferNoSchedule" }],
        ];
        const allocatables = [
            { cpu: "8", memory: "32Gi", pods: "110" },
            { cpu: "96", memory: "680Gi", pods: "110", "nvidia.com/gpu": "8" },
            { cpu: "208", memory: "1872Gi", pods: "110", "nvidia.com/gpu": "8" },
            { cpu: "24", memory: "90Gi", pods: "110", "nvidia.com/gpu": "2" },
            { cpu: "224", memory: "400Gi", pods: "0", "google.com/tpu": "4" },
        ];
        const pools = ["cpu", "a100", "h100", "l4", "tpu"];
        const pods: SchedulablePodSpec[] = [
            { containers: [{ resources: { requests: { cpu: "2", memory: "4Gi" } } }] },
            {
                containers: [{ resources: { requests: { cpu: "8", "nvidia.com/gpu": "1" } } }],
                tolerations: [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }],
            },
            {
                containers: [{ resources: { requests: { cpu: "8", "nvidia.com/gpu": "8" } } }],
                tolerations: [{ key: "nvidia.com/gpu", operator: "Exists" }],
                nodeSelector: { "cloud.google.com/gke-nodepool": "h100" },
            },
            { containers: [{ resources: { requests: { cpu: "500" } } }], tolerations: [{ operator: "Exists" }] },
            {
                containers: [{ resources: { requests: { cpu: "1" } } }],
                affinity: {
                    nodeAffinity: {
                        requiredDuringSchedulingIgnoredDuringExecution: {
                            nodeSelectorTerms: [
                                {
                                    matchExpressions: [
                                        { key: "topology.kubernetes.io/zone", operator: "In", values: ["z-a"] },
                                    ],
                                },
                                { matchExpressions: [{ key: "cloud.google.com/gke-nodepool", operator: "Exists" }] },
                            ],
                        },
                    },
                },
                tolerations: [{ key: "spot", operator: "Exists" }],
            },
            { containers: [{ resources: { requests: { cpu: "1" } } }], nodeSelector: { "kubernetes.io/hostname": "" } },
        ];
        let shared = 0;
        for (let cluster = 0; cluster < 20; cluster++) {
            const size = 1 + Math.floor(rnd() * 60);
            const nodes: SchedulingNode[] = [];
            for (let i = 0; i < size; i++) {
                const name = `c${cluster}-n${i}`;
                const labels: Record<string, string> = {
                    "kubernetes.io/hostname": name,
                    "topology.kubernetes.io/zone": pick(["z-a", "z-b"]),
                };
                // a pool's nodes share taints and allocatable (mostly: some pools are mixed)
                const kind = Math.floor(rnd() * pools.length);
                const pool = rnd() < 0.8 ? pools[kind] : undefined;
                if (pool) labels["cloud.google.com/gke-nodepool"] = pool;
                nodes.push(
                    fromKubernetesNode({
                        metadata: { name, labels },
                        spec: { taints: rnd() < 0.9 ? taints[kind] : pick(taints), unschedulable: rnd() < 0.05 },
                        status: { allocatable: rnd() < 0.9 ? allocatables[kind] : pick(allocatables) },
                    }),
                );
            }
            // the hostname selector of the last pod names a node of this cluster
            pods[5] = { ...pods[5], nodeSelector: { "kubernetes.io/hostname": pick(nodes).name } };
            const declared =
                cluster % 3 === 0
                    ? declaredPoolNodes(
                          [{ name: "h100-spot", labels: { acc: "h100" }, allocatable: { cpu: "208", memory: "1Ti" } }],
                          "flyte:nodePools",
                      )
                    : [];
            for (const pod of pods) expectSameVerdicts(pod, nodes, declared);
            shared += size - groupNodeShapes(nodes).representatives.length;
        }
        // the clusters have nodes that share a shape (else this test proves nothing)
        expect(shared).toBeGreaterThan(200);
    });

    // the platform's nodes (one per shape) and the scheduling table's pods, rendered by profile
    const file = yaml.load(fs.readFileSync(path.join(__dirname, "../../../platform/nodes.yaml"), "utf8")) as any;
    const platformNodes: SchedulingNode[] = file.nodes.flatMap((n: any) =>
        // three of each, as a pool of three nodes
        [1, 2, 3].map((k) =>
            fromKubernetesNode({
                metadata: {
                    name: `${n.name}-${k}`,
                    labels: { ...file.defaults.labels, "kubernetes.io/hostname": `${n.name}-${k}`, ...n.labels },
                },
                spec: { taints: n.taints },
                status: { allocatable: n.allocatable ?? n.capacity },
            }),
        ),
    );

    test.each([...SCHEDULING_CASES, ...UNSCHEDULABLE_CASES])("$name", (c) => {
        const tpl = renderPodTemplate(
            { name: c.name, image: "localhost:30000/probe:1", resources: c.resources, interruptible: c.interruptible },
            { profile: c.profile, migStrategy: c.migStrategy },
        );
        const { shapes } = expectSameVerdicts(tpl.template.spec as SchedulablePodSpec, platformNodes);
        expect(shapes.representatives).toHaveLength(file.nodes.length);
    });
});
