/**
 * The local registry behaves like a production one: TLS with a certificate of the
 * platform's CA, trusted by every client that reads it (our lookups, the Docker
 * provider's refresh, BuildKit's push, the worker's containerd), and `pulumi refresh`
 * verifies images: a no-change `up --refresh` shows no warning and no diff; an image
 * deleted from the registry is noticed by the next refresh and built and pushed again by
 * the next `up`, whose digest the registry serves whole.
 */
import * as path from "path";
import { KubeClient, kubeClient } from "../../scripts/lib/kube-client";
import { trustedFetch } from "../../sdk/src/build/trust";
import { checkPullable } from "../../sdk/src/build/registry";
import { platformCa, registryDigest, registryFetch } from "./helpers";
import {
    REPO,
    TrustStack,
    changes,
    diagnostics,
    recorded,
    requireEnv,
    saveLogs,
    trustStack,
    trustWorkspace,
} from "./workspace";

jest.setTimeout(30 * 60_000);

const WORK_DIR = path.join(REPO, ".work", "e2e-registry-trust");
const NS = "flyte-e2e-trust";
const MANIFEST_TYPES =
    "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json";
let kube: KubeClient;
let s: TrustStack;

beforeAll(async () => {
    requireEnv("SSL_CERT_DIR"); // the platform's env file (scripts/env.sh) gives the CA to Go programs and our lookups
    kube = kubeClient(requireEnv("KUBECONFIG"));
    const ws = await trustWorkspace("registry-trust-e2e", WORK_DIR);
    s = await trustStack(ws, kube, "dev", NS, { round: String(Date.now()), imageName: "registry-trust-e2e" });
});

afterAll(async () => {
    if (s) await s.stack.destroy(recorded(s)).catch((err: Error) => s.logs.push(String(err)));
    if (kube) await kube.remove(`/api/v1/namespaces/${NS}`);
    saveLogs(WORK_DIR, s ? [s] : []);
});

test("the registry serves TLS with the platform's certificate: verified with the CA, refused without it, no plain HTTP", async () => {
    expect((await registryFetch("https://127.0.0.1:30000/v2/")).status).toBe(200);
    expect((await registryFetch("https://localhost:30000/v2/")).status).toBe(200);
    const withoutCa = await trustedFetch({ SSL_CERT_FILE: "/etc/ssl/certs/ca-certificates.crt" })(
        "https://127.0.0.1:30000/v2/",
    ).then(
        () => "accepted",
        (e) => e.code,
    );
    expect(withoutCa).toBe("UNABLE_TO_VERIFY_LEAF_SIGNATURE");
    const plain = await fetch("http://127.0.0.1:30000/v2/").then(
        (r) => r.status,
        (e) => String(e),
    );
    expect(plain).toBe(400); // Go's TLS server: "Client sent an HTTP request to an HTTPS server"
    expect(platformCa()).toMatch(/pki\/ca\.crt$/);
});

test("up builds and pushes over TLS; a no-change up --refresh shows no warning and no diff", async () => {
    const first = await s.stack.up(recorded(s));
    expect(first.summary.result).toBe("succeeded");
    const out = await s.stack.outputs();
    expect(out.built.value).toBe(true);
    const digest = registryDigest(out.uri.value);
    expect(out.imageRef.value).toBe(`localhost:30000/registry-trust-e2e@${digest}`);
    // the refresh reads every image at its digest over TLS: no "unable to verify image tags", no ~contextHash
    const from = s.events.length;
    const again = await s.stack.up({ ...recorded(s), refresh: true });
    expect(again.summary.result).toBe("succeeded");
    expect(diagnostics(s, from)).toEqual([]);
    expect(changes(s, from)).toEqual([]);
    expect(s.logs.join("").includes("unable to verify image tags")).toBe(false);
});

test("an image deleted from the registry is noticed by the next refresh and pushed again by the next up", async () => {
    const out = await s.stack.outputs();
    const uri: string = out.uri.value;
    const old = registryDigest(uri)!;
    const del = await registryFetch(`https://127.0.0.1:30000/v2/registry-trust-e2e/manifests/${old}`, {
        method: "DELETE",
    });
    expect(del.status).toBe(202);
    expect(registryDigest(uri)).toBeUndefined();

    const from = s.events.length;
    await s.stack.refresh(recorded(s));
    // the Docker provider's refresh found the digest gone: the build left the state
    expect(changes(s, from).filter((c) => c.includes("docker-build:index:Image"))).toEqual([
        "delete docker-build:index:Image app-image-build",
    ]);
    expect(diagnostics(s, from, ["error"])).toEqual([]);

    const healed = await s.stack.up(recorded(s));
    expect(healed.summary.result).toBe("succeeded");
    expect(healed.summary.resourceChanges?.create).toBe(1); // the build, again
    const digest = registryDigest(uri)!;
    expect(digest).toMatch(/^sha256:/);
    expect(await checkPullable(uri, digest)).toBeUndefined();
    const tpl = await kube.get(`/api/v1/namespaces/${NS}/podtemplates/${(await s.stack.outputs()).podTemplate.value}`);
    expect(tpl.template.spec.containers[0].image).toBe(`localhost:30000/registry-trust-e2e@${digest}`);
    const manifest = await registryFetch(`https://127.0.0.1:30000/v2/registry-trust-e2e/manifests/${digest}`, {
        headers: { Accept: MANIFEST_TYPES },
    });
    expect(manifest.status).toBe(200);

    // converged: the next refresh and up change nothing
    const next = s.events.length;
    await s.stack.up({ ...recorded(s), refresh: true });
    expect(changes(s, next)).toEqual([]);
    expect(diagnostics(s, next)).toEqual([]);
});
