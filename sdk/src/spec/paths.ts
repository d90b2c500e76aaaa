import { ValidationError } from "../core/errors";

/**
 * Runs `fn`, reporting a ValidationError at the caller's path: the first rule whose
 * `from` prefixes the error's field (at a path boundary) is replaced by its `to`.
 * The data form and the TypeScript API name some things differently (`cpuLimit` is
 * `cpu[1]`, an image layer is a method call); errors must name what the caller wrote.
 */
export function atCallerPaths<T>(rules: readonly (readonly [from: string, to: string])[], fn: () => T, ...more: (readonly (readonly [from: string, to: string])[])[]): T {
    try {
        return fn();
    } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        throw err.at([rules, ...more].reduce((field, stage) => rebase(field, stage), err.field));
    }
}

export function rebase(field: string, rules: readonly (readonly [from: string, to: string])[]): string {
    for (const [from, to] of rules) {
        if (field === from) return to;
        if (from === "") return join(to, field);
        if (field.startsWith(from) && (field[from.length] === "." || field[from.length] === "[")) {
            return join(to, field.slice(from.length).replace(/^\./, ""));
        }
    }
    return field;
}

function join(prefix: string, rest: string): string {
    if (!prefix) return rest;
    if (!rest) return prefix;
    return rest.startsWith("[") ? `${prefix}${rest}` : `${prefix}.${rest}`;
}
