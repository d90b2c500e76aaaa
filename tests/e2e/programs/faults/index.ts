// The program of tests/e2e/faults.test.ts: an image built and pushed to the stack's
// registry (flyte:registry), used by an environment whose run's Job lands on a fake GPU
// node ("build" mode); or, without a build, a run on the real node whose image and
// command the test changes to replace its Job ("runs" mode; the pod stops at once on
// SIGTERM, as a well-behaved task does, so a replaced Job's pod goes within seconds).
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as flyte from "pulumi-flyte";

const config = new pulumi.Config();
const stack = flyte.readStackConfig();
const namespace = new k8s.core.v1.Namespace("namespace", { metadata: { name: stack.namespace } });

if (config.require("mode") === "build") {
    // the tag changes with `variant`; `pip` is the package of the pip step ("pip" is
    // already installed: nothing is downloaded), its token a BuildKit secret
    const image = flyte.Image.fromBase("python:3.11-slim-bookworm")
        .clone({ name: "faults-e2e", registry: stack.registry, extendable: true })
        .withPipPackages({
            packages: [config.get("pip") ?? "pip"],
            secretMounts: [new flyte.Secret({ group: "pypi", key: "token" })],
        })
        .withEnvVars({ FAULTS_VARIANT: config.require("variant") });
    const build = new flyte.ImageBuild("faults-image", {
        image,
        network: stack.buildNetwork,
        secretValues: { PYPI_TOKEN: config.requireSecret("pypiToken") },
    });
    const env = new flyte.TaskEnvironment("faults", {
        image: build,
        namespace: namespace.metadata.name,
        resources: { cpu: "1", memory: "1Gi", gpu: "A100:1" },
    });
    const run = env.task("step").run("once", { command: ["python", "-c", "print('step')"] });
    module.exports = { imageRef: build.ref, built: build.built, jobName: run.jobName };
} else {
    const env = new flyte.TaskEnvironment("runner", {
        image: config.require("runImage"),
        namespace: namespace.metadata.name,
        resources: { cpu: "100m", memory: "64Mi" },
    });
    const run = env.task("work").run("once", {
        command: [
            "python",
            "-c",
            "import signal, sys, time; signal.signal(signal.SIGTERM, lambda *_: sys.exit(0)); print(sys.argv[1], flush=True); time.sleep(600)",
            config.require("variant"),
        ],
    });
    module.exports = { jobName: run.jobName };
}
