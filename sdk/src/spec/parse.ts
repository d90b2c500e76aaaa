import { z } from "zod";
import { Redacted, ValidationError } from "../core/errors";
import { redactSecrets, secretPaths } from "../core/secret-fields";
import { parseWith } from "../core/validate";
import { isOutputLike } from "./kit";

/**
 * Structural check of a data-form value (fields, types, enums) with the field named as
 * the caller wrote it. An Output where a plain value is required is named as such:
 * structural settings decide the pods' scheduling and must be known at preview.
 */
export function parseSpec<T extends z.ZodTypeAny>(schema: T, value: unknown, field: string): z.output<T> {
    try {
        // a value at, under or around a secret field (`secret(...)` in ./schema.ts) is never shown
        return redactSecrets(
            () => secretPaths(schema, field),
            () => parseWith(schema, value, field),
        );
    } catch (err) {
        if (err instanceof ValidationError && err.given instanceof Redacted) throw err;
        if (err instanceof ValidationError && isOutputLike(err.given)) {
            throw new ValidationError(
                err.field,
                "an Output (a value known only after other resources are created)",
                "this field must be a plain value known at preview, because it decides what is rendered and where the pods are scheduled; only image references, namespaces and secret values accept Outputs",
            );
        }
        throw err;
    }
}
