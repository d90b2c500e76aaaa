/**
 * Classes of input that used to slip through (issue 8): unknown fields in the
 * accelerator helpers, values of unknown fields in messages, Outputs in plain-only
 * fields, "did you mean", quantities given as strings.
 */
import { AMD, GPU, Gaudi, Neuron, Resources, Secret, TPU } from "../../../sdk/src";
import { HIDDEN, ValidationError } from "../../../sdk/src/core/errors";
import { closest } from "../../../sdk/src/core/suggest";
import { normalizeDevice as toDevice } from "../../../sdk/src/core/devices";
import { argsSchema, checkedLater, parseArgs } from "../../../sdk/src/core/validate";
import { errorOf } from "./helpers";

/** Something that looks like a Pulumi Output to the core (which does not import pulumi). */
const fakeOutput = { __pulumiOutput: true, apply: () => undefined };

describe("unknown fields in the accelerator helpers and Secret are refused (flyte-sdk raises)", () => {
    test.each([
        ["GPU", () => GPU({ device: "A100", quanity: 4 } as never), "gpu.quanity", "quantity"],
        ["TPU", () => TPU({ device: "V5P", partiton: "2x2x1" } as never), "gpu.partiton", "partition"],
        ["Neuron", () => Neuron({ device: "Inf2", quantitiy: 6 } as never), "gpu.quantitiy", "quantity"],
        ["AMD", () => AMD({ device: "MI300X", qty: 8 } as never), "gpu.qty", undefined],
        ["Gaudi", () => Gaudi({ device: "Gaudi1", devices: 2 } as never), "gpu.devices", "device"],
        [
            "a Device literal",
            () => toDevice("resources.gpu", { deviceClass: "GPU", device: "A100", quanity: 4 }),
            "resources.gpu.quanity",
            "quantity",
        ],
        ["Secret", () => new Secret({ key: "k", goup: "g" } as never), "secret.goup", "group"],
    ])("%s", (_, fn, field, suggestion) => {
        const err = errorOf(fn);
        expect(err.field).toBe(field);
        expect(err.message).toContain(`unknown field "${field.split(".").pop()}"`);
        if (suggestion) expect(err.message).toContain(`did you mean "${suggestion}"?`);
    });

    test('GPU({ device: "A100", quanity: 4 }) no longer gives one GPU', () => {
        expect(() => new Resources({ gpu: GPU({ device: "A100", quanity: 4 } as never) })).toThrow(ValidationError);
    });
});

describe("messages never print the value of an unknown field", () => {
    test.each([
        () => new Resources({ cpu: 1, tokn: "s3cr3t-value" } as never),
        () => new Secret({ key: "k", value: "s3cr3t-value" } as never),
        () => GPU({ device: "A100", note: "s3cr3t-value" } as never),
    ])("case %#", (fn) => {
        const err = errorOf(fn);
        expect(err.message).not.toContain("s3cr3t-value");
        expect(err.given).toBe(HIDDEN);
    });
});

describe("an Output where a plain value is needed says which fields must be plain, and why", () => {
    test.each([
        ["cpu", () => new Resources({ cpu: fakeOutput as never }), "resources.cpu"],
        ["gpu count", () => new Resources({ gpu: fakeOutput as never }), "resources.gpu"],
        ["a promise", () => new Resources({ memory: Promise.resolve("1Gi") as never }), "resources.memory"],
    ])("%s", (_, fn, field) => {
        const err = errorOf(fn);
        expect(err.field).toBe(field);
        expect(err.message).toContain("takes a plain value, not a Pulumi Output");
        expect(err.message).toContain("must be known at preview");
        expect(err.message).toContain(`${field}: got a Pulumi Output;`);
    });
});

describe("did you mean", () => {
    test.each([
        ["a100", ["A100", "A10", "H100"], "A100"],
        ["memroy", ["cpu", "memory", "disk"], "memory"],
        ["gke2", ["gke", "eks", "aks"], "gke"],
        ["local", ["global", "run"], undefined],
        ["zzz", ["gke", "eks"], undefined],
    ])("%j among %j -> %j", (given, candidates, expected) => {
        expect(closest(given, candidates)).toBe(expected);
    });

    test("devices: case is not ignored (flyte-sdk's device names are exact), but the right spelling is suggested", () => {
        expect(errorOf(() => GPU({ device: "a100" as never })).message).toContain('did you mean "A100"?');
        expect(errorOf(() => new Resources({ gpu: "a100:2" })).message).toContain('did you mean "A100"?');
        expect(errorOf(() => new Resources({ gpu: "H1000:2" })).message).toContain(
            'unknown device "H1000"; did you mean "H100"?',
        );
    });
});

describe("quantities", () => {
    test("a count given as a string is named as such, never 'got \"4\"; accepts ... 4'", () => {
        const err = errorOf(() => GPU({ device: "A100", quantity: "4" as never }));
        expect(err.message).toBe(
            'gpu.quantity: got "4"; a quantity is a number, not a string: write 4 without quotes (GPU "A100" accepts 1, 2, 3, 4, 5, 6, 7, 8)',
        );
    });
});

describe("runs: cron fields, time zones, suspend, TTLs", () => {
    const { checkRunArgs, cronProblem } =
        require("../../../sdk/src/core/podtemplate/job") as typeof import("../../../sdk/src/core/podtemplate/job");

    test.each([
        "0 3 * * *",
        "*/15 * * * *",
        "0 0 1 JAN,jul *",
        "0 9-17/2 * * MON-FRI",
        "30 2 ? * SUN",
        "@daily",
        "@every 1h",
        "@every 1h30m",
        "@every 90s",
    ])("accepts %j", (schedule) => {
        expect(cronProblem(schedule)).toBeUndefined();
    });

    test.each([
        ["60 * * * *", /minute field "60": values are 0-59/],
        ["0 24 * * *", /hour field "24"/],
        ["0 0 0 * *", /day of month field "0"/],
        ["0 0 1 13 *", /month field "13"/],
        ["0 0 * * 7", /day of week field "7"/],
        ["0 0 * * FOO", /day of week field "FOO"/],
        ["5-1 * * * *", /from low to high/],
        ["*/0 * * * *", /a step is 1 to 59/],
        ["0 3 * *", /five fields/],
        ["TZ=UTC 0 3 * * *", /use the run's timeZone/],
        ["@every", /@every <duration>/],
        ["@fortnightly", /a macro is one of/],
    ])("refuses %j", (schedule, message) => {
        expect(cronProblem(schedule)).toMatch(message);
    });

    test.each([
        [{ schedule: "0 3 * * *", timeZone: "Mars/Olympus" }, "run.timeZone"],
        [{ schedule: "0 3 * * *", timeZone: "Local" }, "run.timeZone"],
        [{ timeZone: "Europe/Paris" }, "run.timeZone"],
        [{ suspend: "yes" }, "run.suspend"],
        [{ ttlSecondsAfterFinished: 2 ** 31 }, "run.ttlSecondsAfterFinished"],
        [{ schedule: "0 60 * * *" }, "run.schedule"],
    ])("%j is refused at %s", (args, field) => {
        expect(errorOf(() => checkRunArgs("run", args as never)).field).toBe(field);
    });

    test("a valid time zone is accepted", () => {
        expect(() =>
            checkRunArgs("run", {
                schedule: "0 3 * * *",
                timeZone: "Europe/Paris",
                suspend: true,
                ttlSecondsAfterFinished: 3600,
            }),
        ).not.toThrow();
    });
});

describe("numbers beyond what Kubernetes stores", () => {
    const { durationSeconds } =
        require("../../../sdk/src/core/duration") as typeof import("../../../sdk/src/core/duration");
    const { normalizeReuse } =
        require("../../../sdk/src/core/policies") as typeof import("../../../sdk/src/core/policies");

    test("a timeout too large for an exact int64 is refused instead of becoming Infinity (JSON null: no deadline)", () => {
        expect(errorOf(() => durationSeconds("timeout", "99999999999999999999d")).field).toBe("timeout");
        expect(errorOf(() => durationSeconds("timeout", 2 ** 60)).field).toBe("timeout");
        expect(durationSeconds("timeout", "365d")).toBe(31_536_000);
    });

    test("replicas and concurrency are int32; GPU counts too", () => {
        expect(errorOf(() => normalizeReuse({ replicas: 2 ** 31 }, "reusable")).field).toBe("reusable.replicas");
        expect(errorOf(() => normalizeReuse({ concurrency: 2 ** 31 }, "reusable")).field).toBe("reusable.concurrency");
        expect(errorOf(() => new Resources({ gpu: 1e21 })).field).toBe("resources.gpu");
    });
});

describe("quantity hints", () => {
    test.each([
        ["16GB", "write 16G (decimal, 10^n) or 16Gi (binary, 2^n)"],
        ["512 Mi", "write 512M (decimal, 10^n) or 512Mi (binary, 2^n)"],
        ["1.5GiB", "write 1.5G (decimal, 10^n) or 1.5Gi (binary, 2^n)"],
    ])("memory %j: %s", (memory, hint) => {
        expect(errorOf(() => new Resources({ memory })).message).toContain(hint);
    });
    test.each([
        ["2 cores", 'a CPU count is just the number: 2 (or "2", or millicores such as "2000m")'],
        ["500 m", "write 500m without a space"],
    ])("cpu %j: %s", (cpu, hint) => {
        expect(errorOf(() => new Resources({ cpu })).message).toContain(hint);
    });
});

describe("base pod templates: wrong shapes are ValidationErrors at their path, Outputs are supported", () => {
    const { renderPodTemplate } = require("../../../sdk/src") as typeof import("../../../sdk/src");
    const { restoreOutputs } =
        require("../../../sdk/src/core/podtemplate/base") as typeof import("../../../sdk/src/core/podtemplate/base");
    const render = (podTemplate: unknown) =>
        renderPodTemplate(
            { name: "e", image: "ghcr.io/acme/app:1", resources: { gpu: "A100:1" }, podTemplate: podTemplate as never },
            { profile: "gke" },
        );

    test.each([
        [{ podSpec: { containers: [null] } }, "podTemplate.podSpec.containers[0]"],
        [{ podSpec: { containers: [{ image: "x" }] } }, "podTemplate.podSpec.containers[0].name"],
        [{ podSpec: { containers: [{ name: "primary", env: "A=1" }] } }, "podTemplate.podSpec.containers[0].env"],
        [{ podSpec: { volumes: 5 } }, "podTemplate.podSpec.volumes"],
        [{ podSpec: { tolerations: "all" } }, "podTemplate.podSpec.tolerations"],
        [{ podSpec: { nodeSelector: { pool: 1 } } }, "podTemplate.podSpec.nodeSelector.pool"],
        [
            {
                podSpec: {
                    affinity: {
                        nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: "x" } },
                    },
                },
            },
            "podTemplate.podSpec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms",
        ],
        [{ spec: "x" }, "podTemplate.spec"],
        [{ labels: "team=ml" }, "podTemplate.labels"],
        [{ labels: { team: "has space" } }, "podTemplate.labels.team"],
        [{ metadata: 5 }, "podTemplate.metadata"],
        [{ primaryContainerName: "Main_Container" }, "podTemplate.primaryContainerName"],
    ])("%j -> %s", (podTemplate, field) => {
        const err = errorOf(() => render(podTemplate));
        expect(err.field).toBe(field);
    });

    test("an Output inside podTemplate (e.g. a service account's name) renders, and comes back where it was", () => {
        const sa = { __pulumiOutput: true, apply: () => undefined };
        const label = { __pulumiOutput: true, apply: () => undefined };
        const t = render({
            podSpec: {
                serviceAccountName: sa,
                containers: [{ name: "primary", env: [{ name: "REGION", value: label }] }],
            },
            labels: { team: label },
        });
        const restored = restoreOutputs(t.template);
        expect(restored.spec.serviceAccountName).toBe(sa);
        expect(restored.metadata!.labels!.team).toBe(label);
        expect(restored.spec.containers[0].env!.find((e) => e.name === "REGION")!.value).toBe(label);
    });
});

describe("node-selector term merging is linear (issue 8)", () => {
    const { mergePod } =
        require("../../../sdk/src/core/podtemplate/merge") as typeof import("../../../sdk/src/core/podtemplate/merge");
    const { EMPTY_PLACEMENT } =
        require("../../../sdk/src/core/placement/types") as typeof import("../../../sdk/src/core/placement/types");

    test("2000 base terms ANDed with two alternatives give 4000 terms, idempotently (this took ~54 s when it was quadratic)", () => {
        const terms = Array.from({ length: 2000 }, (_, i) => ({
            matchExpressions: [{ key: `zone-${i}`, operator: "In" as const, values: ["a"] }],
        }));
        const base = {
            spec: {
                containers: [],
                affinity: {
                    nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } },
                },
            },
        };
        const gpu = (v: string) => [{ key: "gpu", operator: "In" as const, values: [v] }];
        const ours = {
            primaryContainerName: "primary",
            env: [],
            requests: {},
            limits: {},
            volumeMounts: [],
            volumes: [],
            labels: {},
            annotations: {},
            placement: { ...EMPTY_PLACEMENT, terms: [gpu("a100"), gpu("h100")] },
        };
        const merged = mergePod(base as never, ours, "podTemplate");
        const out =
            merged.spec.affinity!.nodeAffinity!.requiredDuringSchedulingIgnoredDuringExecution!.nodeSelectorTerms;
        expect(out).toHaveLength(4000);
        expect(out[1]).toEqual({
            matchExpressions: [
                { key: "zone-0", operator: "In", values: ["a"] },
                { key: "gpu", operator: "In", values: ["h100"] },
            ],
        });
        expect(mergePod(merged, ours, "podTemplate")).toEqual(merged);
    });
});

describe("arguments whose fields are checked later: only the keys are checked, with zod's own errors", () => {
    const schema = argsSchema<{ image?: unknown; profile?: unknown }>()(
        { image: checkedLater<unknown>(), profile: checkedLater<unknown>() },
        "arguments { image?, profile? }",
    );
    test("known keys (any values, undefined too) pass and the arguments come back as given", () => {
        const args = { image: { any: "thing" }, profile: undefined };
        expect(parseArgs(schema, args, "")).toBe(args);
        expect(parseArgs(schema, {}, "")).toEqual({});
    });
    test.each<[string, unknown, string]>([
        ["a misspelled key", { imag: "x" }, 'unknown field "imag"'],
        ["a key every object inherits", { toString: "x" }, 'unknown field "toString"'],
        ["not an object", "x", "expected arguments { image?, profile? }"],
        ["a list", ["x"], "expected arguments { image?, profile? }"],
    ])("%s is refused as before", (_, value, message) => {
        expect(errorOf(() => parseArgs(schema, value, "env")).message).toContain(message);
    });
    test("an unknown key set to undefined counts as not given", () => {
        expect(() => parseArgs(schema, { other: undefined }, "")).not.toThrow();
    });
});
