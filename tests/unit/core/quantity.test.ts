/**
 * Kubernetes resource quantities. Expected canonical strings were produced with
 * k8s.io/apimachinery v0.37.2 (`resource.ParseQuantity(s)` then `String()` of a
 * freshly computed value, i.e. what kube-apiserver stores for a non-canonical input).
 */
import {
    canonicalCpu,
    canonicalQuantity,
    compareQuantities,
    formatQuantity,
    parseQuantity,
    tryParseQuantity,
} from "../../../sdk/src/core/quantity";
import { errorOf } from "./helpers";

describe("quantity grammar", () => {
    // accepted by both Kubernetes and us
    const accepted = [
        "0",
        "1",
        "+1",
        "-0",
        "0.5",
        ".5",
        "1.",
        "1.G",
        "0100m",
        "123456789",
        "1n",
        "1u",
        "1m",
        "1k",
        "1M",
        "1G",
        "1T",
        "1P",
        "1E",
        "1Ki",
        "1Mi",
        "1Gi",
        "1Ti",
        "1Pi",
        "1Ei",
        "1.5Gi",
        "0.5Ki",
        "1e3",
        "1E3",
        "1e+3",
        "1e-3",
        "1E-3",
        "5e-1",
        "1e18",
        "9223372036854775807",
        "7Ei",
    ];
    test.each(accepted)("accepts %j", (text) => {
        expect(tryParseQuantity(text)).toBeDefined();
        expect(() => canonicalQuantity("resources.memory", text)).not.toThrow();
    });

    // rejected by Kubernetes too
    const rejectedByKubernetes = [
        "",
        " 1",
        "1 ",
        "\t1",
        "1K",
        "1KiB",
        "1Gb",
        "1e",
        "1ki",
        "1mi",
        "1gi",
        "1.2.3",
        "1Ki5",
        "0x10",
        "1_000",
        "abc",
        "Mi",
        "1..",
        "--1",
        "1e+",
        "+-1",
        "1i",
        "1 Gi",
        "1,5",
        "١",
    ];
    test.each(rejectedByKubernetes)("rejects %j", (text) => {
        expect(tryParseQuantity(text)).toBeUndefined();
        const err = errorOf(() => canonicalQuantity("resources.memory", text));
        expect(err.field).toBe("resources.memory");
        expect(err.given).toBe(text);
        expect(err.message).toContain("a Kubernetes quantity such as");
    });

    // Kubernetes accepts these; we reject them on purpose (Flyte gap: Flyte validates nothing)
    const rejectedByUs: [string, string][] = [
        ["-1", "negative"],
        ["-1Gi", "negative"],
        ["-500m", "negative"],
        ["e3", "Kubernetes parses a bare exponent as 0"],
        [".", "Kubernetes parses a lone dot as 0"],
        ["8Ei", "above 2^63-1: the API server caps it to 9223372036854775807"],
        ["1023Ei", "above 2^63-1"],
        ["1000E", 'above 2^63-1: the API server prints it as "1"'],
        ["10E", "above 2^63-1"],
        ["1e19", "above 2^63-1"],
        ["9223372036854775808", "above 2^63-1"],
        ["9.3E", "above 2^63-1"],
        ["1e99", "above 2^63-1"],
        ["1e999999999", "above 2^63-1"],
        ["-0.0000000001", "negative"],
    ];
    test.each(rejectedByUs)("rejects %j (%s)", (text) => {
        expect(tryParseQuantity(text)).toBeUndefined();
        expect(errorOf(() => canonicalQuantity("resources.disk", text)).field).toBe("resources.disk");
    });

    test("a quantity above 2^63-1 says so", () => {
        expect(errorOf(() => canonicalQuantity("resources.disk", "8Ei")).message).toBe(
            'resources.disk: got "8Ei"; a quantity is at most 9223372036854775807 (2^63-1, the largest value Kubernetes stores)',
        );
    });

    test.each([[1024], [null], [undefined], [{}], [["1Gi"]], [true]])(
        "rejects the non-string %j (Flyte: memory=1024 would mean 1024 bytes)",
        (value) => {
            const err = errorOf(() => parseQuantity("resources.memory", value));
            expect(err.field).toBe("resources.memory");
            expect(err.given).toBe(value);
        },
    );

    test("the message names the field, the value and what is allowed", () => {
        expect(errorOf(() => canonicalQuantity("resources.shm", "1GB")).message).toBe(
            'resources.shm: got "1GB"; write 1G (decimal, 10^n) or 1Gi (binary, 2^n): Kubernetes suffixes have no "B" and no space; expected a Kubernetes quantity such as "500m", "2", "512Mi", "4Gi" or "1.5G" ' +
                "(a non-negative number with an optional suffix Ki Mi Gi Ti Pi Ei, n u m k M G T P E, or e<exponent>)",
        );
    });
});

describe("canonical form (what kube-apiserver stores)", () => {
    const table: [string, string][] = [
        ["0.5", "500m"],
        ["1024Mi", "1Gi"],
        ["1.5Gi", "1536Mi"],
        ["2000m", "2"],
        ["12000", "12k"],
        ["1", "1"],
        ["0", "0"],
        ["-0", "0"],
        ["+1", "1"],
        ["1.", "1"],
        ["1.0", "1"],
        ["1.G", "1G"],
        [".5", "500m"],
        ["01", "1"],
        ["0100m", "100m"],
        ["100m", "100m"],
        ["0.1", "100m"],
        ["0.25", "250m"],
        ["1.5", "1500m"],
        ["2.5", "2500m"],
        ["0.001", "1m"],
        ["0.0001", "100u"],
        ["1000n", "1u"],
        ["1000000u", "1"],
        ["0.0000000001", "1n"], // rounded up to the nano, never down to zero
        ["1.5n", "2n"],
        ["0.30000000000000004", "300000001n"],
        ["1000", "1k"],
        ["1000k", "1M"],
        ["1000000", "1M"],
        ["1000M", "1G"],
        ["1000G", "1T"],
        ["1000T", "1P"],
        ["1000P", "1E"],
        ["1000000000000000000", "1E"],
        ["123456789", "123456789"],
        ["128974848", "128974848"],
        ["129e6", "129e6"],
        ["129M", "129M"],
        ["1024", "1024"],
        ["1023", "1023"],
        ["1536", "1536"],
        ["1Ki", "1Ki"],
        ["512Ki", "512Ki"],
        ["1000Ki", "1000Ki"],
        ["2048Ki", "2Mi"],
        ["1048576Ki", "1Gi"],
        ["0.5Ki", "512"], // binary below 1024 prints as decimal
        ["1.5Ki", "1536"],
        ["1.1Ki", "1126400m"], // fractional bytes print as decimal
        ["0.5Mi", "512Ki"],
        ["1.5Mi", "1536Ki"],
        ["0.5Gi", "512Mi"],
        ["123Mi", "123Mi"],
        ["1000Mi", "1000Mi"],
        ["1025Mi", "1025Mi"],
        ["4096Mi", "4Gi"],
        ["64Gi", "64Gi"],
        ["1Ti", "1Ti"],
        ["1024Ti", "1Pi"],
        ["100000Ti", "100000Ti"],
        ["8191Pi", "8191Pi"],
        ["7Ei", "7Ei"],
        ["7.9Ei", "9108079886394091110400m"],
        ["9223372036854775807", "9223372036854775807"],
        ["9223372036854775807000m", "9223372036854775807"],
        ["1e3", "1e3"],
        ["1E3", "1e3"],
        ["1e+3", "1e3"],
        ["2e3", "2e3"],
        ["1.5e3", "1500"],
        ["1e1", "10"],
        ["1e2", "100"],
        ["1e9", "1e9"],
        ["1e18", "1e18"],
        ["1e-1", "100e-3"],
        ["1e-2", "10e-3"],
        ["1e-3", "1e-3"],
        ["1E-3", "1e-3"],
        ["5e-1", "500e-3"],
        ["1e-7", "100e-9"],
        ["1e-9", "1e-9"],
        ["1e-10", "1e-9"],
        ["1e-12", "1e-9"],
        ["1e-70", "1e-9"],
        ["1e-100", "1e-9"],
        ["100000000000000000000000e-70", "1e-9"],
        ["0e99", "0"],
        ["0Ei", "0"],
        ["0.000Ki", "0"],
    ];
    test.each(table)("%j -> %j", (input, canonical) => {
        expect(canonicalQuantity("resources.memory", input)).toBe(canonical);
    });

    test.each(table)("the canonical form of %j is a fixed point", (input) => {
        const once = canonicalQuantity("f", input);
        expect(canonicalQuantity("f", once)).toBe(once);
    });

    test("parse keeps exact nano units and the format", () => {
        expect(tryParseQuantity("1.5Gi")).toEqual({ nanos: 1610612736n * 10n ** 9n, format: "BinarySI" });
        expect(tryParseQuantity("500m")).toEqual({ nanos: 500000000n, format: "DecimalSI" });
        expect(tryParseQuantity("1e3")).toEqual({ nanos: 10n ** 12n, format: "DecimalExponent" });
        expect(tryParseQuantity("1e-12")).toEqual({ nanos: 1n, format: "DecimalExponent" });
        expect(formatQuantity({ nanos: 0n, format: "BinarySI" })).toBe("0");
    });
});

describe("cpu: core counts and quantity strings", () => {
    const numbers: [number, string][] = [
        [0, "0"],
        [-0, "0"],
        [0.5, "500m"],
        [0.25, "250m"],
        [1, "1"],
        [1.5, "1500m"],
        [2, "2"],
        [100, "100"],
        [1000, "1k"],
        [0.001, "1m"],
        [1e-7, "100n"],
        [5e-7, "500n"],
        [1e-10, "1n"], // Kubernetes rounds a tiny request up to 1n; it must not become 0
        [0.1 + 0.2, "300000001n"], // what Kubernetes makes of Flyte's str(0.1 + 0.2)
    ];
    test.each(numbers)("%p cores -> %j", (value, canonical) => {
        expect(canonicalCpu("resources.cpu", value)).toBe(canonical);
    });

    test.each([
        ["500m", "500m"],
        ["2", "2"],
        ["0.5", "500m"],
        ["2000m", "2"],
        ["1e3", "1e3"],
    ])("the string %j -> %j", (value, canonical) => {
        expect(canonicalCpu("resources.cpu", value)).toBe(canonical);
    });

    // Flyte: "cpu must be greater than or equal to 0"; non-numbers are rejected where the field is known
    test.each([[-1], [-0.5], [NaN], [Infinity], [-Infinity], [1e21], [null], [true], [{}], [[1]]])(
        "rejects %p",
        (value) => {
            const err = errorOf(() => canonicalCpu("resources.cpu", value));
            expect(err.field).toBe("resources.cpu");
        },
    );

    test("a negative count says what a core count is", () => {
        expect(errorOf(() => canonicalCpu("resources.cpu", -1)).message).toBe(
            'resources.cpu: got -1; expected a non-negative core count (e.g. 0.5, 2) or a Kubernetes quantity such as "500m", "2", "512Mi", "4Gi" or "1.5G" ' +
                "(a non-negative number with an optional suffix Ki Mi Gi Ti Pi Ei, n u m k M G T P E, or e<exponent>)",
        );
    });
});

describe("compareQuantities", () => {
    const table: [string, string, number][] = [
        ["500m", "1", -1],
        ["1", "1000m", 0],
        ["1Gi", "1024Mi", 0],
        ["1Gi", "1G", 1],
        ["1G", "1Gi", -1],
        ["1e3", "1k", 0],
        ["1n", "0", 1],
        ["1536Mi", "1.5Gi", 0],
    ];
    test.each(table)("compare(%j, %j) = %p", (a, b, expected) => {
        expect(compareQuantities(a, b)).toBe(expected);
    });
});
