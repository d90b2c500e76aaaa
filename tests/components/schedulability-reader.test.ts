/**
 * The scheduling check reads the cluster's nodes with run wait's small client when the
 * kubeconfig is one file with a certificate or token user (loading @kubernetes/client-node
 * costs 2-3 s of CPU under load); other kubeconfigs go to @kubernetes/client-node. The
 * cluster's DRA objects (resource.k8s.io/v1) are read with the same client.
 */
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { AddressInfo } from "net";
import { readClusterNodes } from "../../sdk/src/components/schedulability";

const node = (name: string, gpu?: string) => ({
    metadata: { name, labels: { "kubernetes.io/hostname": name } },
    spec: {},
    status: { allocatable: { cpu: "4", memory: "16Gi", pods: "110", ...(gpu ? { "nvidia.com/gpu": gpu } : {}) } },
});

let server: http.Server;
let port: number;
let requests: { path?: string; auth?: string }[];
let answer: { status: number; body: unknown };
/** Answers for resource.k8s.io/v1 collections, by plural (default: not served, 404). */
let draAnswers: Record<string, { status: number; body: unknown }>;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sched-reader-"));
const savedKubeconfig = process.env.KUBECONFIG;

function kubeconfig(user: string): string {
    const file = path.join(dir, `kubeconfig-${requests.length}-${Math.random().toString(36).slice(2)}`);
    fs.writeFileSync(
        file,
        [
            "apiVersion: v1",
            "kind: Config",
            "current-context: local",
            `clusters: [{name: local, cluster: {server: 'http://127.0.0.1:${port}'}}]`,
            `users: [{name: me, user: ${user}}]`,
            "contexts: [{name: local, context: {cluster: local, user: me}}]",
            "",
        ].join("\n"),
    );
    return file;
}

beforeAll(async () => {
    server = http.createServer((req, res) => {
        requests.push({ path: req.url, auth: req.headers.authorization });
        const dra = /^\/apis\/resource\.k8s\.io\/v1\/(\w+)$/.exec(req.url ?? "");
        const a = dra
            ? (draAnswers[dra[1]] ?? { status: 404, body: { kind: "Status", message: "not found" } })
            : answer;
        res.writeHead(a.status, { "content-type": "application/json" });
        res.end(JSON.stringify(a.body));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
});

beforeEach(() => {
    requests = [];
    answer = { status: 200, body: { kind: "NodeList", items: [node("cpu-1"), node("gpu-1", "8")] } };
    draAnswers = {};
});

afterAll(() => {
    server.close();
    if (savedKubeconfig === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = savedKubeconfig;
    fs.rmSync(dir, { recursive: true, force: true });
});

test("a token user: the nodes are listed with the small client, the token sent", async () => {
    process.env.KUBECONFIG = kubeconfig("{token: secret-token}");
    const result = await readClusterNodes();
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.nodes.map((n) => n.name)).toEqual(["cpu-1", "gpu-1"]);
    expect(result.nodes[1].allocatable["nvidia.com/gpu"]).toBe("8");
    expect(result.cluster).toBe(`http://127.0.0.1:${port}`);
    expect(requests.map((r) => r.path).sort()).toEqual([
        "/api/v1/nodes",
        "/apis/resource.k8s.io/v1/deviceclasses",
        "/apis/resource.k8s.io/v1/resourceclaims",
        "/apis/resource.k8s.io/v1/resourceslices",
    ]);
    expect(requests.every((r) => r.auth === "Bearer secret-token")).toBe(true);
    // resource.k8s.io/v1 not served: no device is published through DRA
    expect(result.dra).toEqual({ deviceClasses: [], resourceSlices: [], resourceClaims: [] });
});

test("the DRA objects are read when served; a refusal makes them unreadable, the nodes still read", async () => {
    const list = (kind: string, items: unknown[]) => ({ status: 200, body: { kind, items } });
    draAnswers = {
        deviceclasses: list("DeviceClassList", [{ metadata: { name: "gpu.nvidia.com" } }]),
        resourceslices: list("ResourceSliceList", [{ metadata: { name: "s" }, spec: { driver: "gpu.nvidia.com" } }]),
        resourceclaims: list("ResourceClaimList", []),
    };
    process.env.KUBECONFIG = kubeconfig("{token: t}");
    const read = await readClusterNodes();
    expect(read.ok && read.dra).toEqual({
        deviceClasses: [{ metadata: { name: "gpu.nvidia.com" } }],
        resourceSlices: [{ metadata: { name: "s" }, spec: { driver: "gpu.nvidia.com" } }],
        resourceClaims: [],
    });
    draAnswers.resourceslices = {
        status: 403,
        body: { kind: "Status", message: 'resourceslices.resource.k8s.io is forbidden: User "me" cannot list' },
    };
    const refused = await readClusterNodes();
    expect(refused.ok && refused.dra).toEqual({
        unreadable:
            'cannot list ResourceSlices: resourceslices.resource.k8s.io is forbidden: User "me" cannot list (403)',
    });
});

test("a refusal is the reason, with the API server's message and status", async () => {
    answer = {
        status: 403,
        body: { kind: "Status", message: 'nodes is forbidden: User "me" cannot list resource "nodes"' },
    };
    process.env.KUBECONFIG = kubeconfig("{token: t}");
    expect(await readClusterNodes()).toEqual({
        ok: false,
        reason: 'nodes is forbidden: User "me" cannot list resource "nodes" (403)',
        status: 403,
    });
});

test("an API server that is not there is a reason, never a rejection", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const file = kubeconfig("{token: t}");
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace(`:${port}'`, `:${closedPort}'`));
    process.env.KUBECONFIG = file;
    const result = await readClusterNodes();
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/ECONNREFUSED/);
});

test("users the small client does not handle (exec plugins) are left to @kubernetes/client-node", async () => {
    process.env.KUBECONFIG = kubeconfig("{exec: {apiVersion: client.authentication.k8s.io/v1, command: /bin/false}}");
    await readClusterNodes();
    expect(requests.filter((r) => r.auth !== undefined)).toEqual([]);
});
