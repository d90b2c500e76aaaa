/**
 * Classes of input that used to slip through (issue 8): unknown fields in the
 * accelerator helpers, values of unknown fields in messages, Outputs in plain-only
 * fields, "did you mean", quantities given as strings.
 */
import { AMD, GPU, Gaudi, Neuron, Resources, Secret, TPU } from "../../../sdk/src";
import { HIDDEN, ValidationError } from "../../../sdk/src/core/errors";
import { closest } from "../../../sdk/src/core/suggest";
import { toDevice } from "../../../sdk/src/core/devices";
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
        ["a Device literal", () => toDevice("resources.gpu", { deviceClass: "GPU", device: "A100", quanity: 4 }), "resources.gpu.quanity", "quantity"],
        ["Secret", () => new Secret({ key: "k", goup: "g" } as never), "secret.goup", "group"],
    ])("%s", (_, fn, field, suggestion) => {
        const err = errorOf(fn);
        expect(err.field).toBe(field);
        expect(err.message).toContain(`unknown field "${field.split(".").pop()}"`);
        if (suggestion) expect(err.message).toContain(`did you mean "${suggestion}"?`);
    });

    test("GPU({ device: \"A100\", quanity: 4 }) no longer gives one GPU", () => {
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
        expect(errorOf(() => new Resources({ gpu: "H1000:2" })).message).toContain('unknown device "H1000"; did you mean "H100"?');
    });
});

describe("quantities", () => {
    test("a count given as a string is named as such, never 'got \"4\"; accepts ... 4'", () => {
        const err = errorOf(() => GPU({ device: "A100", quantity: "4" as never }));
        expect(err.message).toBe('gpu.quantity: got "4"; a quantity is a number, not a string: write 4 without quotes (GPU "A100" accepts 1, 2, 3, 4, 5, 6, 7, 8)');
    });
});
