/**
 * Resources: every field form, canonical requests/limits, errors naming the field,
 * immutability. Flyte's own checks (flyte-sdk 2.12.1 `Resources.__post_init__`) are ported.
 */
import { GPU } from "../../../sdk/src/core/devices";
import { Resources, ResourcesArgs, normalizeResources as toResources } from "../../../sdk/src/core/resources";
import { errorOf } from "./helpers";

const ALLOWED = "allowed fields: cpu, memory, disk, shm, gpu";

describe("Resources field forms", () => {
    type Row = [string, ResourcesArgs, Record<string, string>, Record<string, string>];
    const table: Row[] = [
        ["nothing", {}, {}, {}],
        ["cpu as a number is request and limit", { cpu: 1 }, { cpu: "1" }, { cpu: "1" }],
        ["fractional cpu", { cpu: 0.5 }, { cpu: "500m" }, { cpu: "500m" }],
        ["cpu as a string", { cpu: "500m" }, { cpu: "500m" }, { cpu: "500m" }],
        ["cpu string canonicalised", { cpu: "2000m" }, { cpu: "2" }, { cpu: "2" }],
        ["cpu pair of numbers", { cpu: [1, 2] }, { cpu: "1" }, { cpu: "2" }],
        ["cpu pair, mixed forms", { cpu: ["500m", 1.5] }, { cpu: "500m" }, { cpu: "1500m" }],
        ["cpu zero", { cpu: 0 }, { cpu: "0" }, { cpu: "0" }],
        ["memory", { memory: "4Gi" }, { memory: "4Gi" }, { memory: "4Gi" }],
        ["memory canonicalised", { memory: "1024Mi" }, { memory: "1Gi" }, { memory: "1Gi" }],
        ["memory pair", { memory: ["1Gi", "4Gi"] }, { memory: "1Gi" }, { memory: "4Gi" }],
        ["memory pair, decimal units", { memory: ["500M", "1G"] }, { memory: "500M" }, { memory: "1G" }],
        [
            "disk is ephemeral-storage",
            { disk: "10Gi" },
            { "ephemeral-storage": "10Gi" },
            { "ephemeral-storage": "10Gi" },
        ],
        ["disk canonicalised", { disk: "1.5Ti" }, { "ephemeral-storage": "1536Gi" }, { "ephemeral-storage": "1536Gi" }],
        [
            "everything",
            { cpu: [1, 4], memory: ["2Gi", "8Gi"], disk: "100Gi", shm: "auto", gpu: "A100:8" },
            { cpu: "1", memory: "2Gi", "ephemeral-storage": "100Gi" },
            { cpu: "4", memory: "8Gi", "ephemeral-storage": "100Gi" },
        ],
    ];
    test.each(table)("%s", (_, args, requests, limits) => {
        const r = new Resources(args);
        expect(r.quantities).toEqual({ requests, limits });
    });

    test("the accelerator is not part of the cpu/memory/disk quantities; it becomes `device`", () => {
        const r = new Resources({ cpu: 2, gpu: "A100:8" });
        expect(r.quantities).toEqual({ requests: { cpu: "2" }, limits: { cpu: "2" } });
        expect(r.device).toEqual({ deviceClass: "GPU", device: "A100", quantity: 8 });
    });

    test.each([
        [undefined, undefined],
        [0, undefined],
        [4, { deviceClass: "GPU", quantity: 4 }],
        ["H100:8", { deviceClass: "GPU", device: "H100", quantity: 8 }],
        ["A100_80G:2", { deviceClass: "GPU", device: "A100_80G", quantity: 2 }],
        ["A100 80G:2", { deviceClass: "GPU", device: "A100_80G", quantity: 2 }],
        [
            GPU({ device: "A100", partition: "1g.5gb" }),
            { deviceClass: "GPU", device: "A100", quantity: 1, partition: "1g.5gb" },
        ],
    ])("gpu %p -> device %p", (gpu, device) => {
        expect(new Resources({ gpu: gpu as ResourcesArgs["gpu"] }).device).toEqual(device);
    });

    test.each([
        ["auto", {}],
        ["1Gi", { sizeLimit: "1Gi" }],
        ["16Gi", { sizeLimit: "16Gi" }],
        ["1024Mi", { sizeLimit: "1Gi" }],
        ["0.5Gi", { sizeLimit: "512Mi" }],
    ])("shm %j -> %p", (shm, sharedMemory) => {
        const r = new Resources({ shm });
        expect(r.sharedMemory).toEqual(sharedMemory);
        expect(r.quantities).toEqual({ requests: {}, limits: {} }); // shm is a volume, not a container resource
    });

    test("no shm means no shared memory volume", () => {
        expect(new Resources({ cpu: 1 }).sharedMemory).toBeUndefined();
    });

    test("equal request and limit in different spellings are accepted", () => {
        expect(new Resources({ cpu: ["500m", 0.5], memory: ["1Gi", "1024Mi"] }).quantities).toEqual({
            requests: { cpu: "500m", memory: "1Gi" },
            limits: { cpu: "500m", memory: "1Gi" },
        });
    });
});

describe("Resources errors", () => {
    type Row = [string, unknown, string, string];
    const table: Row[] = [
        [
            "typo memroy",
            { memroy: "1Gi" },
            "resources.memroy",
            `resources.memroy: unknown field "memroy"; did you mean "memory"? ${ALLOWED}`,
        ],
        [
            "typo gpus",
            { cpu: 1, gpus: 1 },
            "resources.gpus",
            `resources.gpus: unknown field "gpus"; did you mean "gpu"? ${ALLOWED}`,
        ],
        [
            "Flyte snake/abbreviation ephemeral_storage",
            { ephemeral_storage: "1Gi" },
            "resources.ephemeral_storage",
            `resources.ephemeral_storage: unknown field "ephemeral_storage"; ${ALLOWED}`,
        ],
        ["not an object", "2", "resources", 'resources: got "2"; expected { cpu?, memory?, disk?, shm?, gpu? }'],
        ["null", null, "resources", "resources: got null; expected { cpu?, memory?, disk?, shm?, gpu? }"],
        [
            "an array",
            [1, "1Gi"],
            "resources",
            'resources: got [1,"1Gi"]; expected { cpu?, memory?, disk?, shm?, gpu? }',
        ],
        // Flyte: "cpu tuple must have exactly two elements"
        [
            "cpu tuple of one",
            { cpu: [1] },
            "resources.cpu",
            "resources.cpu: got [1]; expected a single value or a [request, limit] pair of exactly two elements",
        ],
        [
            "cpu tuple of three",
            { cpu: [1, 2, 3] },
            "resources.cpu",
            "resources.cpu: got [1,2,3]; expected a single value or a [request, limit] pair of exactly two elements",
        ],
        [
            "empty cpu tuple",
            { cpu: [] },
            "resources.cpu",
            "resources.cpu: got []; expected a single value or a [request, limit] pair of exactly two elements",
        ],
        [
            "memory tuple of three",
            { memory: ["1Gi", "2Gi", "3Gi"] },
            "resources.memory",
            'resources.memory: got ["1Gi","2Gi","3Gi"]; expected a single value or a [request, limit] pair of exactly two elements',
        ],
        // Flyte: "cpu must be greater than or equal to 0", pair halves checked too
        ["negative cpu", { cpu: -1 }, "resources.cpu", ""],
        ["negative cpu request in a pair", { cpu: [-1, 2] }, "resources.cpu[0]", ""],
        ["cpu pair half missing", { cpu: [null, 2] }, "resources.cpu[0]", ""],
        ["cpu as a list in a list", { cpu: [[1], 2] }, "resources.cpu[0]", ""],
        ["cpu garbage string", { cpu: "two" }, "resources.cpu", ""],
        // Flyte: memory must be a string ("memory=1024 would mean 1024 bytes")
        ["memory as a number", { memory: 1024 }, "resources.memory", ""],
        ["memory pair half missing", { memory: [null, "2Gi"] }, "resources.memory[0]", ""],
        ["memory limit invalid", { memory: ["1Gi", "2GB"] }, "resources.memory[1]", ""],
        ["memory with a space", { memory: "4 Gi" }, "resources.memory", ""],
        ["disk as a number", { disk: 10 }, "resources.disk", ""],
        ["disk not a quantity", { disk: "10GB" }, "resources.disk", ""],
        ["shm not a quantity", { shm: "max" }, "resources.shm", ""],
        ["shm as a number", { shm: 1 }, "resources.shm", ""],
        [
            "request above limit (cpu)",
            { cpu: [2, 1] },
            "resources.cpu",
            "resources.cpu: got [2,1]; the request (2) must not exceed the limit (1)",
        ],
        [
            "request above limit (memory)",
            { memory: ["1Gi", "1000Mi"] },
            "resources.memory",
            'resources.memory: got ["1Gi","1000Mi"]; the request (1Gi) must not exceed the limit (1000Mi)',
        ],
        ["request above limit (G vs Gi)", { memory: ["1.1G", "1Gi"] }, "resources.memory", ""],
        // Flyte: gpu int must be >= 0; strings must be accelerator strings; (device, qty) tuples rejected
        ["negative gpu count", { gpu: -1 }, "resources.gpu", ""],
        ["gpu without a quantity", { gpu: "A100" }, "resources.gpu", ""],
        ["gpu unknown device", { gpu: "A100G:1" }, "resources.gpu", ""],
        // a list is acceptable accelerators in order of preference: each entry is checked
        ["gpu list entry", { gpu: ["A100", 1] }, "resources.gpu[0]", ""],
        ["gpu empty list", { gpu: [] }, "resources.gpu", ""],
        ["gpu list of zero", { gpu: ["A100:1", 0] }, "resources.gpu[1]", ""],
        [
            "gpu too many",
            { gpu: "T4:9" },
            "resources.gpu",
            'resources.gpu: got "T4:9"; GPU "T4" accepts a quantity of 1, 2, 3, 4, 5, 6, 7, 8',
        ],
        [
            "gpu literal with a wrong partition",
            { gpu: { deviceClass: "GPU", device: "A100", quantity: 1, partition: "7g.80gb" } },
            "resources.gpu.partition",
            "",
        ],
    ];
    test.each(table)("%s", (_, args, field, message) => {
        const err = errorOf(() => new Resources(args as ResourcesArgs));
        expect(err.field).toBe(field);
        if (message) expect(err.message).toBe(message);
    });

    test("the field prefix follows where the resources sit", () => {
        expect(errorOf(() => new Resources({ memroy: "1Gi" } as ResourcesArgs, "override.resources")).field).toBe(
            "override.resources.memroy",
        );
        expect(
            errorOf(() => toResources({ cpu: [1] } as unknown as ResourcesArgs, "environments[2].resources")).field,
        ).toBe("environments[2].resources.cpu");
    });

    test("an explicitly undefined field is not a typo", () => {
        expect(new Resources({ cpu: 1, memroy: undefined } as ResourcesArgs).quantities.requests).toEqual({ cpu: "1" });
    });
});

describe("Resources immutability", () => {
    test("mutating the caller's arrays after construction changes nothing", () => {
        const cpu: [number, number] = [1, 2];
        const memory: [string, string] = ["1Gi", "2Gi"];
        const r = new Resources({ cpu, memory });
        cpu[0] = 8;
        cpu[1] = 16;
        memory[1] = "64Gi";
        expect(r.cpu).toEqual([1, 2]);
        expect(r.memory).toEqual(["1Gi", "2Gi"]);
        expect(r.quantities).toEqual({ requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "2", memory: "2Gi" } });
        expect(r.with({ disk: "1Gi" }).quantities.limits).toEqual({
            cpu: "2",
            memory: "2Gi",
            "ephemeral-storage": "1Gi",
        });
    });

    test("mutating the caller's device literal after construction changes nothing", () => {
        const gpu = { deviceClass: "GPU" as const, device: "A100", quantity: 1 };
        const r = new Resources({ gpu });
        gpu.quantity = 9;
        gpu.device = "T4";
        expect(r.device).toEqual({ deviceClass: "GPU", device: "A100", quantity: 1 });
        expect(r.gpu).toEqual({ deviceClass: "GPU", device: "A100", quantity: 1 });
        expect(r.with({ cpu: 1 }).device).toEqual({ deviceClass: "GPU", device: "A100", quantity: 1 });
    });

    test("the object, its pairs and its quantities are frozen", () => {
        const r = new Resources({ cpu: [1, 2], memory: "1Gi", shm: "1Gi", gpu: "T4:1" });
        expect(Object.isFrozen(r)).toBe(true);
        expect(Object.isFrozen(r.cpu)).toBe(true);
        expect(Object.isFrozen(r.quantities)).toBe(true);
        expect(Object.isFrozen(r.quantities.requests)).toBe(true);
        expect(Object.isFrozen(r.quantities.limits)).toBe(true);
        expect(Object.isFrozen(r.sharedMemory)).toBe(true);
        expect(Object.isFrozen(r.device)).toBe(true);
        expect(() => {
            (r as { cpu: unknown }).cpu = 4;
        }).toThrow(TypeError);
    });

    test("with() returns a new validated copy; undefined keeps the current value", () => {
        const r = new Resources({ cpu: 1, memory: "1Gi", gpu: "T4:1" });
        const s = r.with({ memory: "2Gi", cpu: undefined });
        expect(s).not.toBe(r);
        expect(s.quantities).toEqual({ requests: { cpu: "1", memory: "2Gi" }, limits: { cpu: "1", memory: "2Gi" } });
        expect(s.device).toEqual({ deviceClass: "GPU", device: "T4", quantity: 1 });
        expect(r.quantities.requests).toEqual({ cpu: "1", memory: "1Gi" });
        expect(errorOf(() => r.with({ memory: "2 Gi" })).field).toBe("resources.memory");
    });

    test("toArgs round-trips and toResources passes an instance through", () => {
        const r = new Resources({ cpu: [1, 2], memory: "1Gi", disk: "1Gi", shm: "auto", gpu: "A100:1" });
        expect(r.toArgs()).toEqual({ cpu: [1, 2], memory: "1Gi", disk: "1Gi", shm: "auto", gpu: "A100:1" });
        expect(new Resources(r as ResourcesArgs).quantities).toEqual(r.quantities);
        expect(toResources(r)).toBe(r);
        expect(toResources(undefined)).toBeUndefined();
        expect(toResources({ cpu: 1 })).toBeInstanceOf(Resources);
    });
});
