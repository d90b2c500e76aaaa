/**
 * DRA selectors evaluated as the scheduler's CEL environment
 * (k8s.io/dynamic-resource-allocation/cel) evaluates them: the `device` variable's
 * shape, unknown domains as empty maps, missing attributes as runtime errors,
 * error absorption in && and ||, Kubernetes' Quantity and Semver types, and what
 * the library does not evaluate reported as unsupported.
 */
import { compileSelector } from "../../../sdk/src/core/simulator/dra/cel";
import type { Device } from "../../../sdk/src/core/simulator/dra/dra-objects";

const A100: Device = {
    name: "gpu-0",
    attributes: {
        type: { string: "gpu" },
        productName: { string: "NVIDIA A100-SXM4-80GB" },
        index: { int: 3 },
        migCapable: { bool: true },
        cudaComputeCapability: { version: "8.0.0" },
        driverVersion: { version: "550.54.15" },
        "resource.kubernetes.io/pcieRoot": { string: "pci0000:00" },
    },
    capacity: { memory: { value: "81920Mi" } },
};

const run = (expression: string, device: Device = A100, driver = "gpu.nvidia.com") =>
    compileSelector(expression).evaluate(driver, device);
const value = (matches: boolean) => ({ kind: "value", matches });

describe("the device variable", () => {
    it.each([
        ['device.driver == "gpu.nvidia.com"', true],
        ['device.attributes["gpu.nvidia.com"].type == "gpu"', true],
        ['device.attributes["gpu.nvidia.com"].productName == "NVIDIA A100-SXM4-80GB"', true],
        ['device.attributes["gpu.nvidia.com"].productName in ["NVIDIA A100-SXM4-40GB", "NVIDIA A100-SXM4-80GB"]', true],
        ['device.attributes["gpu.nvidia.com"].index == 3', true],
        ['device.attributes["gpu.nvidia.com"].index < 3.5', true], // cross-type numeric comparison
        ['device.attributes["gpu.nvidia.com"].migCapable', true],
        // a qualified attribute keeps its own domain; unqualified ones are the driver's
        ['device.attributes["resource.kubernetes.io"].pcieRoot == "pci0000:00"', true],
        ["device.allowMultipleAllocations == false", true],
        ['device.attributes["gpu.nvidia.com"].productName.startsWith("NVIDIA A100")', true],
        ['device.attributes["gpu.nvidia.com"].productName.matches("^NVIDIA A100.*80GB$")', true],
        ['device.attributes["gpu.nvidia.com"].productName.lowerAscii().contains("a100")', true],
        ['has(device.attributes["gpu.nvidia.com"].productName)', true],
        ['has(device.attributes["gpu.nvidia.com"].profile)', false],
    ])("%s is %s", (expression, expected) => {
        expect(run(expression)).toEqual(value(expected));
    });

    it("gives an unknown domain as an empty map, which `in` still reports absent", () => {
        expect(run('device.attributes["tpu.google.com"].size() == 0')).toEqual(value(true));
        expect(run('"tpu.google.com" in device.attributes')).toEqual(value(false));
        expect(run('"gpu.nvidia.com" in device.attributes')).toEqual(value(true));
    });

    it("fails at run time on a missing attribute, in cel-go's words", () => {
        expect(run('device.attributes["gpu.nvidia.com"].profile == "1g.10gb"')).toEqual({
            kind: "error",
            message: "no such key: profile",
        });
        expect(run('device.attributes["tpu.google.com"].tpuGen == "v6e"')).toEqual({
            kind: "error",
            message: "no such key: tpuGen",
        });
    });

    it("absorbs errors in && and || either way round (why classes test the driver first)", () => {
        const missing = 'device.attributes["gpu.nvidia.com"].profile == "x"';
        expect(run(`false && ${missing}`)).toEqual(value(false));
        expect(run(`${missing} && false`)).toEqual(value(false));
        expect(run(`true || ${missing}`)).toEqual(value(true));
        expect(run(`${missing} || true`)).toEqual(value(true));
        expect(run(`${missing} && true`).kind).toBe("error");
        const onTpu = run(
            "device.driver == 'gpu.nvidia.com' && device.attributes['gpu.nvidia.com'].type == 'gpu'",
            { name: "accel0", attributes: { tpuGen: { string: "v6e" } } },
            "tpu.google.com",
        );
        expect(onTpu).toEqual(value(false));
    });

    it("rejects a selector that is not a boolean", () => {
        expect(run('device.attributes["gpu.nvidia.com"].productName').kind).toBe("error");
    });
});

describe("Kubernetes' Quantity and Semver", () => {
    it.each([
        ['device.capacity["gpu.nvidia.com"].memory.compareTo(quantity("80Gi")) == 0', true],
        ['device.capacity["gpu.nvidia.com"].memory == quantity("80Gi")', true], // 81920Mi is 80Gi
        ['device.capacity["gpu.nvidia.com"].memory.isGreaterThan(quantity("72Gi"))', true],
        ['device.capacity["gpu.nvidia.com"].memory.isLessThan(quantity("40Gi"))', false],
        ['device.capacity["gpu.nvidia.com"].memory.compareTo(quantity("85899345920")) == 0', true],
        ['device.capacity["gpu.nvidia.com"].memory.sub(quantity("40Gi")) == quantity("40Gi")', true],
        ['device.capacity["gpu.nvidia.com"].memory.add(1).isGreaterThan(quantity("80Gi"))', true],
        ['quantity("1.5").isInteger()', false],
        ['quantity("2k").asInteger() == 2000', true],
        ['quantity("500m").asApproximateFloat() == 0.5', true],
        ['quantity("-1").sign() == -1', true],
        ['isQuantity("80Gi") && !isQuantity("eighty")', true],
        ['device.attributes["gpu.nvidia.com"].cudaComputeCapability.isGreaterThan(semver("7.5.0"))', true],
        ['device.attributes["gpu.nvidia.com"].cudaComputeCapability == semver("8.0.0")', true],
        ['device.attributes["gpu.nvidia.com"].driverVersion.major() == 550', true],
        ['device.attributes["gpu.nvidia.com"].driverVersion.compareTo(semver("550.54.15")) == 0', true],
        ['semver("1.0.0-alpha").isLessThan(semver("1.0.0"))', true],
        ['semver("1.0.0-alpha.1").isLessThan(semver("1.0.0-alpha.beta"))', true],
        ['semver("1.0.0+build.1") == semver("1.0.0+build.2")', true],
        ['semver("v1.2", true) == semver("1.2.0")', true],
        ['isSemver("1.2.3") && !isSemver("v1.2.3") && isSemver("v1.2.3", true)', true],
    ])("%s is %s", (expression, expected) => {
        expect(run(expression)).toEqual(value(expected));
    });

    it("fails on a quantity that does not parse", () => {
        expect(run('quantity("eighty").sign() == 1').kind).toBe("error");
    });
});

describe("what the library does not evaluate", () => {
    it.each([
        'cel.bind(d, device.attributes["gpu.nvidia.com"], d.type == "gpu")',
        'device.attributes["gpu.nvidia.com"].?profile.orValue("none") == "none"',
        "sets.contains([1, 2], [1])",
        "[2, 1].sort() == [1, 2]",
        'device.attributes["gpu.nvidia.com"].productName.find("A1..") == "A100"',
    ])("%s is unsupported, not guessed", (expression) => {
        expect(run(expression).kind).toBe("unsupported");
    });
});
