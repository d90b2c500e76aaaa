/**
 * One build per image, through the real engine, Docker and registry: an Image given to
 * three environments is built and pushed once (one docker-build Image in the stack);
 * every PodTemplate in the API server references its digest. The program names no
 * namespace, profile or registry: the stack's flyte:* config applies itself.
 */
import { Stack } from "@pulumi/pulumi/automation";
import * as fs from "fs";
import * as path from "path";
import { KubeClient, kubeClient } from "../../scripts/lib/kube-client";
import { registryDigest } from "./helpers";
import { REPO, programWorkspace, removeNamespace, requireEnv } from "./workspace";

jest.setTimeout(20 * 60_000);

const WORK_DIR = path.join(REPO, ".work", "e2e-one-build");
const NS = "flyte-e2e-one-build";
let kube: KubeClient;
let stack: Stack;
const logs: string[] = [];

beforeAll(async () => {
    kube = kubeClient(requireEnv("KUBECONFIG"));
    await removeNamespace(kube, NS);
    await kube.create("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } });
    const ws = await programWorkspace("one-build", WORK_DIR, {
        PULUMI_FLYTE_BUILD_WORKDIR: path.join(WORK_DIR, "build"),
    });
    stack = await Stack.create("dev", ws);
    await stack.setAllConfig({
        "flyte:namespace": { value: NS },
        "flyte:profile": { value: "gke" },
        "flyte:registry": { value: "localhost:30000" },
        "flyte:buildNetwork": { value: "host" },
        // a tag of this run: the build cannot be skipped as already pushed
        run: { value: String(Date.now()) },
    });
});

afterAll(async () => {
    if (stack)
        await stack
            .destroy({ onOutput: (s) => logs.push(s), color: "never" })
            .catch((err: Error) => logs.push(String(err)));
    if (kube) await kube.remove(`/api/v1/namespaces/${NS}`);
    fs.mkdirSync(WORK_DIR, { recursive: true });
    fs.writeFileSync(path.join(WORK_DIR, "engine.log"), logs.join(""));
});

test("up builds and pushes the image once; the three PodTemplates use its digest, in the stack config's namespace and profile", async () => {
    const result = await stack.up({ onOutput: (s) => logs.push(s), color: "never" });
    expect(result.summary.result).toBe("succeeded");
    const resources = (await stack.exportStack()).deployment.resources as { type: string; urn: string }[];
    expect(resources.filter((r) => r.type === "docker-build:index:Image")).toHaveLength(1);
    expect(resources.filter((r) => r.type === "flyte:index:ImageBuild").map((r) => r.urn.split("::").pop())).toEqual([
        "prep-image",
    ]);

    const outputs = await stack.outputs();
    const uri = outputs.uri.value as string;
    expect(uri).toMatch(/^localhost:30000\/one-build-e2e:[0-9a-f]{32}$/);
    const digest = registryDigest(uri);
    expect(digest).toMatch(/^sha256:/);
    const refs = outputs.refs.value as string[];
    expect(refs).toEqual([0, 1, 2].map(() => `localhost:30000/one-build-e2e@${digest}`));
    for (const name of outputs.podTemplates.value as string[]) {
        const tpl = await kube.get(`/api/v1/namespaces/${NS}/podtemplates/${name}`);
        expect(tpl.template.spec.containers[0].image).toBe(refs[0]);
        expect(tpl.template.metadata.annotations["pulumi-flyte.io/profile"]).toBe("gke");
    }
});

test("a second preview changes nothing", async () => {
    const preview = await stack.preview({ onOutput: (s) => logs.push(s), color: "never" });
    const changes = Object.entries(preview.changeSummary).filter(([op, n]) => op !== "same" && (n ?? 0) > 0);
    expect(changes).toEqual([]);
});
