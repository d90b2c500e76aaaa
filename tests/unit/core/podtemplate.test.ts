/**
 * PodTemplate rendering and merging: the primary container, env and secret wiring,
 * shared memory, names, merging into Flyte-style and Kubernetes-style base templates,
 * and idempotence (rendering with the previous output as base yields the same object).
 */
import { AMD, Device, GPU, Gaudi, Neuron, TPU } from "../../../sdk/src/core/devices";
import { EnvironmentArgs, normalizeEnvironment } from "../../../sdk/src/core/environment-settings";
import { ValidationError } from "../../../sdk/src/core/errors";
import { checkFlyteName, checkNamespace, kubernetesName } from "../../../sdk/src/core/names";
import { render, renderPodTemplate } from "../../../sdk/src/core/podtemplate/render";
import {
    DEFAULT_SECRET_GROUP,
    SECRET_FILE_MODE,
    kubernetesSecretName,
    wireSecrets,
} from "../../../sdk/src/core/podtemplate/secret-wiring";
import { PodTemplateInput } from "../../../sdk/src/core/podtemplate/kube-types";
import { BUILTIN_PROFILES } from "../../../sdk/src/core/placement/builtin-profiles";
import { MigStrategy } from "../../../sdk/src/core/placement/profile";
import { ProfileInput } from "../../../sdk/src/core/placement/resolve";
import { Secret, SecretArgs } from "../../../sdk/src/core/secret";
import { TaskTemplate } from "../../../sdk/src/core/task-template";
import { errorOf } from "./helpers";

const NVIDIA_TAINT = { key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" };
const MANAGED = { "app.kubernetes.io/managed-by": "pulumi-flyte" };

describe("a full render, exact object (flyte profile)", () => {
    test("environment with resources, env vars, secrets of every kind and shm", () => {
        const pt = renderPodTemplate(
            {
                name: "train_env",
                image: "ghcr.io/org/train:abc",
                resources: { cpu: [1, 2], memory: "4096Mi", disk: "50Gi", shm: "auto", gpu: "A100:2" },
                envVars: { MODE: "fast", "LOG.LEVEL": "info" },
                secrets: [
                    "api-key", // no group: secret "flyte-secrets"
                    { key: "api-key", group: "openai" }, // OPENAI_API_KEY
                    { key: "TOKEN", group: "hf", mount: "/etc/flyte/secrets" },
                    { key: "ca.pem", group: "hf", mount: "/etc/flyte/secrets", asEnvVar: "HF_CA" },
                    { key: "Cert", mount: "/etc/flyte/secrets" },
                ],
            },
            { namespace: "ml" },
        );
        expect(pt).toEqual({
            apiVersion: "v1",
            kind: "PodTemplate",
            metadata: {
                name: "train-env",
                namespace: "ml",
                labels: { ...MANAGED, "pulumi-flyte.io/environment": "train_env" },
            },
            template: {
                metadata: {
                    labels: { ...MANAGED, "pulumi-flyte.io/environment": "train_env" },
                    annotations: { "pulumi-flyte.io/profile": "flyte" },
                },
                spec: {
                    containers: [
                        {
                            name: "primary",
                            image: "ghcr.io/org/train:abc",
                            resources: {
                                requests: {
                                    cpu: "1",
                                    memory: "4Gi",
                                    "ephemeral-storage": "50Gi",
                                    "nvidia.com/gpu": "2",
                                },
                                limits: { cpu: "2", memory: "4Gi", "ephemeral-storage": "50Gi", "nvidia.com/gpu": "2" },
                            },
                            env: [
                                { name: "MODE", value: "fast" },
                                { name: "LOG.LEVEL", value: "info" },
                                {
                                    name: "API_KEY",
                                    valueFrom: { secretKeyRef: { name: "flyte-secrets", key: "api-key" } },
                                },
                                {
                                    name: "OPENAI_API_KEY",
                                    valueFrom: { secretKeyRef: { name: "openai", key: "api-key" } },
                                },
                                { name: "HF_CA", valueFrom: { secretKeyRef: { name: "hf", key: "ca.pem" } } },
                            ],
                            volumeMounts: [
                                { name: "flyte-secret-hf", mountPath: "/etc/flyte/secrets/hf", readOnly: true },
                                {
                                    name: "flyte-secret-flyte-secrets",
                                    mountPath: "/etc/flyte/secrets/cert",
                                    subPath: "cert",
                                    readOnly: true,
                                },
                                { name: "flyte-shm", mountPath: "/dev/shm" },
                            ],
                        },
                    ],
                    volumes: [
                        {
                            name: "flyte-secret-hf",
                            secret: {
                                secretName: "hf",
                                items: [
                                    { key: "TOKEN", path: "token", mode: 288 },
                                    { key: "ca.pem", path: "ca.pem", mode: 288 },
                                ],
                                defaultMode: 288,
                            },
                        },
                        {
                            name: "flyte-secret-flyte-secrets",
                            secret: {
                                secretName: "flyte-secrets",
                                items: [{ key: "Cert", path: "cert", mode: 288 }],
                                defaultMode: 288,
                            },
                        },
                        { name: "flyte-shm", emptyDir: { medium: "Memory" } },
                    ],
                    securityContext: { fsGroup: 1000 },
                    affinity: {
                        nodeAffinity: {
                            requiredDuringSchedulingIgnoredDuringExecution: {
                                nodeSelectorTerms: [
                                    {
                                        matchExpressions: [
                                            {
                                                key: "k8s.amazonaws.com/accelerator",
                                                operator: "In",
                                                values: ["nvidia-tesla-a100"],
                                            },
                                            { key: "k8s.amazonaws.com/gpu-partition-size", operator: "DoesNotExist" },
                                        ],
                                    },
                                ],
                            },
                        },
                    },
                    tolerations: [
                        {
                            key: "k8s.amazonaws.com/accelerator",
                            operator: "Equal",
                            value: "nvidia-tesla-a100",
                            effect: "NoSchedule",
                        },
                    ],
                },
            },
        });
    });

    test("a minimal environment: just the primary container", () => {
        expect(renderPodTemplate({ name: "cpu", image: "python:3.12" })).toEqual({
            apiVersion: "v1",
            kind: "PodTemplate",
            metadata: { name: "cpu", labels: { ...MANAGED, "pulumi-flyte.io/environment": "cpu" } },
            template: {
                metadata: {
                    labels: { ...MANAGED, "pulumi-flyte.io/environment": "cpu" },
                    annotations: { "pulumi-flyte.io/profile": "flyte" },
                },
                spec: { containers: [{ name: "primary", image: "python:3.12" }] },
            },
        });
    });

    test("GKE: interruptible TPU slice, nodeSelector form, host count annotation", () => {
        const pt = renderPodTemplate(
            {
                name: "tpu",
                image: { uri: "us-docker.pkg.dev/p/r/img:1" },
                resources: { gpu: TPU({ device: "V5P", partition: "2x2x2" }) },
                interruptible: true,
            },
            { profile: "gke" },
        );
        expect(pt.template).toEqual({
            metadata: {
                labels: { ...MANAGED, "pulumi-flyte.io/environment": "tpu" },
                annotations: {
                    "pulumi-flyte.io/profile": "gke",
                    "pulumi-flyte.io/interruptible": "true",
                    "pulumi-flyte.io/tpu-hosts": "2",
                },
            },
            spec: {
                containers: [
                    {
                        name: "primary",
                        image: "us-docker.pkg.dev/p/r/img:1",
                        resources: { requests: { "google.com/tpu": "4" }, limits: { "google.com/tpu": "4" } },
                    },
                ],
                nodeSelector: {
                    "cloud.google.com/gke-tpu-accelerator": "tpu-v5p-slice",
                    "cloud.google.com/gke-tpu-topology": "2x2x2",
                    "cloud.google.com/gke-spot": "true",
                },
                tolerations: [
                    { key: "google.com/tpu", operator: "Exists", effect: "NoSchedule" },
                    { key: "cloud.google.com/gke-spot", operator: "Equal", value: "true", effect: "NoSchedule" },
                ],
            },
        });
    });

    test("task settings become annotations (cache, retries, timeout, reuse policy); the queue is Kueue's label", () => {
        const r = render(
            { name: "e", image: "img", cache: "auto", queue: "q", reusable: { replicas: [1, 3], idleTtl: "2m" } },
            { task: { name: "t", retries: 3, timeout: "1h", cache: { behavior: "override", version: "v2" } } },
        );
        expect(r.podTemplate.template.metadata).toEqual({
            labels: {
                ...MANAGED,
                "pulumi-flyte.io/environment": "e",
                "pulumi-flyte.io/task": "t",
                "kueue.x-k8s.io/queue-name": "q",
            },
            annotations: {
                "pulumi-flyte.io/profile": "flyte",
                "pulumi-flyte.io/cache": "override",
                "pulumi-flyte.io/cache-version": "v2",
                "pulumi-flyte.io/retries": "3",
                "pulumi-flyte.io/timeout-seconds": "3600",
                "pulumi-flyte.io/reusable":
                    '{"minReplicas":1,"maxReplicas":3,"idleTtlSeconds":120,"concurrency":1,"scope":"global"}',
            },
        });
        expect(r.settings.retries).toBe(3);
        expect(r.primaryContainerName).toBe("primary");
    });

    test("shm with a size", () => {
        const spec = renderPodTemplate({ name: "e", image: "img", resources: { shm: "16384Mi" } }).template.spec;
        expect(spec.volumes).toEqual([{ name: "flyte-shm", emptyDir: { medium: "Memory", sizeLimit: "16Gi" } }]);
        expect(spec.containers[0].volumeMounts).toEqual([{ name: "flyte-shm", mountPath: "/dev/shm" }]);
    });

    test('without an image, or with "auto", the environment runs Flyte\'s default image (as flyte-sdk)', () => {
        for (const image of [undefined, "auto"]) {
            expect(renderPodTemplate({ name: "e", image }).template.spec.containers[0].image).toBe(
                "ghcr.io/flyteorg/flyte:py3.11-v2.12.1",
            );
        }
    });

    test("a secret's env var may not collide with envVars or another secret", () => {
        const err = errorOf(() =>
            renderPodTemplate({
                name: "e",
                image: "img",
                envVars: { OPENAI_API_KEY: "x" },
                secrets: [{ key: "api-key", group: "openai" }],
            }),
        );
        expect(err.field).toBe("envVars");
        expect(err.given).toBe("OPENAI_API_KEY");
        expect(errorOf(() => renderPodTemplate({ name: "e", image: "img", secrets: ["a-b", "a_b"] })).given).toBe(
            "A_B",
        );
    });

    test("an accelerator the profile cannot place is reported at resources.gpu", () => {
        expect(
            errorOf(() =>
                renderPodTemplate({ name: "e", image: "img", resources: { gpu: "Inf2:1" } }, { profile: "gke" }),
            ).field,
        ).toBe("resources.gpu");
    });
});

describe("secret wiring", () => {
    const wire = (secrets: (string | SecretArgs)[]) =>
        wireSecrets(secrets.map((s) => (typeof s === "string" ? new Secret({ key: s }) : new Secret(s))));

    test("env vars reference the group's Secret by key; groupless secrets use flyte-secrets", () => {
        expect(kubernetesSecretName("openai")).toBe("openai");
        expect(kubernetesSecretName(undefined)).toBe(DEFAULT_SECRET_GROUP);
        expect(DEFAULT_SECRET_GROUP).toBe("flyte-secrets");
        expect(wire(["db-pass", { key: "api-key", group: "openai" }])).toEqual({
            env: [
                { name: "DB_PASS", valueFrom: { secretKeyRef: { name: "flyte-secrets", key: "db-pass" } } },
                { name: "OPENAI_API_KEY", valueFrom: { secretKeyRef: { name: "openai", key: "api-key" } } },
            ],
            volumes: [],
            volumeMounts: [],
        });
    });

    test("files: one volume per group, items mode 0440, mounted at /etc/flyte/secrets/<group>; a repeated key once", () => {
        expect(SECRET_FILE_MODE).toBe(0o440);
        const m = "/etc/flyte/secrets";
        expect(
            wire([
                { key: "a", group: "g1", mount: m },
                { key: "B", group: "g1", mount: m },
                { key: "a", group: "g1", mount: m, asEnvVar: "G1_A" },
                { key: "c", group: "g2", mount: m },
            ]),
        ).toEqual({
            env: [{ name: "G1_A", valueFrom: { secretKeyRef: { name: "g1", key: "a" } } }],
            volumes: [
                {
                    name: "flyte-secret-g1",
                    secret: {
                        secretName: "g1",
                        items: [
                            { key: "a", path: "a", mode: 288 },
                            { key: "B", path: "b", mode: 288 },
                        ],
                        defaultMode: 288,
                    },
                },
                {
                    name: "flyte-secret-g2",
                    secret: { secretName: "g2", items: [{ key: "c", path: "c", mode: 288 }], defaultMode: 288 },
                },
            ],
            volumeMounts: [
                { name: "flyte-secret-g1", mountPath: "/etc/flyte/secrets/g1", readOnly: true },
                { name: "flyte-secret-g2", mountPath: "/etc/flyte/secrets/g2", readOnly: true },
            ],
        });
    });

    test("groupless files sit directly in /etc/flyte/secrets, one subPath mount per key", () => {
        const m = "/etc/flyte/secrets";
        expect(
            wire([
                { key: "X", mount: m },
                { key: "y.pem", mount: m },
            ]),
        ).toEqual({
            env: [],
            volumes: [
                {
                    name: "flyte-secret-flyte-secrets",
                    secret: {
                        secretName: "flyte-secrets",
                        items: [
                            { key: "X", path: "x", mode: 288 },
                            { key: "y.pem", path: "y.pem", mode: 288 },
                        ],
                        defaultMode: 288,
                    },
                },
            ],
            volumeMounts: [
                { name: "flyte-secret-flyte-secrets", mountPath: "/etc/flyte/secrets/x", subPath: "x", readOnly: true },
                {
                    name: "flyte-secret-flyte-secrets",
                    mountPath: "/etc/flyte/secrets/y.pem",
                    subPath: "y.pem",
                    readOnly: true,
                },
            ],
        });
    });

    test("every file lands at the Secret's filePath", () => {
        const secrets = [
            new Secret({ key: "TOKEN", group: "hf", mount: "/etc/flyte/secrets" }),
            new Secret({ key: "Cert", mount: "/etc/flyte/secrets" }),
        ];
        const w = wireSecrets(secrets);
        const paths = w.volumeMounts.flatMap((mount) => {
            const volume = w.volumes.find((v) => v.name === mount.name)!;
            const items = volume.secret!.items!.filter((i) => !mount.subPath || i.path === mount.subPath);
            return items.map((i) => (mount.subPath ? mount.mountPath : `${mount.mountPath}/${i.path}`));
        });
        expect(paths).toEqual(secrets.map((s) => s.filePath));
    });

    test("a long group gets a valid, stable volume name", () => {
        const w = wire([{ key: "k", group: "g".repeat(63), mount: "/etc/flyte/secrets" }]);
        expect(w.volumes[0].name).toBe("flyte-secret-ggggggggggggggggggggggggggggggggggggggggg-26e0d7f1");
        expect(w.volumes[0].secret!.secretName).toBe("g".repeat(63));
    });
});

describe("names", () => {
    test.each([
        [["train_env"], "train-env"],
        [["llm-serve"], "llm-serve"],
        [["env", "task_a"], "env-task-a"],
        [["data_prep", "clean_up_v2"], "data-prep-clean-up-v2"],
        [["a".repeat(63)], "a".repeat(63)],
        [["a".repeat(70)], "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-6bd5e503"],
        [["data_prep_" + "x".repeat(60), "train"], "data-prep-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx-9cee1f2e"],
        // a "-" at the cut is dropped, never doubled
        [["a".repeat(53) + "-b" + "c".repeat(20)], "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-eb395575"],
    ])("kubernetesName(%p) = %j", (parts, expected) => {
        expect(kubernetesName(...parts)).toBe(expected);
    });

    test("long names: valid DNS labels, stable, and no collisions", () => {
        const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
        const seen = new Map<string, string>();
        const prefix = "feature_engineering_pipeline_for_the_recommendation_model";
        for (let i = 0; i < 2000; i++) {
            const env = `${prefix}_${i}`;
            for (const task of ["t", "train_model"]) {
                const name = kubernetesName(env, task);
                expect(name.length).toBeLessThanOrEqual(63);
                expect(name).toMatch(DNS_LABEL);
                expect(kubernetesName(env, task)).toBe(name);
                const key = `${env}/${task}`;
                expect(seen.get(name) ?? key).toBe(key);
                seen.set(name, key);
            }
        }
        expect(seen.size).toBe(4000);
    });

    test("Flyte's name rule: snake_case or kebab-case", () => {
        for (const ok of ["train", "data_prep", "llm-serve", "a1", "1a", "a_b-c", "x".repeat(100)])
            expect(checkFlyteName("name", ok)).toBe(ok);
        for (const bad of ["Train", "data__prep", "-a", "a-", "_a", "a_-b", "", "a b", "a.b", "ä", 5, undefined]) {
            const err = errorOf(() => checkFlyteName("name", bad));
            expect(err.field).toBe("name");
            expect(err.message).toContain("a name is snake_case or kebab-case");
        }
    });

    test("namespaces are DNS-1123 labels", () => {
        for (const ok of ["ml", "team-a", "a".repeat(63)]) expect(checkNamespace("namespace", ok)).toBe(ok);
        for (const bad of ["ML", "team_a", "-a", "a-", "a".repeat(64), "", "a.b"])
            expect(errorOf(() => checkNamespace("namespace", bad)).field).toBe("namespace");
    });

    test("env var names (Kubernetes rule) in envVars", () => {
        for (const ok of ["A", "_x", "a.b", "a-b", "MY_VAR_2", "lower"])
            expect(() => normalizeEnvironment({ name: "e", envVars: { [ok]: "v" } })).not.toThrow();
        for (const bad of ["1A", "A B", "A=B", "ä", ""]) {
            const err = errorOf(() => normalizeEnvironment({ name: "e", envVars: { [bad]: "v" } }));
            expect(err.field).toBe(`envVars.${bad}`);
            expect(err.message).toContain("an environment variable name must match");
        }
        expect(errorOf(() => normalizeEnvironment({ name: "e", envVars: { A: 1 as unknown as string } })).message).toBe(
            "envVars.A: got 1; environment variable values are strings",
        );
    });

    test("a task's template is named <env>-<task> and labelled with the task", () => {
        const r = render({ name: "etl_env", image: "img" }, { task: { name: "load_data" } });
        expect(r.name).toBe("etl-env-load-data");
        expect(r.podTemplate.metadata).toEqual({
            name: "etl-env-load-data",
            labels: { ...MANAGED, "pulumi-flyte.io/environment": "etl_env", "pulumi-flyte.io/task": "load_data" },
        });
    });
});

// ---- merging into a base template --------------------------------------------------------------
const gpuEnv = (podTemplate?: PodTemplateInput, extra: Partial<EnvironmentArgs> = {}): EnvironmentArgs => ({
    name: "e",
    image: "img:1",
    envVars: { A: "new" },
    resources: { gpu: "T4:1", shm: "auto" },
    ...(podTemplate ? { podTemplate } : {}),
    ...extra,
});

describe("merging into a base pod template", () => {
    const flyteStyle: PodTemplateInput = {
        primaryContainerName: "main",
        labels: { team: "ml" },
        annotations: { note: "x" },
        podSpec: {
            containers: [
                { name: "sidecar", image: "envoy" },
                {
                    name: "main",
                    image: "old",
                    env: [
                        { name: "A", value: "old" },
                        { name: "KEEP", value: "k" },
                    ],
                    resources: { requests: { "example.com/foo": "1" } },
                },
            ],
            volumes: [
                { name: "flyte-shm", emptyDir: { medium: "Memory", sizeLimit: "1Gi" } },
                { name: "data", emptyDir: {} },
            ],
            tolerations: [
                NVIDIA_TAINT as never,
                { key: "dedicated", operator: "Equal", value: "ml", effect: "NoSchedule" },
            ],
            affinity: {
                nodeAffinity: {
                    requiredDuringSchedulingIgnoredDuringExecution: {
                        nodeSelectorTerms: [
                            { matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }] },
                            {
                                matchExpressions: [{ key: "zone", operator: "In", values: ["b"] }],
                                matchFields: [{ key: "metadata.name", operator: "NotIn", values: ["bad"] }],
                            },
                        ],
                    },
                    preferredDuringSchedulingIgnoredDuringExecution: [
                        { weight: 1, preference: { matchExpressions: [{ key: "ssd", operator: "Exists" }] } },
                    ],
                },
                podAntiAffinity: { preferred: true },
            },
            serviceAccountName: "runner",
        },
    };

    test("Flyte style: primaryContainerName, requirements ANDed into every term, tolerations deduped, env/volumes replaced by key", () => {
        const t = renderPodTemplate(gpuEnv(flyteStyle), { profile: "flyte" }).template;
        const T4 = { key: "k8s.amazonaws.com/accelerator", operator: "In", values: ["nvidia-tesla-t4"] };
        const NO_PART = { key: "k8s.amazonaws.com/gpu-partition-size", operator: "DoesNotExist" };
        expect(t).toEqual({
            metadata: {
                labels: { team: "ml", ...MANAGED, "pulumi-flyte.io/environment": "e" },
                annotations: { note: "x", "pulumi-flyte.io/profile": "flyte" },
            },
            spec: {
                containers: [
                    { name: "sidecar", image: "envoy" },
                    {
                        name: "main",
                        image: "img:1",
                        env: [
                            { name: "KEEP", value: "k" },
                            { name: "A", value: "new" },
                        ],
                        resources: {
                            requests: { "example.com/foo": "1", "nvidia.com/gpu": "1" },
                            limits: { "nvidia.com/gpu": "1" },
                        },
                        volumeMounts: [{ name: "flyte-shm", mountPath: "/dev/shm" }],
                    },
                ],
                volumes: [
                    { name: "data", emptyDir: {} },
                    { name: "flyte-shm", emptyDir: { medium: "Memory" } },
                ],
                tolerations: [
                    NVIDIA_TAINT,
                    { key: "dedicated", operator: "Equal", value: "ml", effect: "NoSchedule" },
                    {
                        key: "k8s.amazonaws.com/accelerator",
                        operator: "Equal",
                        value: "nvidia-tesla-t4",
                        effect: "NoSchedule",
                    },
                ],
                affinity: {
                    nodeAffinity: {
                        requiredDuringSchedulingIgnoredDuringExecution: {
                            nodeSelectorTerms: [
                                { matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }, T4, NO_PART] },
                                {
                                    matchExpressions: [{ key: "zone", operator: "In", values: ["b"] }, T4, NO_PART],
                                    matchFields: [{ key: "metadata.name", operator: "NotIn", values: ["bad"] }],
                                },
                            ],
                        },
                        preferredDuringSchedulingIgnoredDuringExecution: [
                            { weight: 1, preference: { matchExpressions: [{ key: "ssd", operator: "Exists" }] } },
                        ],
                    },
                    podAntiAffinity: { preferred: true },
                },
                serviceAccountName: "runner",
            },
        });
    });

    test("several alternatives x several base terms: every combination (ORed terms)", () => {
        const terms = renderPodTemplate(gpuEnv(flyteStyle), { profile: "eks" }).template.spec.affinity!.nodeAffinity!
            .requiredDuringSchedulingIgnoredDuringExecution!.nodeSelectorTerms;
        expect(
            terms.map((t) =>
                t.matchExpressions!.map((r) => `${r.key} ${r.operator} ${(r.values ?? []).join(",")}`.trim()),
            ),
        ).toEqual([
            [
                "zone In a",
                "karpenter.k8s.aws/instance-gpu-name In t4",
                "nvidia.com/mig.strategy NotIn single",
                "nvidia.com/gpu.sharing-strategy NotIn time-slicing,mps",
                "karpenter.sh/capacity-type NotIn spot",
            ],
            [
                "zone In a",
                "k8s.amazonaws.com/accelerator In nvidia-tesla-t4",
                "nvidia.com/mig.strategy NotIn single",
                "nvidia.com/gpu.sharing-strategy NotIn time-slicing,mps",
                "karpenter.sh/capacity-type NotIn spot",
            ],
            [
                "zone In b",
                "karpenter.k8s.aws/instance-gpu-name In t4",
                "nvidia.com/mig.strategy NotIn single",
                "nvidia.com/gpu.sharing-strategy NotIn time-slicing,mps",
                "karpenter.sh/capacity-type NotIn spot",
            ],
            [
                "zone In b",
                "k8s.amazonaws.com/accelerator In nvidia-tesla-t4",
                "nvidia.com/mig.strategy NotIn single",
                "nvidia.com/gpu.sharing-strategy NotIn time-slicing,mps",
                "karpenter.sh/capacity-type NotIn spot",
            ],
        ]);
        expect(terms.map((t) => t.matchFields)).toEqual([
            undefined,
            undefined,
            [{ key: "metadata.name", operator: "NotIn", values: ["bad"] }],
            [{ key: "metadata.name", operator: "NotIn", values: ["bad"] }],
        ]);
    });

    test("Kubernetes style { metadata, spec }; a primary container is added first when the base has none", () => {
        const t = renderPodTemplate(
            {
                name: "e",
                image: "img:1",
                podTemplate: {
                    metadata: { labels: { team: "ml" }, annotations: { a: "1" } },
                    spec: {
                        containers: [{ name: "sidecar", image: "envoy" }],
                        nodeSelector: { pool: "ml" },
                        hostNetwork: true,
                    },
                },
            },
            { profile: "gke" },
        ).template;
        expect(t).toEqual({
            metadata: {
                labels: { team: "ml", ...MANAGED, "pulumi-flyte.io/environment": "e" },
                annotations: { a: "1", "pulumi-flyte.io/profile": "gke" },
            },
            spec: {
                containers: [
                    { name: "primary", image: "img:1" },
                    { name: "sidecar", image: "envoy" },
                ],
                nodeSelector: { pool: "ml" },
                hostNetwork: true,
                affinity: {
                    nodeAffinity: {
                        requiredDuringSchedulingIgnoredDuringExecution: {
                            nodeSelectorTerms: [
                                {
                                    matchExpressions: [
                                        { key: "cloud.google.com/gke-spot", operator: "NotIn", values: ["true"] },
                                    ],
                                },
                            ],
                        },
                    },
                },
            },
        });
    });

    test("a base term with only matchFields gets our requirements as matchExpressions", () => {
        const t = renderPodTemplate(
            {
                name: "e",
                image: "img",
                podTemplate: {
                    spec: {
                        affinity: {
                            nodeAffinity: {
                                requiredDuringSchedulingIgnoredDuringExecution: {
                                    nodeSelectorTerms: [
                                        { matchFields: [{ key: "metadata.name", operator: "In", values: ["n1"] }] },
                                    ],
                                },
                            },
                        },
                    },
                },
            },
            { profile: "aks" },
        ).template;
        expect(
            t.spec.affinity!.nodeAffinity!.requiredDuringSchedulingIgnoredDuringExecution!.nodeSelectorTerms,
        ).toEqual([
            {
                matchFields: [{ key: "metadata.name", operator: "In", values: ["n1"] }],
                matchExpressions: [
                    { key: "kubernetes.azure.com/scalesetpriority", operator: "NotIn", values: ["spot"] },
                ],
            },
        ]);
    });

    test("a base nodeSelector that conflicts with the placement is rejected", () => {
        const err = errorOf(() =>
            renderPodTemplate(
                {
                    name: "e",
                    image: "img",
                    resources: { gpu: "A100:1" },
                    podTemplate: { spec: { nodeSelector: { "cloud.google.com/gke-accelerator": "nvidia-l4" } } },
                },
                { profile: "gke" },
            ),
        );
        expect(err.field).toBe("podTemplate.spec.nodeSelector.cloud.google.com/gke-accelerator");
        expect(err.message).toBe(
            'podTemplate.spec.nodeSelector.cloud.google.com/gke-accelerator: got "nvidia-l4"; the base pod template selects cloud.google.com/gke-accelerator=nvidia-l4 but this task needs cloud.google.com/gke-accelerator=nvidia-tesla-a100',
        );
        // the same value is fine
        expect(
            renderPodTemplate(
                {
                    name: "e",
                    image: "img",
                    resources: { gpu: "A100:1" },
                    podTemplate: {
                        spec: { nodeSelector: { "cloud.google.com/gke-accelerator": "nvidia-tesla-a100" } },
                    },
                },
                { profile: "gke" },
            ).template.spec.nodeSelector,
        ).toEqual({ "cloud.google.com/gke-accelerator": "nvidia-tesla-a100" });
    });

    test.each([
        ["two MIG profiles", { "nvidia.com/mig-1g.5gb": "1" }, GPU({ device: "A100", partition: "2g.10gb" }), "mixed"],
        [
            "a whole GPU and a MIG slice",
            { "nvidia.com/gpu": "1" },
            GPU({ device: "A100", partition: "2g.10gb" }),
            "mixed",
        ],
        ["a MIG slice and a whole GPU", { "nvidia.com/mig-1g.5gb": "1" }, GPU({ device: "A100" }), "single"],
    ])("%s in one container is rejected", (_, baseRequests, gpu, migStrategy) => {
        const err = errorOf(() =>
            renderPodTemplate(
                {
                    name: "e",
                    image: "img",
                    resources: { gpu },
                    podTemplate: { spec: { containers: [{ name: "primary", resources: { requests: baseRequests } }] } },
                },
                { profile: "nvidia", migStrategy: migStrategy as MigStrategy },
            ),
        );
        expect(err.field).toBe("podTemplate.spec.containers[0].resources.requests");
        expect(err.message).toContain(
            "one container may request one kind of NVIDIA device: a whole GPU or a single MIG profile, not several",
        );
    });

    test("the same MIG resource in the base is simply replaced", () => {
        const t = renderPodTemplate(
            {
                name: "e",
                image: "img",
                resources: { gpu: GPU({ device: "A100", quantity: 2, partition: "1g.5gb" }) },
                podTemplate: {
                    spec: {
                        containers: [
                            {
                                name: "primary",
                                resources: {
                                    requests: { "nvidia.com/mig-1g.5gb": "1" },
                                    limits: { "nvidia.com/mig-1g.5gb": "1" },
                                },
                            },
                        ],
                    },
                },
            },
            { profile: "nvidia", migStrategy: "mixed" },
        ).template;
        expect(t.spec.containers[0].resources).toEqual({
            requests: { "nvidia.com/mig-1g.5gb": "2" },
            limits: { "nvidia.com/mig-1g.5gb": "2" },
        });
    });

    test.each([
        [
            "podSpec and spec together",
            { podSpec: {}, spec: {} },
            "podTemplate",
            "give either podSpec (Flyte style) or spec (Kubernetes style), not both",
        ],
        [
            "an unknown key",
            { podspec: {} },
            "podTemplate.podspec",
            'unknown field "podspec"; did you mean "podSpec"? allowed fields: primaryContainerName, labels, annotations, podSpec, metadata, spec',
        ],
        [
            "containers not a list",
            { spec: { containers: { name: "x" } } },
            "podTemplate.spec.containers",
            "expected array",
        ],
        ["a template name", "my-template", "podTemplate", "named templates are not supported"],
    ])("rejects a base with %s", (_, podTemplate, field, message) => {
        const err = errorOf(() =>
            renderPodTemplate({ name: "e", image: "img", podTemplate: podTemplate as PodTemplateInput }),
        );
        expect(err.field).toBe(field);
        expect(err.message).toContain(message);
    });

    test("the caller's base template is neither mutated nor frozen", () => {
        const base = JSON.parse(JSON.stringify(flyteStyle));
        const before = JSON.stringify(base);
        renderPodTemplate(gpuEnv(base), { profile: "eks" });
        expect(JSON.stringify(base)).toBe(before);
        expect(Object.isFrozen(base)).toBe(false);
        expect(Object.isFrozen(base.podSpec.containers)).toBe(false);
    });

    test("a task-level podTemplate replaces the environment's", () => {
        const env = normalizeEnvironment({ name: "e", image: "img", podTemplate: { labels: { from: "env" } } });
        const task = new TaskTemplate(env, "t", { podTemplate: { labels: { from: "task" } } });
        expect(render(env, { task }).podTemplate.template.metadata!.labels!.from).toBe("task");
        expect(render(env, { task: new TaskTemplate(env, "u") }).podTemplate.template.metadata!.labels!.from).toBe(
            "env",
        );
        expect(
            errorOf(() => render(env, { task: { name: "t", podTemplate: { podspec: {} } as PodTemplateInput } })).field,
        ).toBe("task.podTemplate.podspec");
    });

    test("a task of another environment is rejected", () => {
        const other = normalizeEnvironment({ name: "other", image: "img" });
        expect(errorOf(() => render({ name: "e", image: "img" }, { task: new TaskTemplate(other, "t") })).message).toBe(
            'task: got "other.t"; belongs to environment "other", not "e"',
        );
    });
});

// ---- idempotence, property style ------------------------------------------------------------
describe("idempotence: rendering with the previous output as base yields an identical object", () => {
    const profiles: [string, ProfileInput][] = [
        ...Object.keys(BUILTIN_PROFILES).map((p) => [p, p as ProfileInput] as [string, ProfileInput]),
        [
            "eks-neuroncore",
            { extends: "eks", name: "eks-neuroncore", neuron: { ...BUILTIN_PROFILES.eks.neuron!, unit: "core" } },
        ],
        ["gke+a10", { extends: "gke", name: "gke-a10", deviceValues: { A10: { gke: ["nvidia-a10"] } } }],
    ];
    const devices: [string, Device | number | string | undefined, MigStrategy[]][] = [
        ["none", undefined, ["single"]],
        ["count", 2, ["single"]],
        ["A100", "A100:1", ["single"]],
        ["A100 80G", "A100_80G:8", ["single"]],
        ["H100", "H100:8", ["single"]],
        ["A10", "A10:1", ["single"]],
        ["T4", "T4:4", ["single"]],
        ["L40s", "L40s:1", ["single"]],
        ["H100 NVL", "H100_NVL:2", ["single"]],
        ["A100 MIG", GPU({ device: "A100", partition: "3g.20gb" }), ["single", "mixed"]],
        ["H200 MIG", GPU({ device: "H200", quantity: 2, partition: "1g.18gb" }), ["single", "mixed"]],
        ["V5P 2x2x1", TPU({ device: "V5P", partition: "2x2x1" }), ["single"]],
        ["V6E 4x4", TPU({ device: "V6E", partition: "4x4" }), ["single"]],
        ["V6E", TPU({ device: "V6E" }), ["single"]],
        ["Trn1", Neuron({ device: "Trn1", quantity: 16 }), ["single"]],
        ["Inf2", Neuron({ device: "Inf2" }), ["single"]],
        ["MI300X", AMD({ device: "MI300X" }), ["single"]],
        ["Gaudi1", Gaudi({ device: "Gaudi1" }), ["single"]],
    ];
    const bases: [string, PodTemplateInput | undefined, string | undefined][] = [
        ["no base", undefined, undefined],
        [
            "flyte style",
            {
                primaryContainerName: "main",
                labels: { team: "ml" },
                podSpec: {
                    containers: [
                        { name: "sidecar", image: "envoy", env: [{ name: "A", value: "s" }] },
                        {
                            name: "main",
                            env: [
                                { name: "KEEP", value: "1" },
                                { name: "A", value: "old" },
                            ],
                        },
                    ],
                    volumes: [{ name: "data", emptyDir: {} }],
                    tolerations: [
                        NVIDIA_TAINT as never,
                        { key: "dedicated", operator: "Equal", value: "ml", effect: "NoSchedule" },
                    ],
                    affinity: {
                        nodeAffinity: {
                            requiredDuringSchedulingIgnoredDuringExecution: {
                                nodeSelectorTerms: [
                                    { matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }] },
                                    { matchExpressions: [{ key: "zone", operator: "In", values: ["b"] }] },
                                ],
                            },
                        },
                    },
                },
            },
            "main",
        ],
        [
            "k8s style",
            {
                metadata: { annotations: { a: "1" } },
                spec: {
                    containers: [
                        {
                            name: "primary",
                            image: "old",
                            resources: { requests: { cpu: "100m", "example.com/fpga": "1" } },
                            volumeMounts: [{ name: "data", mountPath: "/data" }],
                        },
                    ],
                    nodeSelector: { pool: "ml" },
                    volumes: [
                        { name: "data", emptyDir: {} },
                        { name: "flyte-shm", emptyDir: { medium: "Memory", sizeLimit: "64Mi" } },
                    ],
                    affinity: {
                        nodeAffinity: {
                            requiredDuringSchedulingIgnoredDuringExecution: {
                                nodeSelectorTerms: [
                                    { matchFields: [{ key: "metadata.name", operator: "NotIn", values: ["n0"] }] },
                                ],
                            },
                        },
                    },
                },
            },
            undefined,
        ],
        [
            "tolerations only",
            {
                spec: {
                    tolerations: [{ key: "nvidia.com/gpu", operator: "Exists" }],
                    initContainers: [{ name: "init", image: "busybox" }],
                },
            },
            undefined,
        ],
    ];
    const extras: [string, Partial<EnvironmentArgs>][] = [
        ["plain", {}],
        [
            "everything",
            {
                envVars: { A: "new", B: "b" },
                secrets: [
                    "api-key",
                    { key: "token", group: "hf", mount: "/etc/flyte/secrets" },
                    { key: "Cert", mount: "/etc/flyte/secrets" },
                ],
                resources: undefined,
                cache: "auto",
                queue: "gpu-queue",
            },
        ],
    ];

    test("over every profile x device x MIG strategy x interruptible x base x settings", () => {
        let checked = 0;
        const failures: string[] = [];
        for (const [pName, profile] of profiles) {
            for (const [dName, gpu, strategies] of devices) {
                for (const migStrategy of strategies) {
                    for (const interruptible of [false, true]) {
                        for (const [bName, base, primary] of bases) {
                            for (const [xName, extra] of extras) {
                                const resources = {
                                    cpu: [0.5, 2] as [number, number],
                                    memory: "1Gi",
                                    shm: xName === "everything" ? "auto" : "2Gi",
                                    ...(gpu !== undefined ? { gpu } : {}),
                                };
                                const env: EnvironmentArgs = {
                                    name: "prop_env",
                                    image: "img:1",
                                    interruptible,
                                    ...(base ? { podTemplate: base } : {}),
                                    ...extra,
                                    resources,
                                };
                                const label = `${pName} / ${dName} / ${migStrategy} / interruptible=${interruptible} / ${bName} / ${xName}`;
                                let first;
                                try {
                                    first = render(env, { profile, migStrategy });
                                } catch (err) {
                                    if (
                                        err instanceof ValidationError &&
                                        (err.field.startsWith("resources.gpu") || err.field === "migStrategy")
                                    )
                                        continue; // not placeable here
                                    throw err;
                                }
                                const again = render(
                                    {
                                        ...env,
                                        podTemplate: {
                                            ...(primary ? { primaryContainerName: primary } : {}),
                                            ...first.podTemplate.template,
                                        },
                                    },
                                    { profile, migStrategy },
                                );
                                checked++;
                                if (JSON.stringify(again.podTemplate) !== JSON.stringify(first.podTemplate))
                                    failures.push(label);
                                // and a third time, through a task
                                const viaTask = render(
                                    {
                                        ...env,
                                        podTemplate: {
                                            ...(primary ? { primaryContainerName: primary } : {}),
                                            ...first.podTemplate.template,
                                        },
                                    },
                                    { profile, migStrategy, task: { name: "t" } },
                                );
                                if (
                                    JSON.stringify(viaTask.podTemplate.template.spec) !==
                                    JSON.stringify(first.podTemplate.template.spec)
                                )
                                    failures.push(`${label} (task)`);
                            }
                        }
                    }
                }
            }
        }
        expect(failures).toEqual([]);
        expect(checked).toBeGreaterThan(1000);
    });

    test("structural idempotence of one merge: no duplicated requirement, toleration, env var, volume or mount", () => {
        const env = gpuEnv(undefined, {
            secrets: [{ key: "k", group: "g", mount: "/etc/flyte/secrets" }],
            interruptible: true,
        });
        let t = renderPodTemplate(env, { profile: "aks" }).template;
        for (let i = 0; i < 5; i++) t = renderPodTemplate({ ...env, podTemplate: t }, { profile: "aks" }).template;
        const c = t.spec.containers;
        expect(c).toHaveLength(1);
        expect(c[0].env!.map((e) => e.name)).toEqual(["A"]);
        expect(c[0].volumeMounts!.map((m) => m.mountPath)).toEqual(["/etc/flyte/secrets/g", "/dev/shm"]);
        expect(t.spec.volumes!.map((v) => v.name)).toEqual(["flyte-secret-g", "flyte-shm"]);
        expect(t.spec.tolerations).toEqual([
            NVIDIA_TAINT,
            { key: "sku", operator: "Equal", value: "gpu", effect: "NoSchedule" },
            { key: "kubernetes.azure.com/scalesetpriority", operator: "Equal", value: "spot", effect: "NoSchedule" },
        ]);
        expect(t.spec.nodeSelector).toEqual({ "kubernetes.azure.com/scalesetpriority": "spot" });
        expect(
            t.spec.affinity!.nodeAffinity!.requiredDuringSchedulingIgnoredDuringExecution!.nodeSelectorTerms,
        ).toEqual([
            {
                matchExpressions: [
                    { key: "kubernetes.azure.com/accelerator", operator: "In", values: ["nvidia"] },
                    {
                        key: "node.kubernetes.io/instance-type",
                        operator: "In",
                        values: [
                            "Standard_NC4as_T4_v3",
                            "Standard_NC8as_T4_v3",
                            "Standard_NC16as_T4_v3",
                            "Standard_NC64as_T4_v3",
                        ],
                    },
                    { key: "nvidia.com/mig.strategy", operator: "NotIn", values: ["single"] },
                    { key: "nvidia.com/gpu.sharing-strategy", operator: "NotIn", values: ["time-slicing", "mps"] },
                ],
            },
        ]);
    });
});

describe("secret files: shared Secrets and clashing file names", () => {
    const renderSecrets = (secrets: Secret[]) =>
        renderPodTemplate({ name: "s", image: "r/x:1", secrets }, { profile: "flyte" });

    test("a group named like the default group shares its volume with groupless secrets", () => {
        const tpl = renderSecrets([
            new Secret({ key: "token", mount: "/etc/flyte/secrets" }),
            new Secret({ group: "flyte-secrets", key: "other", mount: "/etc/flyte/secrets" }),
        ]);
        expect(tpl.template.spec.volumes).toEqual([
            {
                name: "flyte-secret-flyte-secrets",
                secret: {
                    secretName: "flyte-secrets",
                    items: [
                        { key: "token", path: "token", mode: 288 },
                        { key: "other", path: "other", mode: 288 },
                    ],
                    defaultMode: 288,
                },
            },
        ]);
        expect(tpl.template.spec.containers[0].volumeMounts).toEqual([
            {
                name: "flyte-secret-flyte-secrets",
                mountPath: "/etc/flyte/secrets/token",
                subPath: "token",
                readOnly: true,
            },
            { name: "flyte-secret-flyte-secrets", mountPath: "/etc/flyte/secrets/flyte-secrets", readOnly: true },
        ]);
    });

    test("secret files are group-readable (0440) and the pod's fsGroup is the group of Flyte's non-root user", () => {
        const tpl = renderSecrets([new Secret({ group: "hf", key: "token", mount: "/etc/flyte/secrets" })]);
        expect(tpl.template.spec.volumes![0].secret).toEqual({
            secretName: "hf",
            items: [{ key: "token", path: "token", mode: 0o440 }],
            defaultMode: 0o440,
        });
        expect(tpl.template.spec.securityContext).toEqual({ fsGroup: 1000 });
    });

    test("secrets only as env vars need no fsGroup; a base template's securityContext and fsGroup are kept", () => {
        expect(
            renderSecrets([new Secret({ group: "hf", key: "token" })]).template.spec.securityContext,
        ).toBeUndefined();
        const file = [new Secret({ group: "hf", key: "token", mount: "/etc/flyte/secrets" })];
        const withBase = (securityContext: object) =>
            renderPodTemplate(
                {
                    name: "s",
                    image: "r/x:1",
                    secrets: file,
                    podTemplate: { podSpec: { containers: [], securityContext } },
                },
                { profile: "flyte" },
            ).template.spec.securityContext;
        expect(withBase({ runAsUser: 1001, fsGroup: 2000 })).toEqual({ runAsUser: 1001, fsGroup: 2000 });
        expect(withBase({ runAsNonRoot: true })).toEqual({ runAsNonRoot: true, fsGroup: 1000 });
    });

    test("keys of one group that differ only by case would share a file: rejected", () => {
        const e = errorOf(() =>
            renderSecrets([
                new Secret({ group: "hf", key: "Token", mount: "/etc/flyte/secrets" }),
                new Secret({ group: "hf", key: "token", mount: "/etc/flyte/secrets" }),
            ]),
        );
        expect(e.field).toBe("secrets");
        expect(e.message).toContain('its file would be /etc/flyte/secrets/hf/token, like secret key "Token"');
    });
});
