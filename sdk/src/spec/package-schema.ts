import { z } from "zod";
import { markOf, schemaMemberName, unwrapSpec } from "./kit";
import { COMPONENTS } from "./schema";

/**
 * The Pulumi package schema the data-form zod schemas imply: what
 * `pulumi package get-schema provider` must print for the components' inputs and for
 * every type. The schema comparison test holds the two equal, so a field, a type, an
 * enum value or a description cannot drift between the package and the core.
 */
export interface PackageSchemaFragment {
    resources: Record<string, { inputProperties: Record<string, unknown>; requiredInputs?: string[] }>;
    types: Record<
        string,
        | { type: "object"; properties: Record<string, unknown>; required?: string[]; description?: string }
        | { type: "string"; enum: { name: string; value: string }[]; description?: string }
    >;
}

export function expectedPackageSchema(pkg = "flyte"): PackageSchemaFragment {
    const ctx: SchemaContext = { pkg, out: { resources: {}, types: {} } };
    for (const [name, component] of Object.entries(COMPONENTS)) {
        ctx.out.resources[`${pkg}:index:${name}`] = objectProperties(
            ctx,
            component.args,
            "inputProperties",
            "requiredInputs",
        );
    }
    return ctx.out;
}

/** The package being written: its name, and the types met so far. */
interface SchemaContext {
    pkg: string;
    out: PackageSchemaFragment;
}

/** A field's property in the package schema (named enums and objects become types of the package). */
function property(
    ctx: SchemaContext,
    schema: z.ZodTypeAny,
    plain: boolean,
    description?: string,
): Record<string, unknown> {
    const { pkg, out } = ctx;
    const ref = (name: string) => `#/types/${pkg}:index:${name}`;
    const { inner } = unwrapSpec(schema);
    const m = markOf(inner);
    const withMeta = (p: Record<string, unknown>) => ({
        ...p,
        ...(plain ? { plain: true } : {}),
        ...(description ? { description } : {}),
    });
    if (m.input && inner instanceof z.ZodUnion) return property(ctx, inner.options[0], false, description);
    if (m.any) return { $ref: "pulumi.json#/Any", ...(description ? { description } : {}) };
    if (inner instanceof z.ZodString) return withMeta({ type: "string" });
    if (inner instanceof z.ZodNumber) return withMeta({ type: "number" });
    if (inner instanceof z.ZodBoolean) return withMeta({ type: "boolean" });
    if (inner instanceof z.ZodArray) return withMeta({ type: "array", items: property(ctx, inner.element, true) });
    if (inner instanceof z.ZodRecord)
        return withMeta({ type: "object", additionalProperties: property(ctx, inner.valueSchema, true) });
    if (inner instanceof z.ZodEnum && m.name) {
        out.types[`${pkg}:index:${m.name}`] ??= {
            type: "string",
            enum: (inner.options as string[]).map((value) => ({
                name: schemaMemberName(m.members![value]),
                value,
            })),
            ...(m.doc ? { description: m.doc } : {}),
        };
        return withMeta({ $ref: ref(m.name) });
    }
    if (inner instanceof z.ZodObject && m.name) {
        const token = `${pkg}:index:${m.name}`;
        if (!out.types[token]) {
            out.types[token] = { type: "object", properties: {} };
            out.types[token] = {
                type: "object",
                ...objectProperties(ctx, inner, "properties", "required"),
                ...(m.doc ? { description: m.doc } : {}),
            } as never;
        }
        return withMeta({ $ref: ref(m.name) });
    }
    throw new Error(`no package type for ${inner.constructor.name}`);
}

function objectProperties<P extends string, R extends string>(
    ctx: SchemaContext,
    schema: z.ZodObject<z.ZodRawShape>,
    propsKey: P,
    requiredKey: R,
) {
    const properties: Record<string, unknown> = {};
    const required: string[] = [];
    for (const [key, field] of Object.entries(schema.shape)) {
        const f = field as z.ZodTypeAny;
        const { inner, optional } = unwrapSpec(f);
        properties[key] = property(ctx, f, true, f.description ?? inner.description);
        if (!optional) required.push(key);
    }
    return { [propsKey]: properties, ...(required.length ? { [requiredKey]: required.sort() } : {}) } as Record<
        P,
        Record<string, unknown>
    > &
        Partial<Record<R, string[]>>;
}
