/**
 * The quickstart through the real engine: real Pulumi CLI, language host and
 * providers, real Docker and registry, a real kube-apiserver and kube-scheduler
 * with fake accelerator nodes, and one real node (kubelet + containerd) where the
 * CPU tasks run. Run by `npm test` after the toolchain and platform.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { BuiltinProfileName, renderPodTemplate, Resources, GPU } from "pulumi-flyte";
import { REAL_NODE, quickstartImage } from "../../examples/quickstart/environments";
import { KubeClient, kubeClient, probeScheduling, waitFor } from "../../scripts/lib/kube-client";
import {
    NOTHING,
    expectContains,
    expectTemplatesStored,
    imageBlobs,
    listFiles,
    objectCount as countObjects,
    outputsOf,
    quickstartTemplates,
    registryBuiltBy,
    registryDigest,
    stepCollector,
} from "./helpers";
import { sha256, taskReport } from "./task-report";
import { createStacks, E2E_NAMESPACES, E2EStacks, requireEnv, SECRET_VALUES, WORK_DIR } from "./workspace";

jest.setTimeout(45 * 60_000);

let stacks: E2EStacks;
let kube: KubeClient;
const logs: string[] = [];
const log = (s: string) => logs.push(s);
const NS = E2E_NAMESPACES;
const NAMESPACES = Object.values(NS) as string[];
const PROFILE: Record<"dev" | "prod", BuiltinProfileName> = { dev: "gke", prod: "eks" };
const expectedTemplates = async (which: "dev" | "prod", imageRef: string) =>
    quickstartTemplates(PROFILE[which], NS[which], imageRef);
/** Objects the quickstart creates, in the test's namespaces (a demo elsewhere is not counted). */
const objectCount = () => countObjects(kube, NAMESPACES);

beforeAll(async () => {
    kube = kubeClient(requireEnv("KUBECONFIG"));
    requireEnv("PULUMI_FLYTE_BASE_IMAGES");
    // a clean cluster: objects left by an interrupted earlier run would fake results
    for (const ns of Object.values(NS)) await kube.remove(`/api/v1/namespaces/${ns}`);
    await waitFor(async () => (await objectCount()).namespaces === 0, 120_000);
    stacks = await createStacks();
});

afterAll(() => {
    fs.mkdirSync(WORK_DIR, { recursive: true });
    fs.writeFileSync(path.join(WORK_DIR, "engine.log"), logs.join(""));
});

describe("quickstart on the local platform", () => {
    let devImageRef = "";
    // the image the dev stack defines (the quickstart's pipPackages default)
    const expectedImageUri = quickstartImage("localhost:30000", ["six==1.16.0"]).uri;

    test("dev (gke): up builds and pushes the image, creates the Secret and PodTemplates equal to renderPodTemplate", async () => {
        // built here unless another stack (a Python or YAML quickstart, the demo) pushed this tag before
        const builtElsewhere =
            registryDigest(expectedImageUri) !== undefined &&
            (await registryBuiltBy(expectedImageUri)) !== "flyte-quickstart/dev";
        const result = await stacks.dev.up({ onOutput: log, color: "never" });
        expect(result.summary.result).toBe("succeeded");
        const out = await outputsOf(stacks.dev);
        devImageRef = out.imageRef;
        expect(out.imageUri).toBe(expectedImageUri);
        expect(out.imageBuilt).toBe(!builtElsewhere);
        expect(out.imageUri).toMatch(/^localhost:30000\/quickstart:[0-9a-f]{32}$/);
        // the image is in the registry, and pods reference it by that digest
        const digest = registryDigest(out.imageUri);
        expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
        expect(out.imageRef).toBe(`localhost:30000/quickstart@${digest}`);

        const secret = await kube.get(`/api/v1/namespaces/${NS.dev}/secrets/wandb`);
        expect(Object.keys(secret.data)).toEqual(["api-key"]);
        expect(Buffer.from(secret.data["api-key"], "base64").toString()).toBe(SECRET_VALUES.wandbApiKey);

        const templates = await expectedTemplates("dev", out.imageRef);
        await expectTemplatesStored(kube, NS.dev, templates);
    });

    test("dev: the smoke task ran in the built image on the real node; its report is what the program declared", async () => {
        const { report, pod } = await taskReport(kube, NS.dev, "smoke-report-once");
        expect({ node: pod.spec.nodeName, image: pod.spec.containers[0].image }).toEqual({
            node: REAL_NODE,
            image: devImageRef,
        });
        expect(report.packages).toEqual({ six: { version: "1.16.0" } });
        // the secret, compared here and never printed: as an env var and as Flyte's file
        const expected = sha256(SECRET_VALUES.wandbApiKey);
        expect({ env: report.secret.env.sha256 === expected, file: report.secret.file.sha256 === expected }).toEqual({
            env: true,
            file: true,
        });
        expect(report.secret.file).toMatchObject({
            path: "/etc/flyte/secrets/wandb/api-key",
            mode: "0o440",
            uid: 0,
            gid: 1000,
        });
        expect(report.envVars).toEqual({ WANDB_PROJECT: "quickstart" });
        expect(report.workdir).toBe("/home/flyte"); // Flyte's default image (fromDebianBase)
        expect(report.shmBytes).toBe(64 * 1024 * 1024);
        // Flyte's image runs as its non-root user, with the venv's Python first on PATH
        expect(report.user).toMatchObject({ uid: 1000, name: "flyte" });
        expect(report.python).toMatchObject({ executable: "/opt/venv/bin/python", venv: true });
    });

    test("dev (gke): the real kube-scheduler binds every environment and task to its node; the Job runs", async () => {
        const templates = await expectedTemplates("dev", devImageRef);
        const placements: Record<string, string | undefined> = {};
        for (const t of templates)
            placements[t.name] = (await probeScheduling(kube, NS.dev, t.name, `probe-${t.name}`)).node;
        expect(placements).toEqual(Object.fromEntries(templates.map((t) => [t.name, t.node])));

        // the one-off Job from prep.load ran on the real node (`up` waited for it) and printed its line
        const job = await kube.get(`/apis/batch/v1/namespaces/${NS.dev}/jobs/prep-load-once`);
        expect(job.status?.succeeded).toBe(1);
        const pods = await kube.list(`/api/v1/namespaces/${NS.dev}/pods?labelSelector=job-name%3Dprep-load-once`);
        expect(pods.map((p: any) => [p.spec.nodeName, p.status.phase])).toEqual([[REAL_NODE, "Succeeded"]]);
        const log = await kube.request("GET", `/api/v1/namespaces/${NS.dev}/pods/${pods[0].metadata.name}/log`);
        expect(log.body).toBe("loaded\n");
        const cron = await kube.get(`/apis/batch/v1/namespaces/${NS.dev}/cronjobs/train-fit-nightly`);
        expect(cron.spec.schedule).toBe("0 3 * * *");
    });

    test("a request no node can satisfy stays Pending with the scheduler's reason", async () => {
        const cases = [
            {
                name: "b200",
                env: { name: "b200", image: devImageRef, resources: { gpu: "B200:8" } },
                reason: /didn't match Pod's node affinity\/selector/,
            },
            {
                name: "a100x16",
                env: {
                    name: "wide",
                    image: devImageRef,
                    resources: new Resources({ gpu: GPU({ device: "A100 80G", quantity: 8 }), cpu: "500" }),
                },
                reason: /Insufficient cpu/,
            },
        ];
        for (const c of cases) {
            const tpl = renderPodTemplate(c.env, { profile: "gke", namespace: NS.dev });
            tpl.metadata.name = `unschedulable-${c.name}`;
            await kube.create(`/api/v1/namespaces/${NS.dev}/podtemplates`, tpl);
            const result = await probeScheduling(
                kube,
                NS.dev,
                tpl.metadata.name,
                `probe-unschedulable-${c.name}`,
                15_000,
            );
            expect(result.node).toBeUndefined();
            expect(result.reason).toBe("Unschedulable");
            expect(result.message).toMatch(c.reason);
            await kube.remove(`/api/v1/namespaces/${NS.dev}/podtemplates/${tpl.metadata.name}`);
        }
    });

    test("dev: a second up with no change reports no changes and builds nothing", async () => {
        const preview = stepCollector();
        const p = await stacks.dev.preview({ onEvent: preview.onEvent, onOutput: log });
        expect(preview.changed()).toEqual([]);
        expect(Object.keys(p.changeSummary)).toEqual(["same"]);
        const up = stepCollector();
        const result = await stacks.dev.up({ onEvent: up.onEvent, onOutput: log });
        expect(up.changed()).toEqual([]);
        expect(Object.keys(result.summary.resourceChanges ?? {})).toEqual(["same"]);
    });

    test("dev: rotating the image's build secret rebuilds nothing", async () => {
        await stacks.dev.setConfig("pypiToken", { value: SECRET_VALUES.pypiTokenRotated, secret: true });
        const preview = stepCollector();
        await stacks.dev.preview({ onEvent: preview.onEvent, onOutput: log });
        expect(preview.changed()).toEqual([]);
    });

    test("dev: changing one environment's GPU count previews exactly one update", async () => {
        await stacks.dev.setConfig("evaluateGpus", { value: "2" });
        const preview = stepCollector();
        await stacks.dev.preview({ onEvent: preview.onEvent, onOutput: log });
        expect(preview.changed().map((s) => [s.op, s.type, s.urn.split("::").pop()])).toEqual([
            ["update", "kubernetes:core/v1:PodTemplate", "evaluate-podtemplate"],
        ]);
        await stacks.dev.up({ onOutput: log });
        const stored = await kube.get(`/api/v1/namespaces/${NS.dev}/podtemplates/evaluate`);
        expect(stored.template.spec.containers[0].resources.limits["nvidia.com/gpu"]).toBe("2");
    });

    test("prod (eks): another profile; the image dev pushed is reused, not rebuilt", async () => {
        const up = stepCollector();
        const result = await stacks.prod.up({ onEvent: up.onEvent, onOutput: log });
        expect(result.summary.result).toBe("succeeded");
        const out = await outputsOf(stacks.prod);
        expect(out.imageBuilt).toBe(false);
        expect(out.imageRef).toBe(devImageRef);
        expect(up.steps.filter((s) => s.type.startsWith("docker-build:"))).toEqual([]);
        const templates = await expectedTemplates("prod", out.imageRef);
        for (const t of templates) {
            const actual = await kube.get(`/api/v1/namespaces/${NS.prod}/podtemplates/${t.name}`);
            expectContains(
                { metadata: actual.metadata, template: actual.template },
                { metadata: t.expected.metadata, template: t.expected.template },
                t.name,
            );
            expect({
                name: t.name,
                node: (await probeScheduling(kube, NS.prod, t.name, `probe-${t.name}`)).node,
            }).toEqual({ name: t.name, node: t.node });
        }
    });

    test("dev: a pip package change rebuilds exactly one image", async () => {
        await stacks.dev.setConfig("pipPackages", { value: "six==1.16.0,idna==3.10" });
        const preview = stepCollector();
        await stacks.dev.preview({ onEvent: preview.onEvent, onOutput: log });
        const builds = preview.changed().filter((s) => s.type === "docker-build:index:Image");
        expect(builds.length).toBe(1);
        const before = devImageRef;
        await stacks.dev.up({ onOutput: log });
        const out = await outputsOf(stacks.dev);
        expect(out.imageRef).not.toBe(before);
        expect(registryDigest(out.imageUri)).toBe(out.imageRef.split("@")[1]);
        const stored = await kube.get(`/api/v1/namespaces/${NS.dev}/podtemplates/train`);
        expect(stored.template.spec.containers[0].image).toBe(out.imageRef);
        // the smoke task ran again, in the new image, and imports both packages
        const { report, pod } = await taskReport(kube, NS.dev, "smoke-report-once");
        expect(pod.spec.containers[0].image).toBe(out.imageRef);
        expect(report.packages).toEqual({ six: { version: "1.16.0" }, idna: { version: "3.10" } });
    });

    test("no secret value appears in plaintext in state, engine output or the image", async () => {
        const values = Object.values(SECRET_VALUES);
        // `pulumi stack export` as a user runs it (the Automation API's exportStack shows secrets)
        for (const s of [stacks.dev, stacks.prod]) {
            const state = execFileSync("pulumi", ["stack", "export", "--stack", s.name], {
                cwd: WORK_DIR,
                env: { ...process.env, ...stacks.envVars },
            }).toString();
            expect(state).toContain('"ciphertext"'); // the secrets are there, encrypted
            for (const v of values)
                expect({ stack: s.name, leaked: state.includes(v) }).toEqual({ stack: s.name, leaked: false });
        }
        // and every file the backend wrote (checkpoints, history, backups)
        for (const file of listFiles(path.join(WORK_DIR, "state"))) {
            const text = fs.readFileSync(file, "utf8");
            for (const v of values) expect({ file, leaked: text.includes(v) }).toEqual({ file, leaked: false });
        }
        const engineOutput = logs.join("");
        for (const v of values) expect(engineOutput.includes(v)).toBe(false);
        // every layer and the config of the image pushed with the PyPI token as a build secret
        const out = await outputsOf(stacks.dev);
        const blobs = await imageBlobs(out.imageUri);
        expect(blobs.length).toBeGreaterThan(2);
        for (const blob of blobs) expect(blob.includes(Buffer.from(SECRET_VALUES.pypiToken))).toBe(false);
        // the build did see it: the image's Dockerfile mounts it for the pip step
        const pushed = quickstartImage("localhost:30000", ["six==1.16.0", "idna==3.10"]);
        expect(pushed.uri).toBe(out.imageUri);
        expect(pushed.dockerfile).toContain("--mount=type=secret,id=PYPI_TOKEN");
    });

    test("destroy leaves nothing behind in the API server, and no pod on the real node", async () => {
        const before = await objectCount();
        expect(before.podtemplates).toBeGreaterThan(0);
        expect(before.pods).toBeGreaterThan(0);
        await stacks.dev.destroy({ onOutput: log });
        await stacks.prod.destroy({ onOutput: log });
        const gone = await waitFor(
            async () => JSON.stringify(await objectCount()) === JSON.stringify(NOTHING),
            180_000,
            1000,
        );
        expect({ gone, left: await objectCount() }).toEqual({ gone: true, left: NOTHING });
        const onNode = (
            await kube.list(`/api/v1/pods?fieldSelector=${encodeURIComponent(`spec.nodeName=${REAL_NODE}`)}`)
        ).filter((p: any) => (Object.values(NS) as string[]).includes(p.metadata.namespace));
        expect(onNode).toEqual([]);
    });
});
