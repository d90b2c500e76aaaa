import { ValidationError } from "../../../sdk/src/core/errors";
import { inCallerTerms, snakeCasePath } from "../../../sdk/src/spec/caller-terms";
import { SecretStoreArgs, TaskEnvironmentArgs } from "../../../sdk/src/spec/schema";
import { errorOf } from "../core/helpers";

/** Python programs spell the package's fields in snake_case; errors must name them that way. */
describe("errors in the caller's terms", () => {
    it.each([
        ["resources.cpuLimit", "resources.cpu_limit"],
        ["tasks[0].runs[1].waitTimeout", "tasks[0].runs[1].wait_timeout"],
        ["tasks[0].runs[0].override.resources.memoryLimit", "tasks[0].runs[0].override.resources.memory_limit"],
        ["image.layers[2].pipPackages.packages[0]", "image.layers[2].pip_packages.packages[0]"],
        ["image.fromDebianBase.python", "image.from_debian_base.python"],
        // map keys are kept as written: env var names, secret ids, device names with spaces
        ["envVars.MY_VAR", "env_vars.MY_VAR"],
        ["imageBuild.secretValues.PYPI_TOKEN", "image_build.secret_values.PYPI_TOKEN"],
        ["customProfile.deviceValues.A100 80G.gke", "custom_profile.device_values.A100 80G.gke"],
        ["resources.memroy", "resources.memroy"],
    ])("%s is %s in Python", (path, python) => {
        expect(snakeCasePath(TaskEnvironmentArgs, path).field).toBe(python);
    });

    it("keeps group and key names of a SecretStore", () => {
        expect(snakeCasePath(SecretStoreArgs, "groups.wandb.api-key.key").field).toBe("groups.wandb.api-key.key");
    });

    it("renames the allowed fields a message lists, for Python only", () => {
        const fail = () => {
            throw new ValidationError(
                "resources.memroy",
                "1Gi",
                'unknown field "memroy"; did you mean "memory"? allowed fields: cpu, cpuLimit, memory, memoryLimit',
            );
        };
        const python = errorOf(() => inCallerTerms(TaskEnvironmentArgs, "snake_case", fail));
        expect(python.message).toBe(
            'resources.memroy: got "1Gi"; unknown field "memroy"; did you mean "memory"? allowed fields: cpu, cpu_limit, memory, memory_limit',
        );
        expect(() => inCallerTerms(TaskEnvironmentArgs, "schema", fail)).toThrow(
            /allowed fields: cpu, cpuLimit, memory, memoryLimit$/,
        );
    });
});
