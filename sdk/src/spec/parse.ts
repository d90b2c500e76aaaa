import { z } from "zod";
import { ValidationError, hideValue } from "../core/errors";
import { parseWith } from "../core/validate";
import { isOutputLike } from "./kit";

/**
 * Structural check of a data-form value (fields, types, enums) with the field named as
 * the caller wrote it. An Output where a plain value is required is named as such:
 * structural settings decide the pods' scheduling and must be known at preview.
 */
/** Fields whose values are secrets: no message shows what is under them. */
const SECRET_FIELD = /(^|\.)(groups|secretValues)(\.|\[|$)|(^|\.)registryCredentials(\.password)?$/;

export function parseSpec<T extends z.ZodTypeAny>(schema: T, value: unknown, field: string): z.output<T> {
    try {
        return parseWith(schema, value, field);
    } catch (err) {
        if (err instanceof ValidationError && SECRET_FIELD.test(err.field)) throw hideValue(err);
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
