import * as fs from "fs";
import { z } from "zod";
import { imageBuildArgsSchema } from "../../../sdk/src/components/image-build-settings";
import { plannableArgsSchema } from "../../../sdk/src/components/environment-steps";
import { taskRunArgsSchema } from "../../../sdk/src/components/task";
import { Image } from "../../../sdk/src/core/image";
import { podTemplateInputSchema } from "../../../sdk/src/core/podtemplate/merge";
import { cacheSchema, reuseSchema } from "../../../sdk/src/core/policies";
import { resourcesArgsSchema } from "../../../sdk/src/core/resources";
import { secretArgsSchema } from "../../../sdk/src/core/secret";
import { overrideOptionsSchema, taskOptionsSchema } from "../../../sdk/src/core/task-template";
import * as spec from "../../../sdk/src/spec/schema";
import { GENERATED_PATH, generateProviderArgs } from "../../../scripts/gen-provider-args";

const keys = (s: z.ZodObject<z.ZodRawShape>) => Object.keys(s.shape).sort();
const sorted = (...lists: (readonly string[])[]) => [...new Set(lists.flat())].sort();

/**
 * One source of truth: every field of the TypeScript API (its strict zod schemas, the
 * only list of each argument type's fields) has its data-form field and the other way
 * round. Where the data form splits a TypeScript union, the table below
 * says so; any other difference fails here.
 */
describe("the data form covers the TypeScript API, field for field", () => {
    it("TaskEnvironment: image is split into image/imageRef, profile into profile/customProfile; tasks are env.task(); dependsOn and secretStore are the dependsOn resource option", () => {
        expect(keys(spec.TaskEnvironmentArgs)).toEqual(
            sorted(keys(plannableArgsSchema), ["imageRef", "customProfile", "tasks"]),
        );
    });
    it("Resources: cpu/memory pairs are cpu+cpuLimit and memory+memoryLimit; a Device literal is `device`; lists of acceptable accelerators are `gpus` / `devices`", () => {
        expect(keys(spec.Resources)).toEqual(
            sorted(keys(resourcesArgsSchema), ["cpuLimit", "memoryLimit", "device", "gpus", "devices"]),
        );
    });
    it("Task: the name argument of env.task() is `name`; runs are task.run()", () => {
        expect(keys(spec.Task)).toEqual(sorted(keys(taskOptionsSchema), ["name", "runs"]));
    });
    it('TaskOverride: reusable "off" is reusableOff', () => {
        expect(keys(spec.TaskOverride)).toEqual(sorted(keys(overrideOptionsSchema), ["reusableOff"]));
    });
    it("TaskRun: the run name argument is `name`; wait { timeout, logLines } is waitTimeout and waitLogLines", () => {
        expect(keys(spec.TaskRun)).toEqual(sorted(keys(taskRunArgsSchema), ["name", "waitTimeout", "waitLogLines"]));
    });
    it("ImageBuild: the same fields", () => {
        expect(keys(spec.ImageBuildArgs)).toEqual(keys(imageBuildArgsSchema));
    });
    it("Secret and PodTemplate: the same fields", () => {
        expect(keys(spec.Secret)).toEqual(keys(secretArgsSchema));
        expect(keys(spec.PodTemplate)).toEqual(keys(podTemplateInputSchema));
    });
    it("Cache and ReusePolicy: the same fields (replicas [min, max] is replicas + maxReplicas)", () => {
        expect(keys(spec.Cache)).toEqual(keys(cacheSchema.options[1]));
        expect(keys(spec.ReusePolicy)).toEqual(sorted(Object.keys(reuseSchema.shape), ["maxReplicas"]));
    });
    it("Image: a source per from* constructor and a layer per builder method", () => {
        const statics = Object.getOwnPropertyNames(Image).filter((n) => n.startsWith("from"));
        expect(keys(spec.Image)).toEqual(sorted(statics, ["layers", "baseDir", "flyteUri"]));
        const methods = Object.getOwnPropertyNames(Image.prototype).filter(
            (n) => n.startsWith("with") || n === "clone",
        );
        const asLayer = (m: string) => (m === "clone" ? m : m[4].toLowerCase() + m.slice(5));
        expect(keys(spec.ImageLayer)).toEqual(sorted(methods.map(asLayer)));
    });
});

describe("provider/src/args.ts", () => {
    it("is generated from the data-form schemas (run scripts/gen-provider-args.ts after changing them)", () => {
        expect(fs.readFileSync(GENERATED_PATH, "utf8")).toBe(generateProviderArgs());
    });
});
