import { ValidationError } from "./errors";

/**
 * Kubernetes resource quantities (k8s.io/apimachinery/pkg/api/resource):
 *   <number><suffix>, suffix one of Ki Mi Gi Ti Pi Ei | m "" k M G T P E | e<int> E<int>
 * We parse to an exact value in nano-units (BigInt, rounded up like Kubernetes) and
 * print the canonical form the API server stores, so a PodTemplate read back from
 * the cluster equals what we rendered.
 */
export type QuantityFormat = "BinarySI" | "DecimalSI" | "DecimalExponent";

export interface Quantity {
    /** Value in units of 1e-9 (rounded up). */
    readonly nanos: bigint;
    readonly format: QuantityFormat;
}

const GRAMMAR = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;
const BINARY: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const DECIMAL_SUFFIX: Record<number, string> = {
    [-9]: "n",
    [-6]: "u",
    [-3]: "m",
    0: "",
    3: "k",
    6: "M",
    9: "G",
    12: "T",
    15: "P",
    18: "E",
};
const NANO = 10n ** 9n;
/**
 * Largest quantity Kubernetes represents (int64 base units). Above it the API server
 * silently caps binary quantities (8Ei -> 9223372036854775807) and mis-prints decimal
 * ones (1000E -> 1), so the stored value would differ from what we rendered.
 */
const MAX_NANOS = (2n ** 63n - 1n) * NANO;

export const QUANTITY_HELP =
    'a Kubernetes quantity such as "500m", "2", "512Mi", "4Gi" or "1.5G" (a non-negative number with an optional suffix Ki Mi Gi Ti Pi Ei, n u m k M G T P E, or e<exponent>)';

/** Parses a quantity; returns undefined when the text is not valid Kubernetes quantity syntax, is negative, or exceeds 2^63-1. */
export function tryParseQuantity(text: string): Quantity | undefined {
    const parsed = parse(text);
    return typeof parsed === "string" ? undefined : parsed;
}

function parse(text: string): Quantity | "syntax" | "negative" | "too large" {
    const match = GRAMMAR.exec(text);
    if (!match) return "syntax";
    const [, sign, number, suffix = ""] = match;
    const [intPart, fracPart = ""] = number.split(".");
    const digits = BigInt((intPart || "0") + fracPart);
    let scaleExp = -fracPart.length; // value = digits * 10^scaleExp * multiplier
    let numerator: bigint;
    let format: QuantityFormat;
    if (suffix in BINARY) {
        numerator = digits * 1024n ** BigInt(BINARY[suffix]);
        format = "BinarySI";
    } else if (suffix in DECIMAL) {
        numerator = digits;
        scaleExp += DECIMAL[suffix];
        format = "DecimalSI";
    } else {
        numerator = digits;
        scaleExp += Number(suffix.slice(1));
        format = "DecimalExponent";
    }
    // to nano units, rounding up as Kubernetes does
    const shift = scaleExp + 9;
    let nanos: bigint;
    if (numerator === 0n) {
        nanos = 0n;
    } else if (shift > 60) {
        return "too large"; // >= 1e51 nanos, far beyond 2^63-1 (and avoids huge powers)
    } else if (shift >= 0) {
        nanos = numerator * 10n ** BigInt(shift);
    } else if (-shift > numerator.toString().length) {
        nanos = 1n; // below one nano: rounds up to 1n
    } else {
        const div = 10n ** BigInt(-shift);
        nanos = numerator / div + (numerator % div === 0n ? 0n : 1n);
    }
    if (sign === "-" && nanos !== 0n) return "negative";
    if (nanos > MAX_NANOS) return "too large";
    return { nanos, format };
}

/**
 * What a person probably meant by a quantity Kubernetes rejects ("16GB", "2 cores",
 * "512 Mi", "1.5gi"), as the first words of the error; "" when nothing fits.
 */
export function quantityHint(text: string): string {
    const t = text.trim();
    const bytes = /^(\d+(?:\.\d+)?)\s*([kKmMgGtTpPeE])(i?)[bB]?$/.exec(t);
    if (bytes && (t.includes(" ") || /[bB]$/.test(t) || /[a-z]i?$/.test(bytes[2] + bytes[3]) || bytes[2] === "K")) {
        const [, n, unit, i] = bytes;
        const u = unit.toUpperCase();
        const decimal = u === "K" ? "k" : u;
        if (unit === "m" && !i && !/[bB]$/.test(t)) return `write ${n}m without a space (millicores); `;
        return `write ${n}${decimal} (decimal, 10^n) or ${n}${u}i (binary, 2^n): Kubernetes suffixes have no "B" and no space; `;
    }
    const cores = /^(\d+(?:\.\d+)?)\s*(cores?|cpus?|vcpus?)$/i.exec(t);
    if (cores)
        return `a CPU count is just the number: ${cores[1]} (or "${cores[1]}", or millicores such as "${Math.round(Number(cores[1]) * 1000)}m"); `;
    return "";
}

/** Parses or throws a ValidationError naming the field. */
export function parseQuantity(field: string, value: unknown): Quantity {
    if (typeof value !== "string") throw new ValidationError(field, value, `expected ${QUANTITY_HELP}`);
    const parsed = parse(value);
    if (parsed === "too large")
        throw new ValidationError(
            field,
            value,
            `a quantity is at most ${MAX_NANOS / NANO} (2^63-1, the largest value Kubernetes stores)`,
        );
    if (parsed === "negative")
        throw new ValidationError(field, value, `a quantity is not negative; expected ${QUANTITY_HELP}`);
    if (typeof parsed === "string")
        throw new ValidationError(field, value, `${quantityHint(value)}expected ${QUANTITY_HELP}`);
    return parsed;
}

/** The canonical string Kubernetes stores for a quantity (resource.Quantity.String()). */
export function formatQuantity(q: Quantity): string {
    let format = q.format;
    if (format === "BinarySI") {
        // Kubernetes prints small or fractional binary quantities in decimal form.
        if (q.nanos < 1024n * NANO || q.nanos % NANO !== 0n) format = "DecimalSI";
    }
    if (format === "BinarySI") {
        let value = q.nanos / NANO;
        let power = 0;
        while (power < 6 && value % 1024n === 0n) {
            value /= 1024n;
            power += 1;
        }
        const suffix = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"][power];
        return `${value}${suffix}`;
    }
    if (q.nanos === 0n) return "0";
    // largest exponent (multiple of 3, from -9) whose mantissa is an integer
    let mantissa = q.nanos;
    let exponent = -9;
    while (mantissa % 1000n === 0n && exponent < 18) {
        mantissa /= 1000n;
        exponent += 3;
    }
    if (format === "DecimalExponent") return exponent === 0 ? `${mantissa}` : `${mantissa}e${exponent}`;
    return `${mantissa}${DECIMAL_SUFFIX[exponent]}`;
}

/** Validates and canonicalises a quantity string. */
export function canonicalQuantity(field: string, value: unknown): string {
    return formatQuantity(parseQuantity(field, value));
}

/** CPU accepts a non-negative core count as well as a quantity string. */
export function canonicalCpu(field: string, value: unknown): string {
    if (typeof value === "number") {
        if (!Number.isFinite(value) || value < 0) {
            throw new ValidationError(
                field,
                value,
                `expected a non-negative core count (e.g. 0.5, 2) or ${QUANTITY_HELP}`,
            );
        }
        // String(1e-7) is "1e-7": parse that (rounding up to 1n like Kubernetes; toFixed(9)
        // rounded 1e-10 down to 0) and print a core count in decimal SI form.
        return formatQuantity({ nanos: parseQuantity(field, String(value)).nanos, format: "DecimalSI" });
    }
    if (typeof value === "string") return canonicalQuantity(field, value);
    throw new ValidationError(field, value, `expected a non-negative core count (e.g. 0.5, 2) or ${QUANTITY_HELP}`);
}

export function compareQuantities(a: string, b: string): number {
    const x = tryParseQuantity(a)!.nanos;
    const y = tryParseQuantity(b)!.nanos;
    return x < y ? -1 : x > y ? 1 : 0;
}
