import * as path from "path";
import { ValidationError } from "../../../sdk/src/core/errors";

/** Repository root: fixture paths in the tests (and in the tag vectors) are relative to it. */
export const REPO_ROOT = path.resolve(__dirname, "../../..");
export const FIX = "tests/fixtures/image";

/** Runs `fn` and returns the ValidationError it throws (fails the test otherwise). */
export function validationError(fn: () => unknown): ValidationError {
    try {
        fn();
    } catch (err) {
        if (err instanceof ValidationError) return err;
        throw err;
    }
    throw new Error("expected a ValidationError, nothing was thrown");
}
