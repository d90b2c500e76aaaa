/**
 * Faults during `pulumi up`, each injected so that only this test's stacks see it (the
 * platform is shared: its dockerd, registry and API server are never stopped), each
 * checked the same way: the error names the resource, the cause in a user's terms and
 * what to do; with the fault removed, the next `up` converges in one run; nothing is
 * orphaned (the objects our components own in the API server are the state's, no pod of
 * a replaced Job stays, nothing is left in the build work directory).
 *
 * - registry down: the stack pushes to a registry of its own (Debian's docker-registry,
 *   the platform's, on the platform's spare registry port, TLS), stopped and started by the test;
 * - Docker daemon down: DOCKER_HOST of that `up` names a socket nobody listens on;
 * - a failing build step: a pip package that does not exist;
 * - API server down: the stack's kubeconfig points at a TCP proxy in this process, in
 *   front of the platform's API server, closed and reopened;
 * - SIGINT during the build, during the Kubernetes updates and during a run's Job
 *   replacement (the Automation API's abort signal interrupts the `pulumi` process);
 * - a run's Job replaced 10 times (image, command) while its pod runs on the real node;
 * - two `up`s of one stack at once.
 * The closing table (fault, message, runs to converge, orphans) is written to
 * .work/e2e-faults/faults.md.
 */
import { EngineEvent, LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { KubeClient, kubeClient, waitFor } from "../../scripts/lib/kube-client";
import { platformCa, registryFetch } from "./helpers";
import { REPO, freshWorkDir, programWorkspace, requireEnv } from "./workspace";

jest.setTimeout(40 * 60_000);

const WORK_DIR = path.join(REPO, ".work", "e2e-faults");
const BUILD_DIR = path.join(WORK_DIR, "build");
const NS = "flyte-e2e-faults";
const RUNS_NS = "flyte-e2e-faults-runs";
const SECRET = "pypi-faults-3b7e19c04d2a";
const MISSING_PACKAGE = "pulumi-flyte-no-such-package-e2e";
/** scripts/platform/lib.sh's PF_SPARE_REGISTRY_PORT: a registry address the platform's clients trust. */
const SPARE_REGISTRY_PORT = 30001;

interface Row {
    fault: string;
    message: string;
    runs: number;
    orphans: number;
}
const table: Row[] = [];
const logs: string[] = [];
let kube: KubeClient;
let ws: LocalWorkspace;
let build: Stack;
let runs: Stack;

// ---------------------------------------------------------------- the test's own fault points

function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const s = net.createServer().listen(0, "127.0.0.1", () => {
            const port = (s.address() as net.AddressInfo).port;
            s.close(() => resolve(port));
        });
        s.on("error", reject);
    });
}

/**
 * A registry of this test's stack only: Debian's docker-registry (the platform's) on the
 * platform's spare registry port (scripts/platform/lib.sh: PF_SPARE_REGISTRY_PORT, which
 * dockerd's BuildKit and every other client trust), TLS with the platform registry's certificate.
 */
class OwnRegistry {
    private proc?: ChildProcess;
    constructor(
        readonly port: number,
        private readonly dir: string,
    ) {}
    get host(): string {
        return `127.0.0.1:${this.port}`;
    }
    async start(): Promise<void> {
        fs.mkdirSync(path.join(this.dir, "data"), { recursive: true });
        const config = path.join(this.dir, "config.yml");
        fs.writeFileSync(
            config,
            [
                "version: 0.1",
                "log:",
                "  level: warn",
                "storage:",
                "  filesystem:",
                `    rootdirectory: ${path.join(this.dir, "data")}`,
                "  delete:",
                "    enabled: true",
                "http:",
                `  addr: ${this.host}`,
                "  tls:",
                `    certificate: ${path.join(path.dirname(platformCa()), "registry.crt")}`,
                `    key: ${path.join(path.dirname(platformCa()), "registry.key")}`,
                "",
            ].join("\n"),
        );
        this.proc = spawn("docker-registry", ["serve", config], {
            stdio: ["ignore", "ignore", fs.openSync(path.join(this.dir, "registry.log"), "a")],
        });
        const up = await waitFor(
            async () =>
                (await registryFetch(`https://${this.host}/v2/`).then(
                    (r) => r.status,
                    () => 0,
                )) === 200,
            30_000,
        );
        if (!up) throw new Error(`the test's registry did not start on ${this.host}; see ${this.dir}/registry.log`);
    }
    async stop(): Promise<void> {
        const p = this.proc;
        if (!p || p.exitCode !== null) return;
        await new Promise((r) => {
            p.once("exit", r);
            p.kill("SIGTERM");
        });
        this.proc = undefined;
    }
}

/** A TCP proxy in this process in front of the platform's API server; closing it also cuts open connections. */
class ApiProxy {
    private server?: net.Server;
    private readonly sockets = new Set<net.Socket>();
    constructor(
        readonly port: number,
        private readonly target: URL,
    ) {}
    get url(): string {
        return `https://127.0.0.1:${this.port}`;
    }
    open(): Promise<void> {
        this.server = net.createServer((client) => {
            const upstream = net.connect(Number(this.target.port || 443), this.target.hostname);
            for (const s of [client, upstream]) {
                this.sockets.add(s);
                s.on("close", () => this.sockets.delete(s));
                s.on("error", () => (s === client ? upstream : client).destroy());
            }
            client.pipe(upstream);
            upstream.pipe(client);
        });
        return new Promise((resolve) => this.server!.listen(this.port, "127.0.0.1", () => resolve()));
    }
    close(): Promise<void> {
        const s = this.server;
        this.server = undefined;
        this.sockets.forEach((c) => c.destroy());
        return s ? new Promise((resolve) => s.close(() => resolve())) : Promise.resolve();
    }
}

let registry: OwnRegistry;
let proxy: ApiProxy;

// ---------------------------------------------------------------- running `pulumi up`

interface UpResult {
    ok: boolean;
    text: string;
}

/** `pulumi up`, its outcome and everything it printed (the error's text when it failed). */
async function up(
    stack: Stack,
    options: { signal?: AbortSignal; onEvent?: (e: EngineEvent) => void } = {},
): Promise<UpResult> {
    const out: string[] = [];
    try {
        await stack.up({
            color: "never",
            onOutput: (s) => {
                out.push(s);
                logs.push(s);
            },
            ...options,
        });
        return { ok: true, text: out.join("") };
    } catch (err) {
        logs.push(String(err));
        return { ok: false, text: `${out.join("")}\n${(err as Error).message}` };
    }
}

/** The `up`s it takes, with the fault removed, until one succeeds (at most 3). */
async function runsToConverge(stack: Stack): Promise<number> {
    for (let n = 1; n <= 3; n++) if ((await up(stack)).ok) return n;
    return Infinity;
}

/** The diagnostics printed under `<type> (<name>):` (one block per resource in Pulumi's summary). */
function diagnostics(text: string, type: string, name: string): string {
    const lines = text.split("\n");
    const at = lines.findIndex((l) => l.trim() === `${type} (${name}):`);
    if (at < 0) return "";
    const block: string[] = [];
    for (const l of lines.slice(at + 1)) {
        if (!/^\s{4}/.test(l) && l.trim() !== "") break;
        block.push(l);
    }
    return block.join("\n");
}

// ---------------------------------------------------------------- orphans

const OWNED_KINDS: [string, string][] = [
    ["/api/v1", "podtemplates"],
    ["/api/v1", "secrets"],
    ["/api/v1", "services"],
    ["/apis/batch/v1", "jobs"],
    ["/apis/batch/v1", "cronjobs"],
    ["/apis/apps/v1", "deployments"],
];

/**
 * What is left over: objects labelled as ours in `namespace` that the state does not
 * have (and the reverse), pods not owned by a Job of the state once the garbage
 * collector had two minutes, build contexts of no build in the state, and files holding
 * the build secret.
 */
async function orphans(stack: Stack, namespace: string): Promise<string[]> {
    const state = await stack.exportStack();
    const resources: any[] = (state.deployment as any).resources ?? [];
    const inState = new Set<string>();
    const jobUids = new Set<string>();
    for (const r of resources) {
        const m = r.outputs?.metadata;
        if (!String(r.type).startsWith("kubernetes:") || m?.namespace !== namespace) continue;
        inState.add(`${r.outputs.kind}/${m.name}`);
        if (r.outputs.kind === "Job") jobUids.add(m.uid);
    }
    const found: string[] = [];
    const inCluster = new Set<string>();
    for (const [group, kind] of OWNED_KINDS) {
        for (const o of await kube.list(
            `${group}/namespaces/${namespace}/${kind}?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dpulumi-flyte`,
        )) {
            const key = `${o.kind ?? kindOf(kind)}/${o.metadata.name}`;
            inCluster.add(key);
            if (!inState.has(key)) found.push(`${key} is in the API server, not in the state`);
        }
    }
    for (const key of inState)
        if (!key.startsWith("Namespace/") && !inCluster.has(key))
            found.push(`${key} is in the state, not in the API server`);
    const strayPods = async () =>
        (await kube.list(`/api/v1/namespaces/${namespace}/pods`)).filter(
            (p: any) => !(p.metadata.ownerReferences ?? []).some((o: any) => jobUids.has(o.uid)),
        );
    await waitFor(async () => (await strayPods()).length === 0, 120_000, 1000);
    for (const p of await strayPods())
        found.push(
            `pod ${p.metadata.name} (of ${(p.metadata.ownerReferences ?? []).map((o: any) => `${o.kind} ${o.name} ${o.uid}`).join(", ") || "no owner"}) lingers`,
        );
    // the context of a build in a state stays (a refresh hashes it again); any other is left over.
    // Both stacks of this test build in BUILD_DIR: the contexts of either's builds are theirs
    const contexts = path.join(BUILD_DIR, "contexts");
    const builds = new Set<string>();
    for (const st of [build, runs].filter((x) => x)) {
        const all: any[] = ((await st.exportStack()).deployment as any).resources ?? [];
        for (const r of all) if (r.type === "docker-build:index:Image") builds.add(r.inputs?.context?.location);
    }
    for (const entry of fs.existsSync(contexts) ? fs.readdirSync(contexts) : [])
        if (!builds.has(path.join(contexts, entry))) found.push(`build context ${entry} is left in ${contexts}`);
    for (const file of listFiles(WORK_DIR).filter(
        (f) => !f.startsWith(path.join(WORK_DIR, "state")) && !f.endsWith("engine.log"),
    )) {
        if (fs.readFileSync(file).includes(SECRET)) found.push(`${file} holds the build secret`);
    }
    return found;
}

function kindOf(plural: string): string {
    return {
        podtemplates: "PodTemplate",
        secrets: "Secret",
        services: "Service",
        jobs: "Job",
        cronjobs: "CronJob",
        deployments: "Deployment",
    }[plural]!;
}

function listFiles(dir: string): string[] {
    if (!fs.existsSync(dir)) return [];
    return fs
        .readdirSync(dir, { withFileTypes: true })
        .flatMap((e) =>
            e.isDirectory() ? listFiles(path.join(dir, e.name)) : e.isFile() ? [path.join(dir, e.name)] : [],
        );
}

/** Heals with the fault removed, checks orphans, and records the row of the closing table. */
async function healAndRecord(fault: string, message: string, stack: Stack, namespace: string): Promise<void> {
    const n = await runsToConverge(stack);
    const left = n === Infinity ? [] : await orphans(stack, namespace);
    table.push({ fault, message, runs: n, orphans: left.length });
    expect({ fault, runs: n, orphans: left }).toEqual({ fault, runs: 1, orphans: [] });
}

// ---------------------------------------------------------------- setup

const baseImage = (): string =>
    JSON.parse(fs.readFileSync(requireEnv("PULUMI_FLYTE_BASE_IMAGES"), "utf8"))["python:3.11-slim-bookworm"];

beforeAll(async () => {
    const kubeconfig = requireEnv("KUBECONFIG");
    kube = kubeClient(kubeconfig);
    for (const ns of [NS, RUNS_NS]) await kube.remove(`/api/v1/namespaces/${ns}`);
    await waitFor(
        async () =>
            (await Promise.all([NS, RUNS_NS].map((ns) => kube.request("GET", `/api/v1/namespaces/${ns}`)))).every(
                (r) => r.status === 404,
            ),
        180_000,
        1000,
    );
    freshWorkDir(WORK_DIR);

    registry = new OwnRegistry(SPARE_REGISTRY_PORT, path.join(WORK_DIR, "registry"));
    await registry.start();
    const server = /server:\s*(\S+)/.exec(fs.readFileSync(kubeconfig, "utf8"))![1];
    proxy = new ApiProxy(await freePort(), new URL(server));
    await proxy.open();
    const proxied = path.join(WORK_DIR, "kubeconfig");
    fs.writeFileSync(proxied, fs.readFileSync(kubeconfig, "utf8").replace(`server: ${server}`, `server: ${proxy.url}`));

    ws = await programWorkspace(
        "faults",
        WORK_DIR,
        {
            // the program is type-checked with the repository (tsc); each of the ~30 runs skips it
            PULUMI_NODEJS_TRANSPILE_ONLY: "true",
            PULUMI_FLYTE_BUILD_WORKDIR: BUILD_DIR,
            // the stacks reach the API server through the proxy (the default provider's kubeconfig)
            KUBECONFIG: proxied,
        },
        { fresh: false }, // the registry's storage is in it already
    );
    build = await Stack.create("build", ws);
    await build.setAllConfig({
        "flyte:namespace": { value: NS },
        "flyte:profile": { value: "gke" },
        "flyte:registry": { value: registry.host },
        "flyte:buildNetwork": { value: "host" },
        mode: { value: "build" },
        variant: { value: "v0" },
        pypiToken: { value: SECRET, secret: true },
    });
    runs = await Stack.create("runs", ws);
    await runs.setAllConfig({
        "flyte:namespace": { value: RUNS_NS },
        "flyte:profile": { value: "gke" },
        mode: { value: "runs" },
        variant: { value: "r0" },
        runImage: { value: baseImage() },
    });
    const first = await up(build);
    expect(first.ok).toBe(true);
});

afterAll(async () => {
    for (const s of [build, runs])
        if (s)
            await s
                .destroy({ color: "never", onOutput: (o) => logs.push(o) })
                .catch((err: Error) => logs.push(String(err)));
    await registry?.stop();
    await proxy?.close();
    fs.mkdirSync(WORK_DIR, { recursive: true });
    fs.writeFileSync(path.join(WORK_DIR, "engine.log"), logs.join(""));
    const rows = table.map(
        (r) => `| ${r.fault} | ${r.message.replace(/\|/g, "\\|").replace(/\n/g, " ")} | ${r.runs} | ${r.orphans} |`,
    );
    const md = ["| fault | message seen | runs to converge | orphans |", "|---|---|---|---|", ...rows].join("\n");
    fs.writeFileSync(path.join(WORK_DIR, "faults.md"), `${md}\n`);
    console.log(md);
});

// ---------------------------------------------------------------- the faults

test("registry down during `up` with an image change pending: the ImageBuild says the registry at <host> refused the connection; nothing built", async () => {
    await registry.stop();
    await build.setConfig("variant", { value: "v1" });
    const r = await up(build);
    await registry.start();
    expect(r.ok).toBe(false);
    const message = diagnostics(r.text, "flyte:index:ImageBuild", "faults-image");
    expect(message).toContain(
        `error: the registry at ${registry.host} refused the connection (nothing listens there); nothing was built or pushed for ${registry.host}/faults-e2e:`,
    );
    expect(message).toContain(
        "Start the registry (or fix the network to it), or set flyte:registry (or the image's registry) to one that runs, then run `pulumi up` again",
    );
    await healAndRecord("registry down during up (image change pending)", firstError(message), build, NS);
});

test("Docker daemon down during `up`: the ImageBuild says the daemon is not running, where, and what to do", async () => {
    const dockerHost = process.env.DOCKER_HOST;
    const nowhere = `unix://${path.join(WORK_DIR, "no-docker.sock")}`;
    ws.envVars.DOCKER_HOST = nowhere;
    await build.setConfig("variant", { value: "v2" });
    const r = await up(build).finally(() => {
        if (dockerHost) ws.envVars.DOCKER_HOST = dockerHost;
        else delete ws.envVars.DOCKER_HOST;
    });
    expect(r.ok).toBe(false);
    const message = diagnostics(r.text, "flyte:index:ImageBuild", "faults-image");
    expect(message).toContain(
        `error: the Docker daemon is not running: nothing listens at ${nowhere} (the socket does not exist); nothing was built or pushed for ${registry.host}/faults-e2e:`,
    );
    expect(message).toContain(
        "point DOCKER_HOST (or docker-build:host) at a running daemon, then run `pulumi up` again",
    );
    await healAndRecord("Docker daemon down during up", firstError(message), build, NS);
});

test("a failing build step (a pip package that does not exist): the ImageBuild names the step and shows its last output lines", async () => {
    await build.setConfig("pip", { value: MISSING_PACKAGE });
    const r = await up(build);
    await build.removeConfig("pip");
    expect(r.ok).toBe(false);
    const message = diagnostics(r.text, "flyte:index:ImageBuild", "faults-image");
    expect(message).toMatch(
        new RegExp(
            `error: the build step \`pip install ${MISSING_PACKAGE}\` \\(step \\d+/\\d+ of the Dockerfile\\) failed with exit code 1; its last output lines:`,
        ),
    );
    expect(message).toContain(`| ERROR: No matching distribution found for ${MISSING_PACKAGE}`);
    expect(message).toContain(
        "Fix the step (a package name or version, an index URL, a command), then run `pulumi up` again",
    );
    expect(r.text).not.toContain(SECRET);
    await healAndRecord("a failing build step (pip package that does not exist)", firstError(message), build, NS);
});

test("API server down during `up`, then back: the API server at <url> is unreachable, and what to do", async () => {
    await proxy.close();
    await build.setConfig("variant", { value: "v3" });
    const r = await up(build);
    await proxy.open();
    expect(r.ok).toBe(false);
    const message = diagnostics(r.text, "flyte:index:TaskEnvironment", "faults");
    expect(message).toContain(
        `error: the API server at ${proxy.url} is unreachable: it refused the connection (nothing listens there); no Kubernetes object of this stack could be created, updated or deleted.`,
    );
    expect(message).toContain("point kubernetes:kubeconfig / KUBECONFIG at a running one, then run `pulumi up` again");
    // the provider's error names the object it could not update: whichever of the
    // environment's objects it tried first (the engine cancels the others then)
    const objects = [
        "kubernetes:core/v1:PodTemplate faults-podtemplate",
        "kubernetes:core/v1:PodTemplate faults-step-podtemplate",
        "kubernetes:batch/v1:Job faults-step-once-job",
    ];
    expect(
        objects.filter((o) => {
            const [type, name] = o.split(" ");
            return diagnostics(r.text, type, name).includes("configured Kubernetes cluster is unreachable");
        }),
    ).not.toEqual([]);
    await healAndRecord("API server down during up, then back", firstError(message), build, NS);
});

test.each([
    ["during the build", (e: EngineEvent) => /running the build steps/.test(e.diagnosticEvent?.message ?? "")],
    [
        "during the Kubernetes updates",
        (e: EngineEvent) => {
            const m = e.resourcePreEvent?.metadata;
            return !!m && m.type.startsWith("kubernetes:") && m.op !== "same";
        },
    ],
])("SIGINT %s, then `up` again", async (when, trigger) => {
    await build.setConfig("variant", { value: `sigint-${when.split(" ").pop()}` });
    const abort = new AbortController();
    let sent = false;
    const r = await up(build, {
        signal: abort.signal,
        onEvent: (e) => {
            if (!sent && trigger(e)) {
                sent = true;
                abort.abort();
            }
        },
    });
    expect({ sent, ok: r.ok }).toEqual({ sent: true, ok: false });
    expect(r.text).toMatch(/cancel/i);
    await healAndRecord(
        `SIGINT ${when}`,
        /error: (update canceled.*)/.exec(r.text)?.[1] ?? firstError(r.text),
        build,
        NS,
    );
});

test("a run's Job replaced 10 times (image, command) while its pod runs on the real node: 10 replacements, 0 failures", async () => {
    const image = baseImage();
    const digest = await imageDigest(image);
    const images = [image, `${image.replace(/:[^:/]+$/, "")}@${digest}`];
    expect((await up(runs)).ok).toBe(true);
    const failures: string[] = [];
    let uid = (await kube.get(`/apis/batch/v1/namespaces/${RUNS_NS}/jobs/runner-work-once`)).metadata.uid;
    for (let i = 1; i <= 10; i++) {
        // odd: a new command (argument); even: the same base image by tag or by digest
        if (i % 2) await runs.setConfig("variant", { value: `r${i}` });
        else await runs.setConfig("runImage", { value: images[(i / 2) % 2] });
        const r = await up(runs);
        const job = await kube.get(`/apis/batch/v1/namespaces/${RUNS_NS}/jobs/runner-work-once`);
        if (!r.ok || job.metadata.uid === uid)
            failures.push(
                `replacement ${i}: ${
                    r.ok
                        ? "the Job was not replaced"
                        : firstError(
                              r.text
                                  .split("\n")
                                  .filter((l) => /error/.test(l))
                                  .join(" "),
                          )
                }`,
            );
        uid = job.metadata.uid;
    }
    expect(failures).toEqual([]);
    const left = await orphans(runs, RUNS_NS);
    table.push({
        fault: "a run's Job replaced 10 times (image, command)",
        message: `${10 - failures.length} replacements, ${failures.length} failures`,
        runs: 1,
        orphans: left.length,
    });
    expect(left).toEqual([]);
});

test("SIGINT during a run's Job replacement, then `up` with an image change: the Job is replaced in one run (no field conflict with the old Job)", async () => {
    const image = baseImage();
    const current = (await runs.getConfig("runImage")).value;
    await runs.setConfig("variant", { value: "sigint-job" });
    const abort = new AbortController();
    let sent = false;
    const r = await up(runs, {
        signal: abort.signal,
        onEvent: (e) => {
            const m = e.resourcePreEvent?.metadata;
            if (
                !sent &&
                m?.type === "kubernetes:batch/v1:Job" &&
                ["delete-replaced", "create-replacement", "replace"].includes(m.op)
            ) {
                sent = true;
                abort.abort();
            }
        },
    });
    expect({ sent, ok: r.ok }).toEqual({ sent: true, ok: false });
    // the next `up` also changes the image: the run's Job is replaced again
    await runs.setConfig("runImage", {
        value: current === image ? `${image.replace(/:[^:/]+$/, "")}@${await imageDigest(image)}` : image,
    });
    await healAndRecord(
        "SIGINT during a run's Job replacement, then up with an image change",
        /error: (update canceled.*)/.exec(r.text)?.[1] ?? firstError(r.text),
        runs,
        RUNS_NS,
    );
});

test("two `up`s of one stack at once: the second is refused by the backend's lock with a clear message; nothing is corrupted", async () => {
    await runs.setConfig("variant", { value: "concurrent" });
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const first = up(runs, {
        onEvent: (e) => {
            if (e.resourcePreEvent) started();
        },
    });
    await running;
    const second = await up(runs);
    const firstResult = await first;
    expect(second.ok).toBe(false);
    expect(second.text).toContain("the stack is currently locked by 1 lock(s)");
    expect(second.text).toMatch(
        /Either wait for the other process\(es\) to end or delete the lock file with `pulumi cancel`/,
    );
    expect(firstResult.ok).toBe(true);
    // the state is whole: a preview changes nothing, and the cluster agrees with it
    const preview = await runs.preview({ color: "never" });
    expect(Object.keys(preview.changeSummary).filter((op) => op !== "same")).toEqual([]);
    const left = await orphans(runs, RUNS_NS);
    table.push({
        fault: "two ups of one stack at once",
        message: second.text
            .split("\n")
            .find((l) => /locked/.test(l))!
            .replace(/^\s*error:\s*/, ""),
        runs: 0,
        orphans: left.length,
    });
    expect(left).toEqual([]);
});

test("after the faults, a preview of the build stack changes nothing", async () => {
    const preview = await build.preview({ color: "never" });
    expect(Object.keys(preview.changeSummary).filter((op) => op !== "same")).toEqual([]);
});

/** The first line of an error, for the table. */
function firstError(text: string): string {
    const line =
        text
            .split("\n")
            .map((l) => l.trim())
            .find((l) => l.startsWith("error:")) ?? text.trim().split("\n")[0];
    return line.replace(/^error:\s*/, "");
}

/** The digest the platform's registry serves for an image reference. */
async function imageDigest(ref: string): Promise<string> {
    const m = /^([^/]+)\/(.+):([^:/]+)$/.exec(ref)!;
    const res = await registryFetch(`https://${m[1]}/v2/${m[2]}/manifests/${m[3]}`, {
        method: "HEAD",
        headers: {
            Accept: "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json",
        },
    });
    const digest = res.headers.get("docker-content-digest");
    if (!digest) throw new Error(`no digest for ${ref} (${res.status})`);
    return digest;
}
