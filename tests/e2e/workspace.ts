/**
 * The end-to-end tests' Pulumi projects: scratch directories inside the repository (so
 * node resolves the workspace's modules), each with its own file backend and
 * passphrase. `createStacks` is the quickstart (the root Pulumi.yaml's program, the
 * stacks' config from the committed Pulumi.<stack>.yaml files); `programWorkspace` one
 * of the programs under tests/e2e/programs.
 */
import { EngineEvent, LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { KubeClient, waitFor } from "../../scripts/lib/kube-client";

export const REPO = path.resolve(__dirname, "../..");
export const WORK_DIR = path.join(REPO, ".work", "e2e");
export const PASSPHRASE = "pulumi-flyte-e2e";
export const E2E_NAMESPACES = { dev: "flyte-e2e-dev", prod: "flyte-e2e-prod" } as const;

/** Secrets the tests set; they must never show up in plaintext. */
export const SECRET_VALUES = {
    wandbApiKey: "wandb-e2e-8f1d2c7a9b3e4f60",
    pypiToken: "pypi-e2e-5a9c3e1f7d2b4c68",
    pypiTokenRotated: "pypi-e2e-rotated-0d6e2b94a1c7",
};

export interface E2EStacks {
    dev: Stack;
    prod: Stack;
    /** The environment the stacks' pulumi commands run with. */
    envVars: Record<string, string>;
}

export function requireEnv(name: string): string {
    const v = process.env[name];
    if (!v)
        throw new Error(
            `${name} is not set: run the end-to-end tests through \`npm test\` (it builds the toolchain and starts the platform)`,
        );
    return v;
}

/**
 * The environment of a scratch project's pulumi commands: a file backend under
 * `workDir`/state, the passphrase, no update check and no plugin download; `extra` adds to it.
 */
export function workspaceEnv(
    workDir: string,
    extra: Record<string, string> = {},
    passphrase = PASSPHRASE,
): Record<string, string> {
    return {
        PULUMI_BACKEND_URL: `file://${path.join(workDir, "state")}`,
        PULUMI_CONFIG_PASSPHRASE: passphrase,
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        ...extra,
    };
}

/** Empties `workDir` and makes its state folder (a scratch project starts from nothing). */
export function freshWorkDir(workDir: string): void {
    fs.rmSync(workDir, { recursive: true, force: true });
    fs.mkdirSync(path.join(workDir, "state"), { recursive: true });
}

/**
 * A scratch project (`project`, default `<program>-e2e`) running
 * tests/e2e/programs/<program>/index.ts in `workDir`, emptied first unless `fresh` is
 * false (the caller made it); `envVars` add to `workspaceEnv`.
 */
export async function programWorkspace(
    program: string,
    workDir: string,
    envVars: Record<string, string> = {},
    { fresh = true, project = `${program}-e2e` }: { fresh?: boolean; project?: string } = {},
): Promise<LocalWorkspace> {
    if (fresh) freshWorkDir(workDir);
    return LocalWorkspace.create({
        workDir,
        projectSettings: {
            name: project,
            runtime: { name: "nodejs", options: { typescript: true } },
            main: path.relative(workDir, path.join(__dirname, "programs", program, "index.ts")),
        },
        envVars: workspaceEnv(workDir, envVars),
        secretsProvider: "passphrase",
    });
}

/** Deletes a namespace (if there is one) and waits until it is gone. */
export async function removeNamespace(kube: KubeClient, namespace: string, timeoutMs = 120_000): Promise<void> {
    await kube.remove(`/api/v1/namespaces/${namespace}`);
    await waitFor(async () => (await kube.request("GET", `/api/v1/namespaces/${namespace}`)).status === 404, timeoutMs);
}

export async function createStacks(): Promise<E2EStacks> {
    freshWorkDir(WORK_DIR);
    const project = yaml.load(fs.readFileSync(path.join(REPO, "Pulumi.yaml"), "utf8")) as any;
    project.main = path.relative(WORK_DIR, path.join(REPO, project.main));
    const envVars = workspaceEnv(WORK_DIR, { PULUMI_FLYTE_BUILD_WORKDIR: path.join(WORK_DIR, "build") });
    const stackSettings: Record<string, any> = {};
    for (const name of ["dev", "prod"]) {
        const settings = yaml.load(fs.readFileSync(path.join(REPO, `Pulumi.${name}.yaml`), "utf8")) as any;
        // own namespaces, so a demo deployed on the same platform is left alone
        settings.config["flyte:namespace"] = E2E_NAMESPACES[name as "dev" | "prod"];
        stackSettings[name] = settings;
    }
    const ws = await LocalWorkspace.create({
        workDir: WORK_DIR,
        projectSettings: project,
        stackSettings,
        envVars,
        secretsProvider: "passphrase",
    });
    const dev = await Stack.create("dev", ws);
    const prod = await Stack.create("prod", ws);
    for (const s of [dev, prod]) {
        await s.setConfig("wandbApiKey", { value: SECRET_VALUES.wandbApiKey, secret: true });
        await s.setConfig("pypiToken", { value: SECRET_VALUES.pypiToken, secret: true });
    }
    return { dev, prod, envVars };
}

// ------------------------------------------------------------------ the trust program's stacks
// tests/e2e/programs/trust (one environment built from its own image), for the
// registry-trust, field-conflict and concurrent-stacks tests: one project per test, one
// namespace per stack, the file backend and build work directory under .work/<test>.

export interface TrustStack {
    stack: Stack;
    namespace: string;
    logs: string[];
    events: EngineEvent[];
}

/** A fresh namespace (an old one of this name is deleted first, waiting at most `timeoutMs`). */
export async function freshNamespace(kube: KubeClient, ns: string, timeoutMs = 120_000): Promise<void> {
    await removeNamespace(kube, ns, timeoutMs);
    await kube.create("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
}

/** A workspace of the trust program in `workDir` (state, build contexts and locks there). */
export async function trustWorkspace(project: string, workDir: string): Promise<LocalWorkspace> {
    return programWorkspace("trust", workDir, { PULUMI_FLYTE_BUILD_WORKDIR: path.join(workDir, "build") }, { project });
}

/** A stack of the trust program in its own namespace. */
export async function trustStack(
    ws: LocalWorkspace,
    kube: KubeClient,
    name: string,
    namespace: string,
    config: Record<string, string>,
): Promise<TrustStack> {
    await freshNamespace(kube, namespace);
    const stack = await Stack.create(name, ws);
    await stack.setAllConfig({
        "flyte:namespace": { value: namespace },
        "flyte:profile": { value: "gke" },
        "flyte:registry": { value: "localhost:30000" },
        "flyte:buildNetwork": { value: "host" },
        ...Object.fromEntries(Object.entries(config).map(([k, v]) => [k, { value: v }])),
    });
    return { stack, namespace, logs: [], events: [] };
}

/** Options of an update/refresh that record its output and engine events on the stack. */
export function recorded(s: TrustStack) {
    return {
        color: "never" as const,
        onOutput: (line: string) => s.logs.push(line),
        onEvent: (e: EngineEvent) => s.events.push(e),
    };
}

/** The warnings and errors the engine reported since `from` (an index into the stack's events). */
export function diagnostics(s: TrustStack, from = 0, severities = ["warning", "error"]): string[] {
    return s.events
        .slice(from)
        .map((e) => e.diagnosticEvent)
        .filter((d) => d && severities.includes(d.severity))
        .map((d) => `${d!.severity}: ${d!.message.trim()}`);
}

/** Steps since `from` that changed something (refresh diffs included), as "op type name [diffs]". */
export function changes(s: TrustStack, from = 0): string[] {
    return s.events
        .slice(from)
        .map((e) => e.resOutputsEvent?.metadata)
        .filter(
            (m) =>
                m &&
                m.op !== "same" &&
                !(m.op === "refresh" && !(m.diffs ?? []).length) &&
                m.type !== "pulumi:pulumi:Stack",
        )
        .map(
            (m) =>
                `${m!.op} ${m!.type} ${m!.urn.split("::").pop()}${m!.diffs?.length ? ` [${m!.diffs.join(",")}]` : ""}`,
        );
}

/** Writes the stacks' engine output to `<workDir>/engine.log`. */
export function saveLogs(workDir: string, stacks: TrustStack[]): void {
    fs.mkdirSync(workDir, { recursive: true });
    fs.writeFileSync(
        path.join(workDir, "engine.log"),
        stacks.map((s) => `==== ${s.stack.name}\n${s.logs.join("")}`).join("\n"),
    );
}
