import { ValidationError } from "../../../sdk/src/core/errors";

/** Runs `fn` and returns the ValidationError it throws (fails if it throws nothing or something else). */
export function errorOf(fn: () => unknown): ValidationError {
    try {
        fn();
    } catch (err) {
        if (err instanceof ValidationError) return err;
        throw err;
    }
    throw new Error("expected a ValidationError");
}

/** `"a", "b"` as our messages list allowed names. */
export const quoted = (names: readonly string[]) => names.map((n) => JSON.stringify(n)).join(", ");
