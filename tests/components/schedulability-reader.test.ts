/**
 * The scheduling check reads the cluster's nodes with run wait's small client when the
 * kubeconfig is one file with a certificate or token user (loading @kubernetes/client-node
 * costs 2-3 s of CPU under load); other kubeconfigs go to @kubernetes/client-node.
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
        res.writeHead(answer.status, { "content-type": "application/json" });
        res.end(JSON.stringify(answer.body));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
});

beforeEach(() => {
    requests = [];
    answer = { status: 200, body: { kind: "NodeList", items: [node("cpu-1"), node("gpu-1", "8")] } };
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
    expect(requests).toEqual([{ path: "/api/v1/nodes", auth: "Bearer secret-token" }]);
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
