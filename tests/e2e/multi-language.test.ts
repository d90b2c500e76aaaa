/**
 * The flyte package from other languages, through the real engine: the TypeScript
 * quickstart written with the data form in Python (tests/e2e/programs/python-data-form)
 * and the YAML quickstart (examples/yaml-quickstart) deployed on the
 * local platform render what the TypeScript quickstart renders, push the same image
 * tag, land on the same nodes, fail at preview naming the mistaken field, keep secrets
 * secret and leave nothing behind. A generated Go SDK compiles.
 */
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { execFileSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { REAL_NODE, quickstartImage } from "../../examples/quickstart/environments";
import { expectedPackageSchema } from "../../sdk/src/spec/package-schema";
import { KubeClient, kubeClient, probeScheduling, waitFor } from "../../scripts/lib/kube-client";
import {
    NOTHING,
    expectTemplatesStored,
    listFiles,
    objectCount,
    outputsOf,
    quickstartTemplates,
    registryBuiltBy,
    registryDigest,
    stepCollector,
} from "./helpers";
import { taskReport } from "./task-report";
import { REPO, freshWorkDir, requireEnv, workspaceEnv } from "./workspace";

jest.setTimeout(45 * 60_000);

const WORK = path.join(REPO, ".work", "e2e-languages");
const PASSPHRASE = "pulumi-flyte-e2e-languages";
const SECRETS = { wandbApiKey: "wandb-ml-3c9e1a7f5b2d4e80", pypiToken: "pypi-ml-7a2d9c4e1f6b3a05" };
// Python: the quickstart's environments written with the data form (*Args) by hand; the
// Python quickstart itself (a flyte-sdk module) is tests/e2e/python-user.test.ts's
const LANGUAGES = {
    python: {
        example: "tests/e2e/programs/python-data-form",
        namespace: "flyte-e2e-python",
        project: "flyte-python-data-form",
    },
    yaml: { example: "examples/yaml-quickstart", namespace: "flyte-e2e-yaml", project: "flyte-yaml-quickstart" },
} as const;
type Language = keyof typeof LANGUAGES;

let kube: KubeClient;
const stacks = {} as Record<Language, Stack>;
const logs: string[] = [];
const log = (s: string) => logs.push(s);
const env = (lang: Language): Record<string, string> =>
    workspaceEnv(WORK, { PULUMI_FLYTE_BUILD_WORKDIR: path.join(WORK, "build", lang) }, PASSPHRASE);
const projectDir = (lang: Language) => path.join(WORK, lang);

/** A copy of the example whose package path (and Python environment) are absolute, with its stack config for this test. */
async function createStack(lang: Language): Promise<Stack> {
    const { example, namespace } = LANGUAGES[lang];
    const dir = projectDir(lang);
    fs.mkdirSync(dir, { recursive: true });
    for (const f of fs.readdirSync(path.join(REPO, example))) {
        if (/\.(py|yaml)$/.test(f) && !f.startsWith("Pulumi."))
            fs.copyFileSync(path.join(REPO, example, f), path.join(dir, f));
    }
    const project = yaml.load(fs.readFileSync(path.join(REPO, example, "Pulumi.yaml"), "utf8")) as any;
    project.packages.flyte = path.join(REPO, "provider");
    if (lang === "python") project.runtime.options.virtualenv = requireEnv("PULUMI_FLYTE_PYTHON_VENV");
    const settings = yaml.load(fs.readFileSync(path.join(REPO, example, "Pulumi.dev.yaml"), "utf8")) as any;
    settings.config["flyte:namespace"] = namespace;
    const ws = await LocalWorkspace.create({
        workDir: dir,
        projectSettings: project,
        stackSettings: { dev: settings },
        envVars: env(lang),
        secretsProvider: "passphrase",
    });
    const stack = await Stack.create("dev", ws);
    await stack.setConfig("wandbApiKey", { value: SECRETS.wandbApiKey, secret: true });
    await stack.setConfig("pypiToken", { value: SECRETS.pypiToken, secret: true });
    return stack;
}

/** `pulumi preview` of the project with `edit` applied to its program, expected to fail; the program is restored after. */
async function previewFailure(lang: Language, file: string, edit: (text: string) => string): Promise<string> {
    const target = path.join(projectDir(lang), file);
    const original = fs.readFileSync(target, "utf8");
    fs.writeFileSync(target, edit(original));
    try {
        await stacks[lang].preview({ onOutput: log });
        throw new Error(`preview of ${lang} program succeeded`);
    } catch (err) {
        return String((err as Error).message);
    } finally {
        fs.writeFileSync(target, original);
    }
}

const expectedUri = quickstartImage("localhost:30000", ["six==1.16.0"]).uri;

beforeAll(async () => {
    kube = kubeClient(requireEnv("KUBECONFIG"));
    const namespaces = Object.values(LANGUAGES).map((l) => l.namespace);
    for (const ns of namespaces) await kube.remove(`/api/v1/namespaces/${ns}`);
    await waitFor(async () => (await objectCount(kube, namespaces)).namespaces === 0, 120_000);
    freshWorkDir(WORK);
    // the programs read ../quickstart/tasks/report.py (the smoke task's script) from their project directory
    fs.symlinkSync(path.join(REPO, "examples", "quickstart"), path.join(WORK, "quickstart"));
    // the flyte Python SDK, generated from provider/ into the toolchain's Python environment
    execFileSync("bash", [path.join(REPO, "scripts/language-sdks.sh"), "python"], {
        stdio: ["ignore", "ignore", "inherit"],
    });
    stacks.python = await createStack("python");
    stacks.yaml = await createStack("yaml");
});

afterAll(() => {
    fs.mkdirSync(WORK, { recursive: true });
    fs.writeFileSync(path.join(WORK, "engine.log"), logs.join(""));
});

test("the package schema the CLI gets from provider/ is the one the data-form zod schemas define", () => {
    const schema = JSON.parse(
        execFileSync("pulumi", ["package", "get-schema", path.join(REPO, "provider")], {
            stdio: ["ignore", "pipe", "ignore"],
        }).toString(),
    );
    const expected = expectedPackageSchema();
    for (const [token, resource] of Object.entries(expected.resources)) {
        const actual = schema.resources[token];
        expect({ token, inputs: actual.inputProperties, required: [...(actual.requiredInputs ?? [])].sort() }).toEqual({
            token,
            inputs: resource.inputProperties,
            required: resource.requiredInputs ?? [],
        });
        expect(actual.isComponent).toBe(true);
    }
    expect(Object.keys(schema.resources).sort()).toEqual(Object.keys(expected.resources).sort());
    expect(Object.keys(schema.types).sort()).toEqual(Object.keys(expected.types).sort());
    for (const [token, type] of Object.entries(expected.types)) {
        const actual = {
            ...schema.types[token],
            ...(schema.types[token].required ? { required: [...schema.types[token].required].sort() } : {}),
        };
        expect({ token, type: actual }).toEqual({ token, type });
    }
    // outputs: what the TypeScript components expose, typed
    expect(Object.keys(schema.resources["flyte:index:TaskEnvironment"].properties).sort()).toEqual([
        "imageRef",
        "imageUri",
        "placement",
        "podTemplateName",
        "runAdmissions",
        "runJobNames",
        "taskPlacements",
        "taskPodTemplateNames",
    ]);
    expect(Object.keys(schema.resources["flyte:index:ImageBuild"].properties).sort()).toEqual([
        "built",
        "digest",
        "ref",
        "uri",
    ]);
    expect(schema.resources["flyte:index:ImageBuild"].properties.built.type).toBe("boolean");
    expect(schema.resources["flyte:index:SecretStore"].properties.secretNames).toMatchObject({
        type: "object",
        additionalProperties: { type: "string" },
    });
});

describe.each(["python", "yaml"] as const)("the %s quickstart", (lang) => {
    const ns = LANGUAGES[lang].namespace;

    test("up renders the TypeScript quickstart's PodTemplates with the same image tag", async () => {
        // pushed by another stack (the TypeScript quickstart, or the other language): nothing may be built
        const builtBy = registryDigest(expectedUri) !== undefined ? await registryBuiltBy(expectedUri) : undefined;
        const pushedElsewhere = builtBy !== undefined && builtBy !== `${LANGUAGES[lang].project}/dev`;
        const up = stepCollector();
        const result = await stacks[lang].up({ onEvent: up.onEvent, onOutput: log, color: "never" });
        expect(result.summary.result).toBe("succeeded");
        const out = await outputsOf(stacks[lang]);
        expect(out.imageUri).toBe(expectedUri);
        expect(out.imageRef).toBe(`localhost:30000/quickstart@${registryDigest(expectedUri)}`);
        if (pushedElsewhere || lang === "yaml") {
            // (the Python stack, which runs first, has always pushed it by the time the YAML stack deploys)
            expect(out.imageBuilt).toBe(false);
            expect(up.steps.filter((s) => s.type.startsWith("docker-build:"))).toEqual([]);
        }
        await expectTemplatesStored(kube, ns, quickstartTemplates("gke", ns, out.imageRef));
        const secret = await kube.get(`/api/v1/namespaces/${ns}/secrets/wandb`);
        expect(Buffer.from(secret.data["api-key"], "base64").toString()).toBe(SECRETS.wandbApiKey);
        expect((await kube.get(`/apis/batch/v1/namespaces/${ns}/cronjobs/train-fit-nightly`)).spec.schedule).toBe(
            "0 3 * * *",
        );
        expect(out.jobs).toEqual({ "prep.load.once": "prep-load-once", "smoke.report.once": "smoke-report-once" });
    });

    test("the smoke task ran in the image on the real node and saw what the program declared", async () => {
        // `up` waited for it; its report is the TypeScript quickstart's (tests/e2e/quickstart.test.ts)
        const out = await outputsOf(stacks[lang]);
        const { report, pod } = await taskReport(kube, ns, "smoke-report-once");
        expect({ node: pod.spec.nodeName, image: pod.spec.containers[0].image }).toEqual({
            node: REAL_NODE,
            image: out.imageRef,
        });
        expect(report.packages).toEqual({ six: { version: "1.16.0" } });
        const expected = createHash("sha256").update(SECRETS.wandbApiKey).digest("hex");
        expect({ env: report.secret.env.sha256 === expected, file: report.secret.file.sha256 === expected }).toEqual({
            env: true,
            file: true,
        });
        expect(report.envVars).toEqual({ WANDB_PROJECT: "quickstart" });
        expect(report.shmBytes).toBe(64 * 1024 * 1024);
    });

    test("the real kube-scheduler puts every environment and task on the node the TypeScript quickstart's land on", async () => {
        const out = await outputsOf(stacks[lang]);
        const templates = quickstartTemplates("gke", ns, out.imageRef);
        // CPU-only pods may land on the fake CPU node or on the real worker node
        const acceptable = (node: string) => (node === "cpu" ? ["cpu", "worker"] : [node]);
        for (const t of templates) {
            const result = await probeScheduling(kube, ns, t.name, `probe-${t.name}`, 60_000);
            expect({ template: t.name, node: result.node, ok: acceptable(t.node).includes(result.node ?? "") }).toEqual(
                {
                    template: t.name,
                    node: result.node,
                    ok: true,
                    ...(result.node ? {} : { reason: result.reason, message: result.message }),
                },
            );
        }
    });

    test("a second up reports no change", async () => {
        const preview = stepCollector();
        await stacks[lang].preview({ onEvent: preview.onEvent, onOutput: log });
        expect(preview.changed()).toEqual([]);
        const up = stepCollector();
        await stacks[lang].up({ onEvent: up.onEvent, onOutput: log });
        expect(up.changed()).toEqual([]);
    });

    test("a one-field change previews exactly one update", async () => {
        await stacks[lang].setConfig("evaluateGpus", { value: "2" });
        const preview = stepCollector();
        await stacks[lang].preview({ onEvent: preview.onEvent, onOutput: log });
        expect(preview.changed().map((s) => [s.op, s.type, s.urn.split("::").pop()])).toEqual([
            ["update", "kubernetes:core/v1:PodTemplate", "evaluate-podtemplate"],
        ]);
        await stacks[lang].removeConfig("evaluateGpus");
    });
});

describe("mistakes fail the preview, naming the field", () => {
    test("python: an invalid value, a misspelled key in a dict, a misspelled argument", async () => {
        const append = (line: string) => (text: string) => `${text}\n${line}\n`;
        expect(
            await previewFailure(
                "python",
                "__main__.py",
                append(`flyte.TaskEnvironment("bad", image_ref="x:1", resources=flyte.ResourcesArgs(gpu="A100:9"))`),
            ),
        ).toMatch(
            /resource 'bad' has a problem: resources\.gpu: got "A100:9"; GPU "A100" accepts a quantity of 1, 2, 3, 4, 5, 6, 7, 8/,
        );
        expect(
            await previewFailure(
                "python",
                "__main__.py",
                append(`flyte.TaskEnvironment("bad", image_ref="x:1", resources={"cpu": "2", "memroy": "1Gi"})`),
            ),
        ).toMatch(
            /resources\.memroy: .*unknown field "memroy".*allowed fields: cpu, cpu_limit, memory, memory_limit, disk, shm, gpu, device/,
        );
        // fields are named as Python spells them
        expect(
            await previewFailure(
                "python",
                "__main__.py",
                append(
                    `flyte.TaskEnvironment("bad", image_ref="x:1", resources=flyte.ResourcesArgs(cpu="4", cpu_limit="2"))`,
                ),
            ),
        ).toMatch(/resources\.cpu_limit: got "2"; the request \(4\) must not exceed the limit \(2\)/);
        expect(
            await previewFailure(
                "python",
                "__main__.py",
                append(`flyte.TaskEnvironment("bad", image_ref="x:1", resourcs=flyte.ResourcesArgs(cpu="2"))`),
            ),
        ).toMatch(/unexpected keyword argument 'resourcs'/);
        expect(
            await previewFailure(
                "python",
                "__main__.py",
                append(
                    `flyte.TaskEnvironment("bad", image_ref="x:1", tasks=[flyte.TaskArgs(name="fit", runs=[flyte.TaskRunArgs(name="n", schedule="0 3 * *")])])`,
                ),
            ),
        ).toMatch(/tasks\[0\]\.runs\[0\]\.schedule: got "0 3 \* \*"; expected a cron schedule/);
    });

    test("yaml: an invalid value and a misspelled key", async () => {
        expect(await previewFailure("yaml", "Pulumi.yaml", (t) => t.replace("gpu: H100:8", "gpu: H100:9"))).toMatch(
            /resources\.gpu: got "H100:9"; GPU "H100" accepts a quantity of 1, 2, 3, 4, 5, 6, 7, 8/,
        );
        expect(
            await previewFailure("yaml", "Pulumi.yaml", (t) =>
                t.replace("        memory: 16Gi", "        memroy: 16Gi"),
            ),
        ).toMatch(/memroy/);
    });
});

describe("afterwards", () => {
    test("no secret value appears in plaintext in state or engine output", async () => {
        const values = Object.values(SECRETS);
        for (const lang of Object.keys(LANGUAGES) as Language[]) {
            const state = execFileSync("pulumi", ["stack", "export", "--stack", "dev"], {
                cwd: projectDir(lang),
                env: { ...process.env, ...env(lang) },
            }).toString();
            expect(state).toContain('"ciphertext"');
            for (const v of values) expect({ lang, leaked: state.includes(v) }).toEqual({ lang, leaked: false });
        }
        for (const file of listFiles(path.join(WORK, "state"))) {
            const text = fs.readFileSync(file, "utf8");
            for (const v of values) expect({ file, leaked: text.includes(v) }).toEqual({ file, leaked: false });
        }
        for (const v of values) expect(logs.join("").includes(v)).toBe(false);
    });

    test("destroy leaves nothing behind", async () => {
        const namespaces = Object.values(LANGUAGES).map((l) => l.namespace);
        expect((await objectCount(kube, namespaces)).podtemplates).toBeGreaterThan(0);
        for (const lang of Object.keys(LANGUAGES) as Language[]) await stacks[lang].destroy({ onOutput: log });
        const gone = await waitFor(
            async () => JSON.stringify(await objectCount(kube, namespaces)) === JSON.stringify(NOTHING),
            180_000,
            1000,
        );
        expect({ gone, left: await objectCount(kube, namespaces) }).toEqual({ gone: true, left: NOTHING });
    });

    test("a generated Go SDK compiles against the Pulumi Go SDK", () => {
        const sdk = execFileSync("bash", [path.join(REPO, "scripts/language-sdks.sh"), "go"], {
            stdio: ["ignore", "pipe", "inherit"],
        })
            .toString()
            .trim()
            .split("\n")
            .pop()!;
        const dir = path.join(WORK, "go");
        fs.rmSync(dir, { recursive: true, force: true });
        // the generated package's import path is example.com/pulumi-flyte/sdk/go/flyte: put it there in a module of that name
        fs.cpSync(path.join(sdk, "flyte"), path.join(dir, "sdk", "go", "flyte"), { recursive: true });
        const pulumiVersion = execFileSync("pulumi", ["version"]).toString().trim();
        fs.writeFileSync(
            path.join(dir, "go.mod"),
            `module example.com/pulumi-flyte\n\ngo 1.24\n\nrequire github.com/pulumi/pulumi/sdk/v3 ${pulumiVersion}\n`,
        );
        // a program using the generated types, so the build proves more than the package itself
        fs.mkdirSync(path.join(dir, "main"));
        fs.writeFileSync(
            path.join(dir, "main", "main.go"),
            `package main

import (
	flyte "example.com/pulumi-flyte/sdk/go/flyte"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		// enum members are named from the schema's capitalised words (ProfileNameGke, DeviceClassAmdGpu)
		gke := flyte.ProfileNameGke
		env, err := flyte.NewTaskEnvironment(ctx, "train", &flyte.TaskEnvironmentArgs{
			ImageRef:  pulumi.String("ghcr.io/acme/train:1"),
			Profile:   &gke,
			Resources: &flyte.ResourcesArgs{Cpu: pulumi.StringRef("8"), Gpu: pulumi.StringRef("A100_80G:4")},
			Tasks:     []flyte.TaskArgs{{Name: "fit", Runs: []flyte.TaskRunArgs{{Name: "once"}}}},
		})
		if err != nil {
			return err
		}
		ctx.Export("podTemplate", env.PodTemplateName)
		return nil
	})
}
`,
        );
        const goEnv = { ...process.env, GOFLAGS: "-mod=mod", GOTOOLCHAIN: "local", CGO_ENABLED: "0" };
        execFileSync("go", ["mod", "tidy"], { cwd: dir, env: goEnv, stdio: "inherit" });
        execFileSync("go", ["build", "-trimpath", "-o", path.join(dir, "bin", "main"), "./main"], {
            cwd: dir,
            env: goEnv,
            stdio: "inherit",
        });
        expect(fs.existsSync(path.join(dir, "bin", "main"))).toBe(true);
    });
});
