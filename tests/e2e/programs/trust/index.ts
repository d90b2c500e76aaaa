// One environment built from its own image, for tests/e2e/registry-trust.test.ts and
// tests/e2e/concurrent-stacks.test.ts: the stack config names the namespace, the
// registry and what makes the image new (`round`); `cpuLimit` is the environment's CPU
// limit and `secretValue` a SecretStore's value (tests/e2e/field-conflicts.test.ts);
// `conflictStats` a file the field-conflict check's counts and times are written to at exit.
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as flyte from "pulumi-flyte";

const config = new pulumi.Config();
const image = flyte.Image.fromBase("python:3.11-slim-bookworm")
    .clone({
        name: config.get("imageName") ?? "trust-e2e",
        registry: flyte.readStackConfig().registry,
        extendable: true,
    })
    .withEnvVars({ TRUST_E2E_ROUND: config.require("round") });
const env = new flyte.TaskEnvironment("app", {
    image,
    resources: { cpu: ["100m", config.get("cpuLimit") ?? "1"], memory: "64Mi" },
});

const secret = config.getSecret("secretValue");
if (secret) new flyte.SecretStore("secrets", { groups: { demo: { token: secret } } });

const statsFile = config.get("conflictStats");
if (statsFile) {
    // not part of the package's API: the module beside its entry point, for the measurement
    const checks = require(path.join(path.dirname(require.resolve("pulumi-flyte")), "components", "field-conflicts"));
    process.on("exit", () => fs.writeFileSync(statsFile, JSON.stringify(checks.fieldConflictListing())));
}

export const uri = image.uri;
export const imageRef = env.imageRef;
export const built = env.imageBuild?.built;
export const podTemplate = env.podTemplateName;
