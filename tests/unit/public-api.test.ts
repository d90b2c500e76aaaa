/**
 * The package root exports what programs use, not internals or test hooks (issue 11);
 * scripts/list-exports.ts lists the whole API.
 */
import * as root from "../../sdk/src";
import { GPU, Image, Resources, Secret, TaskEnvironment, ValidationError, renderPodTemplate } from "../../sdk/src";

describe("the package root", () => {
    it("exports the components, the model and the pure renderer", () => {
        for (const value of [GPU, Image, Resources, Secret, TaskEnvironment, ValidationError, renderPodTemplate])
            expect(typeof value).toBe("function");
    });

    it.each([
        "resetInit",
        "computeTag",
        "PatternMatcher",
        "render",
        "jobSpec",
        "normalizeEnvironment",
        "resolveProfile",
        "renderDockerfile",
        "TaskTemplate",
    ])("does not export the internal %s", (name) => {
        expect(Object.keys(root)).not.toContain(name);
    });

    it("helpers report errors at the path a program gives them, not a parameter of theirs", () => {
        expect(() => GPU({ device: "A200" as never })).toThrow(/^gpu\.device: /);
        expect(() => new Resources({ cpu: "x" })).toThrow(/^resources\.cpu: /);
    });
});
