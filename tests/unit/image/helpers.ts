import * as path from "path";
import { init, resetInit } from "../../../sdk/src/core/image";
import { errorOf } from "../core/helpers";

/** Repository root: fixture paths in the tests (and in the tag vectors) are relative to it. */
export const REPO_ROOT = path.resolve(__dirname, "../../..");
export const FIX = "tests/fixtures/image";

/** Runs `fn` and returns the ValidationError it throws (fails the test otherwise). */
export const validationError = errorOf;

/**
 * Hooks for a describe block working on the fixtures: run from the repository root
 * (fixture paths are relative to it) with images defaulting to localhost:30000.
 */
export function useImageFixtures(): void {
    const cwd = process.cwd();
    beforeAll(() => process.chdir(REPO_ROOT));
    afterAll(() => process.chdir(cwd));
    beforeEach(() => init({ registry: "localhost:30000" }));
    afterEach(() => resetInit());
}
