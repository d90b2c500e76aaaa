/**
 * Kubernetes' CEL extension types for DRA selectors, on top of @bufbuild/cel: the
 * `Quantity` library (k8s.io/apiserver/pkg/cel/library/quantity.go) for device
 * capacities and the `Semver` library (semver.go, version 1) for version attributes.
 * The evaluator is @bufbuild/cel's; this file only declares the two types (as
 * protobuf messages holding the canonical text, so `==` compares values) and their
 * functions, with Kubernetes' names and overloads.
 */
import { CelScalar, celFunc, celMethod, objectType } from "@bufbuild/cel";
import type { CelFunc, CelValue } from "@bufbuild/cel";
import { create, createFileRegistry } from "@bufbuild/protobuf";
import type { DescMessage, Message } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import type { ReflectMessage } from "@bufbuild/protobuf/reflect";
import { formatQuantity, tryParseQuantity } from "../../quantity";

const STRING = 9; // FieldDescriptorProto.Type TYPE_STRING
const OPTIONAL = 1; // LABEL_OPTIONAL

/** The registry holding the two value types (the CEL environment resolves messages through it). */
export const K8S_CEL_REGISTRY = createFileRegistry(
    create(FileDescriptorProtoSchema, {
        name: "pulumi_flyte/kubernetes_cel.proto",
        package: "kubernetes",
        syntax: "proto3",
        messageType: ["Quantity", "Semver"].map((name) => ({
            name,
            field: [{ name: "text", number: 1, type: STRING, label: OPTIONAL, jsonName: "text" }],
        })),
    }),
    () => undefined,
);

const QUANTITY_DESC = K8S_CEL_REGISTRY.getMessage("kubernetes.Quantity")!;
const SEMVER_DESC = K8S_CEL_REGISTRY.getMessage("kubernetes.Semver")!;
const QUANTITY = objectType(QUANTITY_DESC);
const SEMVER = objectType(SEMVER_DESC);

function textOf(value: CelValue | ReflectMessage): string {
    const reflected = value as ReflectMessage;
    return String(reflected.get(reflected.desc.fields[0]));
}

// ---------------------------------------------------------------- Quantity

/** A quantity's exact value in nano-units (negative quantities are allowed in CEL). */
function quantityNanos(text: string): bigint {
    const negative = text.startsWith("-");
    const q = tryParseQuantity(negative ? text.slice(1) : text.replace(/^\+/, ""));
    if (!q)
        throw new Error(
            `quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$', got ${text}`,
        );
    return negative ? -q.nanos : q.nanos;
}

/** A CEL Quantity value from a quantity's text (kept canonical: "81920Mi" and "80Gi" are equal). */
export function quantityValue(text: string): Message {
    const nanos = quantityNanos(text);
    const negative = nanos < 0n;
    const canonical = formatQuantity({ nanos: negative ? -nanos : nanos, format: formatOf(text) });
    return create(QUANTITY_DESC as DescMessage, { text: negative ? `-${canonical}` : canonical } as never);
}

function formatOf(text: string): "BinarySI" | "DecimalSI" | "DecimalExponent" {
    if (/[KMGTPE]i$/.test(text)) return "BinarySI";
    if (/[eE][+-]?\d+$/.test(text)) return "DecimalExponent";
    return "DecimalSI";
}

const nanosOf = (v: CelValue | ReflectMessage) => quantityNanos(textOf(v));
const NANO = 1_000_000_000n;
const compare = (a: bigint, b: bigint) => (a < b ? -1n : a > b ? 1n : 0n);

function fromNanos(nanos: bigint, like: CelValue | ReflectMessage): Message {
    const negative = nanos < 0n;
    const text = formatQuantity({ nanos: negative ? -nanos : nanos, format: formatOf(textOf(like)) });
    return create(QUANTITY_DESC as DescMessage, { text: negative ? `-${text}` : text } as never);
}

const QUANTITY_FUNCS: CelFunc[] = [
    celFunc("quantity", [CelScalar.STRING], QUANTITY, (s) => quantityValue(s) as never),
    celFunc("isQuantity", [CelScalar.STRING], CelScalar.BOOL, (s) => {
        try {
            quantityNanos(s);
            return true;
        } catch {
            return false;
        }
    }),
    celMethod("sign", QUANTITY, [], CelScalar.INT, function () {
        return compare(nanosOf(this), 0n);
    }),
    celMethod("isInteger", QUANTITY, [], CelScalar.BOOL, function () {
        const n = nanosOf(this);
        return n % NANO === 0n && n / NANO < 2n ** 63n && n / NANO >= -(2n ** 63n);
    }),
    celMethod("asInteger", QUANTITY, [], CelScalar.INT, function () {
        const n = nanosOf(this);
        if (n % NANO !== 0n || n / NANO >= 2n ** 63n || n / NANO < -(2n ** 63n))
            throw new Error("cannot convert value to integer");
        return n / NANO;
    }),
    celMethod("asApproximateFloat", QUANTITY, [], CelScalar.DOUBLE, function () {
        return Number(nanosOf(this)) / 1e9;
    }),
    celMethod("compareTo", QUANTITY, [QUANTITY], CelScalar.INT, function (other) {
        return compare(nanosOf(this), nanosOf(other));
    }),
    celMethod("isGreaterThan", QUANTITY, [QUANTITY], CelScalar.BOOL, function (other) {
        return nanosOf(this) > nanosOf(other);
    }),
    celMethod("isLessThan", QUANTITY, [QUANTITY], CelScalar.BOOL, function (other) {
        return nanosOf(this) < nanosOf(other);
    }),
    celMethod("add", QUANTITY, [QUANTITY], QUANTITY, function (other) {
        return fromNanos(nanosOf(this) + nanosOf(other), this) as never;
    }),
    celMethod("add", QUANTITY, [CelScalar.INT], QUANTITY, function (n) {
        return fromNanos(nanosOf(this) + n * NANO, this) as never;
    }),
    celMethod("sub", QUANTITY, [QUANTITY], QUANTITY, function (other) {
        return fromNanos(nanosOf(this) - nanosOf(other), this) as never;
    }),
    celMethod("sub", QUANTITY, [CelScalar.INT], QUANTITY, function (n) {
        return fromNanos(nanosOf(this) - n * NANO, this) as never;
    }),
];

// ---------------------------------------------------------------- Semver

interface Semver {
    major: bigint;
    minor: bigint;
    patch: bigint;
    pre: string[];
}

const NUMERIC = /^(0|[1-9]\d*)$/;
const IDENT = /^[0-9A-Za-z-]+$/;

/** Semantic version 2.0.0, as blang/semver parses it (strict: no "v", no leading zeros). */
function parseSemver(text: string): Semver {
    const [main, build] = splitOnce(text, "+");
    if (build !== undefined && (build === "" || !build.split(".").every((p) => IDENT.test(p))))
        throw new Error(`invalid build metadata in ${text}`);
    const [core, pre] = splitOnce(main, "-");
    const parts = core.split(".");
    if (parts.length !== 3 || !parts.every((p) => NUMERIC.test(p))) throw new Error(`invalid semver ${text}`);
    const preParts = pre === undefined ? [] : pre.split(".");
    for (const p of preParts) {
        if (p === "" || !IDENT.test(p) || (/^\d+$/.test(p) && !NUMERIC.test(p)))
            throw new Error(`invalid prerelease in ${text}`);
    }
    return { major: BigInt(parts[0]), minor: BigInt(parts[1]), patch: BigInt(parts[2]), pre: preParts };
}

/** The "normalize" form of semver(): "v" prefix dropped, missing minor/patch filled, leading zeros removed. */
function normalizeSemver(text: string): string {
    let t = text.startsWith("v") ? text.slice(1) : text;
    const [main, rest] = splitFirstOf(t, ["-", "+"]);
    const parts = main.split(".");
    if (parts.length > 3 || parts.some((p) => !/^\d+$/.test(p))) return text;
    while (parts.length < 3) parts.push("0");
    t = parts.map((p) => String(BigInt(p))).join(".") + rest;
    return t;
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
    const i = s.indexOf(sep);
    return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}

function splitFirstOf(s: string, seps: string[]): [string, string] {
    const positions = seps.map((c) => s.indexOf(c)).filter((i) => i >= 0);
    if (!positions.length) return [s, ""];
    const i = Math.min(...positions);
    return [s.slice(0, i), s.slice(i)];
}

function compareSemver(a: Semver, b: Semver): bigint {
    for (const k of ["major", "minor", "patch"] as const) if (a[k] !== b[k]) return a[k] < b[k] ? -1n : 1n;
    if (!a.pre.length || !b.pre.length) return a.pre.length === b.pre.length ? 0n : a.pre.length ? -1n : 1n;
    for (let i = 0; i < Math.min(a.pre.length, b.pre.length); i++) {
        const [x, y] = [a.pre[i], b.pre[i]];
        if (x === y) continue;
        const [xn, yn] = [/^\d+$/.test(x), /^\d+$/.test(y)];
        if (xn && yn) return BigInt(x) < BigInt(y) ? -1n : 1n;
        if (xn !== yn) return xn ? -1n : 1n;
        return x < y ? -1n : 1n;
    }
    return compare(BigInt(a.pre.length), BigInt(b.pre.length));
}

/** A CEL Semver value; build metadata is dropped, as it takes no part in comparisons or equality. */
export function semverValue(text: string): Message {
    parseSemver(text);
    return create(SEMVER_DESC as DescMessage, { text: text.split("+")[0] } as never);
}

const semverOf = (v: CelValue | ReflectMessage) => parseSemver(textOf(v));

function isSemver(text: string, normalize: boolean): boolean {
    try {
        parseSemver(normalize ? normalizeSemver(text) : text);
        return true;
    } catch {
        return false;
    }
}

const SEMVER_FUNCS: CelFunc[] = [
    celFunc("semver", [CelScalar.STRING], SEMVER, (s) => semverValue(s) as never),
    celFunc(
        "semver",
        [CelScalar.STRING, CelScalar.BOOL],
        SEMVER,
        (s, normalize) => semverValue(normalize ? normalizeSemver(s) : s) as never,
    ),
    celFunc("isSemver", [CelScalar.STRING], CelScalar.BOOL, (s) => isSemver(s, false)),
    celFunc("isSemver", [CelScalar.STRING, CelScalar.BOOL], CelScalar.BOOL, (s, normalize) => isSemver(s, normalize)),
    celMethod("major", SEMVER, [], CelScalar.INT, function () {
        return semverOf(this).major;
    }),
    celMethod("minor", SEMVER, [], CelScalar.INT, function () {
        return semverOf(this).minor;
    }),
    celMethod("patch", SEMVER, [], CelScalar.INT, function () {
        return semverOf(this).patch;
    }),
    celMethod("compareTo", SEMVER, [SEMVER], CelScalar.INT, function (other) {
        return compareSemver(semverOf(this), semverOf(other));
    }),
    celMethod("isGreaterThan", SEMVER, [SEMVER], CelScalar.BOOL, function (other) {
        return compareSemver(semverOf(this), semverOf(other)) > 0n;
    }),
    celMethod("isLessThan", SEMVER, [SEMVER], CelScalar.BOOL, function (other) {
        return compareSemver(semverOf(this), semverOf(other)) < 0n;
    }),
];

/** Kubernetes' Quantity and Semver functions, for a @bufbuild/cel environment. */
export const K8S_CEL_FUNCS: readonly CelFunc[] = [...QUANTITY_FUNCS, ...SEMVER_FUNCS];
