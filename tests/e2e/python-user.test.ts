/**
 * The Python quickstart deployed as a Flyte user deploys it: examples/python-quickstart
 * (workflows.py, a module written only with flyte-sdk: a MIG slice on gke, a TPU slice,
 * an Inferentia device on eks, a shared GPU, secrets, a pip image with a build-time secret,
 * a cron trigger) in a project of its own whose fresh virtualenv is set up by exactly the
 * README's commands (not the toolchain's environment). `pulumi up` pushes the image at the
 * URI flyte-sdk computes, stores the PodTemplates the TypeScript API renders for the same
 * environments, the real kube-scheduler puts each on its node, and the smoke task runs on
 * the real node; a field the companion cannot deploy fails the preview naming it; a second
 * preview shows no change. The companion's cost is written to timings.json (not asserted).
 */
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { execFileSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { KubeClient, kubeClient, probeScheduling, waitFor } from "../../scripts/lib/kube-client";
import { pythonQuickstartTemplates } from "../fixtures/python-quickstart";
import { NOTHING, expectTemplatesStored, objectCount, outputsOf, registryDigest, stepCollector } from "./helpers";
import { taskReport } from "./task-report";
import { REPO, freshWorkDir, requireEnv, workspaceEnv } from "./workspace";

jest.setTimeout(45 * 60_000);

const WORK = path.join(REPO, ".work", "e2e-python-user");
const PROJECT = path.join(WORK, "project");
const NAMESPACE = "flyte-e2e-pyuser";
const PASSPHRASE = "pulumi-flyte-e2e-pyuser";
const SECRETS = { wandbApiKey: "wandb-pyuser-6d1f0b8e2a4c9735", pypiToken: "pypi-pyuser-2c7e5a9d13f0b486" };
const ENV = workspaceEnv(WORK, { PULUMI_FLYTE_BUILD_WORKDIR: path.join(WORK, "build") }, PASSPHRASE);

let kube: KubeClient;
let stack: Stack;
const logs: string[] = [];
const log = (s: string) => logs.push(s);
const timings: Record<string, number[]> = {};
const timed = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    try {
        return await f();
    } finally {
        (timings[name] ??= []).push((Date.now() - t0) / 1000);
    }
};

/** The README's install commands (between its python-user-install markers), as written there. */
function readmeInstallCommands(): string {
    const readme = fs.readFileSync(path.join(REPO, "README.md"), "utf8");
    const block = /<!-- python-user-install -->\s*```sh\n([\s\S]*?)```\s*<!-- \/python-user-install -->/.exec(readme);
    if (!block) throw new Error("README.md has no python-user-install block");
    return block[1];
}

const venvPython = path.join(PROJECT, ".venv", "bin", "python");
const inProject = (code: string) =>
    execFileSync(venvPython, ["-c", code], {
        cwd: PROJECT,
        encoding: "utf8",
        env: { ...process.env, FLYTE_IMAGE_REGISTRY: "localhost:30000", QUICKSTART_PIP_PACKAGES: "six==1.16.0" },
    }).trim();

beforeAll(async () => {
    kube = kubeClient(requireEnv("KUBECONFIG"));
    await kube.remove(`/api/v1/namespaces/${NAMESPACE}`);
    await waitFor(async () => (await objectCount(kube, [NAMESPACE])).namespaces === 0, 120_000);
    freshWorkDir(WORK);
    fs.mkdirSync(PROJECT, { recursive: true });
    const example = path.join(REPO, "examples", "python-quickstart");
    for (const f of ["workflows.py", "__main__.py", "requirements.txt"])
        fs.copyFileSync(path.join(example, f), path.join(PROJECT, f));
    // workflows.py copies the smoke task's probe from ../quickstart/tasks/report.py
    fs.symlinkSync(path.join(REPO, "examples", "quickstart"), path.join(WORK, "quickstart"));
    const project = yaml.load(fs.readFileSync(path.join(example, "Pulumi.yaml"), "utf8")) as any;
    project.packages.flyte = path.join(REPO, "provider");
    expect(project.runtime.options.virtualenv).toBe(".venv");
    fs.writeFileSync(path.join(PROJECT, "Pulumi.yaml"), yaml.dump(project));

    // the README's commands, in the project, with FLYTE the checkout
    await timed("install (README commands)", async () =>
        execFileSync("bash", ["-euo", "pipefail", "-c", readmeInstallCommands()], {
            cwd: PROJECT,
            env: { ...process.env, FLYTE: REPO },
            stdio: ["ignore", "inherit", "inherit"],
        }),
    );

    const settings = yaml.load(fs.readFileSync(path.join(example, "Pulumi.dev.yaml"), "utf8")) as any;
    settings.config["flyte:namespace"] = NAMESPACE;
    const ws = await LocalWorkspace.create({
        workDir: PROJECT,
        stackSettings: { dev: settings },
        envVars: ENV,
        secretsProvider: "passphrase",
    });
    stack = await Stack.create("dev", ws);
    await stack.setConfig("wandbApiKey", { value: SECRETS.wandbApiKey, secret: true });
    await stack.setConfig("pypiToken", { value: SECRETS.pypiToken, secret: true });
});

afterAll(() => {
    fs.mkdirSync(WORK, { recursive: true });
    fs.writeFileSync(path.join(WORK, "engine.log"), logs.join(""));
    fs.writeFileSync(path.join(WORK, "timings.json"), JSON.stringify(timings, null, 2));
});

test("the README's commands install the flyte SDK and the companion into the project's own virtualenv", () => {
    const where = JSON.parse(
        inProject(
            "import json, sys, flyte, flyte_pulumi, pulumi_flyte; print(json.dumps({'prefix': sys.prefix, 'flyte': flyte.__version__, 'sdk': pulumi_flyte.__file__, 'companion': flyte_pulumi.__file__}))",
        ),
    );
    expect(where.prefix).toBe(path.join(PROJECT, ".venv"));
    expect(where.prefix).not.toBe(process.env.PULUMI_FLYTE_PYTHON_VENV);
    expect(where.flyte).toBe("2.12.1");
    expect(where.sdk.startsWith(path.join(PROJECT, ".venv"))).toBe(true);
    expect(where.companion.startsWith(path.join(PROJECT, ".venv"))).toBe(true);
});

test("preview plans every environment of the flyte module", async () => {
    const preview = stepCollector();
    await timed("first preview", () => stack.preview({ onEvent: preview.onEvent, onOutput: log }));
    const envs = preview.steps
        .filter((s) => s.type === "flyte:index:TaskEnvironment")
        .map((s) => s.urn.split("::").pop());
    expect(envs.sort()).toEqual(["infer", "prep", "pretrain", "serve", "smoke", "train"]);
    expect(preview.steps.filter((s) => s.type === "flyte:index:ImageBuild")).toHaveLength(1);
});

test("up pushes the image at flyte's URI, stores the TypeScript API's PodTemplates, and the smoke task runs on the real node", async () => {
    const up = await timed("first up", () => stack.up({ onOutput: log, color: "never" }));
    expect(up.summary.result).toBe("succeeded");
    const out = await outputsOf(stack);
    const flyteUri = inProject("import workflows; print(workflows.image.uri)");
    expect(out.imageUri).toBe(flyteUri);
    const digest = registryDigest(flyteUri);
    expect(digest).toBeDefined();
    expect(out.imageRef).toBe(`localhost:30000/flyte-quickstart@${digest}`);

    const templates = pythonQuickstartTemplates(NAMESPACE, out.imageRef);
    await expectTemplatesStored(kube, NAMESPACE, templates);

    const cron = await kube.get(`/apis/batch/v1/namespaces/${NAMESPACE}/cronjobs/train-fit-nightly`);
    expect({ schedule: cron.spec.schedule, timeZone: cron.spec.timeZone }).toEqual({
        schedule: "0 3 * * *",
        timeZone: "Europe/Paris",
    });
    const container = cron.spec.jobTemplate.spec.template.spec.containers[0];
    expect(container.command.slice(-2)).toEqual(["workflows", "fit"]);
    expect(container.args).toEqual(['{"epochs": 3, "started": {"__flyte_trigger_time__": true}}']);
    expect(cron.metadata.annotations["pulumi-flyte.io/description"]).toBe("Retrain every night on yesterday's data");

    // `up` waited for the smoke task: the flyte task ran in the image on the real node
    const { report, pod } = await taskReport(kube, NAMESPACE, "smoke-report-once");
    expect({ node: pod.spec.nodeName, image: pod.spec.containers[0].image }).toEqual({
        node: "worker",
        image: out.imageRef,
    });
    expect(report.packages).toEqual({ six: { version: "1.16.0" } });
    const expected = createHash("sha256").update(SECRETS.wandbApiKey).digest("hex");
    expect({ env: report.secret.env.sha256, file: report.secret.file.sha256 }).toEqual({
        env: expected,
        file: expected,
    });
    expect(report.envVars).toEqual({ WANDB_PROJECT: "quickstart" });
    expect(report.shmBytes).toBe(64 * 1024 * 1024);
    expect(report.workdir).toBe("/home/flyte");
});

test("the real kube-scheduler puts every environment and task on its node (MIG slice, TPU slice, Inferentia, shared T4, CPU)", async () => {
    const out = await outputsOf(stack);
    const acceptable = (node: string) => (node === "worker" ? ["cpu", "worker"] : [node]);
    for (const t of pythonQuickstartTemplates(NAMESPACE, out.imageRef)) {
        const result = await probeScheduling(kube, NAMESPACE, t.name, `probe-${t.name}`, 60_000);
        expect({ template: t.name, ok: acceptable(t.node).includes(result.node ?? "") }).toEqual({
            template: t.name,
            ok: true,
            ...(result.node ? {} : { reason: result.reason, message: result.message }),
        });
    }
});

test("a second preview shows no change", async () => {
    const preview = stepCollector();
    await timed("no-change preview", () => stack.preview({ onEvent: preview.onEvent, onOutput: log }));
    expect(preview.changed()).toEqual([]);
});

test("a flyte field the companion cannot deploy fails the preview, naming it", async () => {
    const file = path.join(PROJECT, "workflows.py");
    const original = fs.readFileSync(file, "utf8");
    fs.writeFileSync(
        file,
        original.replace(
            'if __name__ == "__main__":',
            '@prep.task(report=True)\nasync def summarize() -> None:\n    return None\n\n\nif __name__ == "__main__":',
        ),
    );
    try {
        const message = await stack.preview({ onOutput: log }).then(
            () => "preview succeeded",
            (err: Error) => String(err.message),
        );
        expect(message).toMatch(
            /task "prep\.summarize"\.report: got True; HTML reports are rendered by the Flyte console/,
        );
        expect(message).toContain("flyte_pulumi maps flyte 2.2.3 to 2.12.1");
    } finally {
        fs.writeFileSync(file, original);
    }
});

test("the companion's cost at preview (written to timings.json)", () => {
    // importing flyte (the user's module does anyway), then the companion's import and plan
    for (let i = 0; i < 3; i++) {
        const t = JSON.parse(
            inProject(
                [
                    "import json, time",
                    "t0 = time.perf_counter(); import flyte, workflows; t1 = time.perf_counter()",
                    "import flyte_pulumi; t2 = time.perf_counter()",
                    "flyte_pulumi.plan(workflows, [flyte_pulumi.Run(workflows.report, name='once', inputs={'packages': ['six']})])",
                    "t3 = time.perf_counter()",
                    "print(json.dumps({'flyte and the module': t1 - t0, 'companion import': t2 - t1, 'companion plan': t3 - t2}))",
                ].join("\n"),
            ),
        );
        for (const [k, v] of Object.entries(t)) (timings[k] ??= []).push(v as number);
    }
    expect(timings["companion plan"]).toHaveLength(3);
});

test("no secret value appears in plaintext in state or engine output; destroy leaves nothing behind", async () => {
    const state = execFileSync("pulumi", ["stack", "export", "--stack", "dev"], {
        cwd: PROJECT,
        env: { ...process.env, ...ENV },
    }).toString();
    for (const v of Object.values(SECRETS)) {
        expect(state.includes(v)).toBe(false);
        expect(logs.join("").includes(v)).toBe(false);
    }
    await stack.destroy({ onOutput: log });
    const gone = await waitFor(
        async () => JSON.stringify(await objectCount(kube, [NAMESPACE])) === JSON.stringify(NOTHING),
        180_000,
        1000,
    );
    expect({ gone, left: await objectCount(kube, [NAMESPACE]) }).toEqual({ gone: true, left: NOTHING });
});
