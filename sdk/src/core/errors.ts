/**
 * The single error type for every invalid input. `field` is the dotted path of
 * the offending value (e.g. `resources.gpu`, `secrets[1].group`), so a user can
 * find it in their program; the message says what was given and what is allowed.
 */
export class ValidationError extends Error {
    readonly field: string;
    readonly given: unknown;
    /** What is allowed (the message after "got ...;"). */
    readonly allowed: string;

    constructor(field: string, given: unknown, allowed: string) {
        super(`${field || "(root)"}: got ${describe(given)}; ${allowed}`);
        this.name = "ValidationError";
        this.field = field;
        this.given = given;
        this.allowed = allowed;
        Object.setPrototypeOf(this, ValidationError.prototype);
    }

    /** The same error reported at another path (e.g. the path in a caller's own terms). */
    at(field: string): ValidationError {
        return field === this.field ? this : new ValidationError(field, this.given, this.allowed);
    }
}

/** Joins a parent path and a child key: `join("a", 0)` -> `a[0]`, `join("a", "b")` -> `a.b`. */
export function joinPath(parent: string, key: string | number): string {
    if (typeof key === "number") return `${parent}[${key}]`;
    return parent ? `${parent}.${key}` : key;
}

/** A short, single-line rendering of a value for error messages. */
export function describe(value: unknown): string {
    if (value === undefined) return "undefined";
    if (typeof value === "string") return JSON.stringify(value);
    if (typeof value === "function") return "a function";
    if (typeof value === "number") return String(value); // JSON would print NaN and Infinity as null
    try {
        const text = JSON.stringify(value);
        if (text === undefined) return String(value);
        return text.length > 120 ? `${text.slice(0, 117)}...` : text;
    } catch {
        return String(value);
    }
}
