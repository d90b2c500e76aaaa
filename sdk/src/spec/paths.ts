import { ValidationError } from "../core/errors";

/**
 * Runs `fn`, reporting a ValidationError at the caller's path: the first rule whose
 * `from` prefixes the error's field (at a path boundary) is replaced by its `to`.
 * The data form and the TypeScript API name some things differently (`cpuLimit` is
 * `cpu[1]`, an image layer is a method call); errors must name what the caller wrote.
 */
export function atCallerPaths<T>(rules: readonly PathRule[], fn: () => T, ...more: (readonly PathRule[])[]): T {
    try {
        return fn();
    } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        let out = err;
        for (const stage of [rules, ...more]) {
            const exact = stage.find(([from, , given]) => from === out.field && given !== undefined);
            out = exact
                ? new ValidationError(exact[1], exact[2]!.value, out.allowed)
                : out.at(rebase(out.field, stage));
        }
        throw out;
    }
}

/**
 * `[from, to]`: errors at `from` (or below it) are reported at `to`. With a third
 * element, an error exactly at `from` is reported at `to` with that value as given
 * (the TypeScript form's value, e.g. a [request, limit] pair, is not what the caller wrote).
 */
export type PathRule = readonly [from: string, to: string, given?: { value: unknown }];

export function rebase(field: string, rules: readonly PathRule[]): string {
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
