/**
 * What the end-to-end tests check the same way in every language: the engine's steps,
 * the registry's manifests, the API server's objects against renderPodTemplate.
 */
import { EngineEvent, OpType, Stack } from "@pulumi/pulumi/automation";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as zlib from "zlib";
import { BuiltinProfileName, renderPodTemplate } from "pulumi-flyte";
import { environmentsFor, smokeEnvironment } from "../../examples/quickstart/environments";
import { KubeClient } from "../../scripts/lib/kube-client";
import { trustedFetch } from "../../sdk/src/build/trust";

export const outputsOf = async (s: Stack): Promise<Record<string, any>> =>
    Object.fromEntries(Object.entries(await s.outputs()).map(([k, v]) => [k, v.value]));

/** Every field we rendered is in the object the API server stores (it adds defaults). */
export function expectContains(actual: any, expected: any, where = "$"): void {
    if (Array.isArray(expected)) {
        expect(Array.isArray(actual)).toBe(true);
        expect({ where, length: actual.length }).toEqual({ where, length: expected.length });
        expected.forEach((e, i) => expectContains(actual[i], e, `${where}[${i}]`));
    } else if (expected && typeof expected === "object") {
        expect({ where, isObject: !!actual && typeof actual === "object" }).toEqual({ where, isObject: true });
        for (const [k, v] of Object.entries(expected)) expectContains(actual[k], v, `${where}.${k}`);
    } else {
        expect({ where, value: actual }).toEqual({ where, value: expected });
    }
}

/** Steps of a preview/up by operation, from the engine's event stream. */
export function stepCollector() {
    const steps: { op: OpType; type: string; urn: string }[] = [];
    const onEvent = (e: EngineEvent) => {
        const m = e.resourcePreEvent?.metadata;
        if (m) steps.push({ op: m.op, type: m.type, urn: m.urn });
    };
    return { steps, onEvent, changed: () => steps.filter((s) => s.op !== "same" && s.type !== "pulumi:pulumi:Stack") };
}

/** The local platform's CA (scripts/platform/pki.sh): its registry serves TLS with a certificate of it. */
export function platformCa(): string {
    const cache = process.env.PULUMI_FLYTE_CACHE ?? path.join(os.homedir(), ".cache", "pulumi-flyte");
    return path.join(cache, "platform", "pki", "ca.crt");
}

/** HTTPS to registries with the trust our registry lookups have (SSL_CERT_DIR of the platform's env). */
export const registryFetch = trustedFetch();

/** The digest the local registry serves for `<registry>/<name>:<tag>`, if it has it. */
export function registryDigest(uri: string): string | undefined {
    const m = /^([^/]+)\/(.+):([^:]+)$/.exec(uri)!;
    const out = execFileSync("curl", [
        "-sI",
        "--cacert",
        platformCa(),
        "-H",
        "Accept: application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json",
        `https://${m[1]}/v2/${m[2]}/manifests/${m[3]}`,
    ]).toString();
    if (!/^HTTP\/\S+ 200/m.test(out)) return undefined;
    return /docker-content-digest:\s*(\S+)/i.exec(out)?.[1];
}

const MANIFEST_TYPES =
    "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json";

/** The image manifest (of its first platform) of `<registry>/<name>:<tag>` in the local registry, and its blob URL prefix. */
async function imageManifest(uri: string): Promise<{ base: string; manifest: any }> {
    const m = /^([^/]+)\/(.+):([^:]+)$/.exec(uri)!;
    const base = `https://${m[1]}/v2/${m[2]}`;
    let manifest: any = await (
        await registryFetch(`${base}/manifests/${m[3]}`, { headers: { Accept: MANIFEST_TYPES } })
    ).json();
    if (manifest.manifests) {
        const first = manifest.manifests.find((x: any) => x.platform?.os !== "unknown");
        manifest = await (
            await registryFetch(`${base}/manifests/${first.digest}`, { headers: { Accept: MANIFEST_TYPES } })
        ).json();
    }
    return { base, manifest };
}

/** The `io.pulumi-flyte.built-by` label of an image in the local registry (the stack that built it). */
export async function registryBuiltBy(uri: string): Promise<string | undefined> {
    const { base, manifest } = await imageManifest(uri);
    const config: any = await (await registryFetch(`${base}/blobs/${manifest.config.digest}`)).json();
    return config.config?.Labels?.["io.pulumi-flyte.built-by"];
}

/** The config and every layer (decompressed) of an image in the local registry. */
export async function imageBlobs(uri: string): Promise<Buffer[]> {
    const { base, manifest } = await imageManifest(uri);
    const out: Buffer[] = [];
    for (const d of [manifest.config.digest, ...manifest.layers.map((l: any) => l.digest)]) {
        const raw = Buffer.from(await (await registryFetch(`${base}/blobs/${d}`)).arrayBuffer());
        out.push(raw[0] === 0x1f && raw[1] === 0x8b ? zlib.gunzipSync(raw) : raw);
    }
    return out;
}

export function listFiles(dir: string): string[] {
    return fs
        .readdirSync(dir, { withFileTypes: true })
        .flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** The PodTemplates the quickstart renders for a profile (environments, the smoke environment, their tasks), with the node each must land on. */
export function quickstartTemplates(
    profile: BuiltinProfileName,
    namespace: string,
    imageRef: string,
    gpus = { trainGpus: 4, evaluateGpus: 1 },
) {
    const out: { name: string; expected: any; node: string }[] = [];
    for (const row of [...environmentsFor(profile, gpus), smokeEnvironment]) {
        const env = {
            name: row.name,
            image: imageRef,
            resources: row.resources,
            secrets: row.secrets,
            envVars: row.envVars,
            interruptible: row.interruptible,
        };
        out.push({ name: row.name, expected: renderPodTemplate(env, { profile, namespace }), node: row.expectedNode });
        if (row.name === "train")
            out.push({
                name: "train-fit",
                expected: renderPodTemplate(env, {
                    profile,
                    namespace,
                    task: { name: "fit", retries: 2, timeout: "6h", cache: "auto" },
                }),
                node: row.expectedNode,
            });
        if (row.name === "prep")
            out.push({
                name: "prep-load",
                expected: renderPodTemplate(env, { profile, namespace, task: { name: "load", retries: 1 } }),
                node: row.expectedNode,
            });
        if (row.name === "smoke")
            out.push({
                name: "smoke-report",
                expected: renderPodTemplate(env, { profile, namespace, task: { name: "report" } }),
                node: row.expectedNode,
            });
    }
    return out;
}

/** The API server holds exactly these templates in `namespace`, each containing what was rendered. */
export async function expectTemplatesStored(
    kube: KubeClient,
    namespace: string,
    templates: { name: string; expected: any }[],
): Promise<void> {
    const stored = await kube.list(`/api/v1/namespaces/${namespace}/podtemplates`);
    expect(stored.map((t: any) => t.metadata.name).sort()).toEqual(templates.map((t) => t.name).sort());
    for (const t of templates) {
        const actual = stored.find((s: any) => s.metadata.name === t.name);
        expectContains(
            { metadata: actual.metadata, template: actual.template },
            { metadata: t.expected.metadata, template: t.expected.template },
            t.name,
        );
    }
}

/** Objects managed by pulumi-flyte in these namespaces (and the namespaces themselves). */
export async function objectCount(kube: KubeClient, namespaces: readonly string[]): Promise<Record<string, number>> {
    const label = "labelSelector=app.kubernetes.io%2Fmanaged-by%3Dpulumi-flyte";
    const present = (await kube.list("/api/v1/namespaces")).filter((n: any) =>
        namespaces.includes(n.metadata.name),
    ).length;
    const count = async (group: string, kind: string) => {
        let n = 0;
        for (const ns of namespaces) n += (await kube.list(`${group}/namespaces/${ns}/${kind}?${label}`)).length;
        return n;
    };
    return {
        namespaces: present,
        podtemplates: await count("/api/v1", "podtemplates"),
        secrets: await count("/api/v1", "secrets"),
        jobs: await count("/apis/batch/v1", "jobs"),
        cronjobs: await count("/apis/batch/v1", "cronjobs"),
        deployments: await count("/apis/apps/v1", "deployments"),
        pods: await count("/api/v1", "pods"),
    };
}

export const NOTHING = { namespaces: 0, podtemplates: 0, secrets: 0, jobs: 0, cronjobs: 0, deployments: 0, pods: 0 };
