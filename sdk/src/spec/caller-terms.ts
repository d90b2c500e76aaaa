import { z } from "zod";
import { ValidationError } from "../core/errors";
import { unwrapSpec } from "./kit";

/** How a program names the package's fields: Python's SDK uses snake_case, every other language the schema's names. */
export type NamingStyle = "schema" | "snake_case";

/**
 * Runs `fn`, reporting a ValidationError in the caller's terms: for a Python program,
 * `resources.cpuLimit` is `resources.cpu_limit` and the allowed fields are listed as
 * Python spells them. Map keys (env var names, secret groups, device names) are kept.
 */
export function inCallerTerms<T>(args: z.ZodObject<z.ZodRawShape>, style: NamingStyle, fn: () => T): T {
    try {
        return fn();
    } catch (err) {
        if (!(err instanceof ValidationError) || style === "schema") throw err;
        const { field, renamed } = snakeCasePath(args, err.field);
        let allowed = err.allowed;
        for (const [from, to] of renamed) allowed = allowed.replace(new RegExp(`\\b${from}\\b`, "g"), to);
        throw new ValidationError(field, err.given, allowed);
    }
}

export function snakeCase(name: string): string {
    return name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
}

/**
 * The path with the schema's field names in snake_case, walking the schema so map
 * keys stay as written; `renamed` lists the camelCase fields of the object holding the
 * last field (what "allowed fields" messages name).
 */
export function snakeCasePath(root: z.ZodTypeAny, path: string): { field: string; renamed: [string, string][] } {
    let schema: z.ZodTypeAny | undefined = root;
    let rest = path;
    let out = "";
    let holder: z.ZodObject<z.ZodRawShape> | undefined;
    while (rest.length > 0) {
        const index = /^\[(\d+)\]/.exec(rest);
        const inner: z.ZodTypeAny | undefined = schema ? unwrapSpec(schema).inner : undefined;
        if (index) {
            out += index[0];
            rest = rest.slice(index[0].length);
            schema = inner instanceof z.ZodArray ? inner.element : undefined;
            continue;
        }
        rest = rest.replace(/^\./, "");
        if (inner instanceof z.ZodObject) {
            holder = inner;
            const key = Object.keys(inner.shape)
                .filter((k) => rest === k || rest.startsWith(`${k}.`) || rest.startsWith(`${k}[`))
                .sort((a, b) => b.length - a.length)[0];
            const segment = key ?? /^[^.[]*/.exec(rest)![0];
            out += `${out ? "." : ""}${key ? snakeCase(key) : segment}`;
            rest = rest.slice(segment.length);
            schema = key ? inner.shape[key] : undefined;
        } else {
            // a map key (or a path past the schema): kept as written, up to the next field
            const valueSchema: z.ZodTypeAny | undefined = inner instanceof z.ZodRecord ? inner.valueSchema : undefined;
            const nested = valueSchema && unwrapSpec(valueSchema).inner;
            const segment =
                nested instanceof z.ZodObject || nested instanceof z.ZodRecord || nested instanceof z.ZodArray
                    ? /^[^.[]*/.exec(rest)![0]
                    : rest;
            out += `${out ? "." : ""}${segment}`;
            rest = rest.slice(segment.length);
            schema = valueSchema;
        }
    }
    const renamed = holder
        ? Object.keys(holder.shape)
              .filter((k) => snakeCase(k) !== k)
              .map((k) => [k, snakeCase(k)] as [string, string])
        : [];
    return { field: out, renamed };
}
