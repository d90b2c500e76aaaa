/**
 * What can break a build before anything is pushed, found out in the user's terms:
 * the Docker daemon (is it there?), and the build steps themselves.
 *
 * @pulumi/docker-build, when it runs the `docker-buildx` plugin (`exec: true`, what the
 * Docker daemon's own BuildKit needs), reports a failed build as "exit status 1": the
 * plugin's log, with the failing step and its output, is dropped. So before it builds,
 * ImageBuild runs the same build once with the same plugin, Dockerfile, context, network,
 * platform and secrets (values in the child's environment, never in a file) and no
 * output: a failure is explained from its log ("the build step `pip install x` failed
 * with exit code 1; its last output lines: ..."); a success leaves BuildKit's cache
 * warm, so the provider's build only exports and pushes.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { explainSocketFailure } from "../net/causes";
import { atExit, programSlot } from "../runtime/program-state";

// ---------------------------------------------------------------- the Docker daemon

/** Where the Docker daemon listens, as docker and the provider find it (undefined: cannot tell, e.g. a docker context or ssh://). */
export function dockerEndpoint(
    configuredHost?: string,
    env: NodeJS.ProcessEnv = process.env,
    configDir?: string,
): string | undefined {
    const host = configuredHost ?? env.DOCKER_HOST;
    if (host) return host;
    if (env.DOCKER_CONTEXT && env.DOCKER_CONTEXT !== "default") return undefined;
    try {
        const dir = configDir ?? env.DOCKER_CONFIG ?? path.join(os.homedir(), ".docker");
        const current = JSON.parse(fs.readFileSync(path.join(dir, "config.json"), "utf8"))?.currentContext;
        if (current && current !== "default") return undefined;
    } catch {
        // no config: docker's default socket
    }
    return "unix:///var/run/docker.sock";
}

/** True when the daemon at `endpoint` runs on this machine (a unix socket or a loopback TCP address). */
export function isLocalDaemon(endpoint: string | undefined): boolean {
    if (!endpoint) return false;
    if (endpoint.startsWith("unix://") || endpoint.startsWith("npipe://")) return true;
    const m = /^tcp:\/\/\[?([^\]/]+?)\]?(:\d+)?\/?$/.exec(endpoint);
    return !!m && ["127.0.0.1", "localhost", "::1"].includes(m[1]);
}

/**
 * Asks the daemon at `endpoint` for `/_ping`. Resolves to undefined when it answers
 * (whatever the status: something listens), else to the reason in a user's terms.
 * Endpoints it cannot check (ssh://, TLS) resolve to undefined.
 */
export function pingDocker(endpoint: string, timeoutMs = 5_000): Promise<string | undefined> {
    let options: http.RequestOptions;
    if (endpoint.startsWith("unix://")) {
        options = { socketPath: endpoint.slice("unix://".length), path: "/_ping" };
    } else {
        const m = /^tcp:\/\/\[?([^\]/]+?)\]?:(\d+)\/?$/.exec(endpoint);
        if (!m || process.env.DOCKER_TLS_VERIFY) return Promise.resolve(undefined);
        options = { host: m[1], port: Number(m[2]), path: "/_ping" };
    }
    return new Promise((resolve) => {
        const req = http.get({ ...options, timeout: timeoutMs }, (res) => {
            res.resume();
            resolve(undefined);
        });
        req.on("timeout", () => req.destroy(Object.assign(new Error("timeout"), { code: "ETIMEDOUT" })));
        req.on("error", (err: NodeJS.ErrnoException) =>
            resolve(explainSocketFailure(err, { name: endpoint, service: "Docker daemon", timeoutMs })),
        );
    });
}

/** The error of an unreachable Docker daemon: cause and what to do. */
export function dockerDownMessage(uri: string, endpoint: string, reason: string): string {
    const how =
        endpoint === "unix:///var/run/docker.sock"
            ? "start it (e.g. `sudo systemctl start docker`, or Docker Desktop)"
            : "start it, or point DOCKER_HOST (or docker-build:host) at a running daemon";
    return `the Docker daemon is not running: ${reason}; nothing was built or pushed for ${uri}. ${how[0].toUpperCase()}${how.slice(1)}, then run \`pulumi up\` again`;
}

// ---------------------------------------------------------------- a registry's port

/**
 * Opens (and closes) a TCP connection to `host:port`: undefined when something accepts
 * it, else the network error's code. A lookup that timed out while the program was busy
 * loading modules (its timer fired before the refusal was read) is told apart from a
 * registry that is really down this way.
 */
export function tcpProbe(hostPort: string, defaultPort: number, timeoutMs = 5_000): Promise<string | undefined> {
    const m = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(hostPort);
    if (!m) return Promise.resolve(undefined);
    return new Promise((resolve) => {
        const socket = net.connect({ host: m[1], port: m[2] ? Number(m[2]) : defaultPort });
        const done = (code?: string) => {
            socket.destroy();
            resolve(code);
        };
        socket.setTimeout(timeoutMs, () => done("ETIMEDOUT"));
        socket.once("connect", () => done(undefined));
        socket.once("error", (err: NodeJS.ErrnoException) => done(err.code ?? "EUNKNOWN"));
    });
}

// ---------------------------------------------------------------- the check build

/** Where the docker CLI looks for the `docker-buildx` plugin (the same places the provider's embedded docker CLI looks). */
export function findBuildxPlugin(env: NodeJS.ProcessEnv = process.env): string | undefined {
    const configDir = env.DOCKER_CONFIG ?? path.join(os.homedir(), ".docker");
    const dirs: string[] = [];
    try {
        const extra = JSON.parse(fs.readFileSync(path.join(configDir, "config.json"), "utf8"))?.cliPluginsExtraDirs;
        if (Array.isArray(extra)) dirs.push(...extra.filter((d) => typeof d === "string"));
    } catch {
        // no config
    }
    dirs.push(
        path.join(configDir, "cli-plugins"),
        "/usr/local/lib/docker/cli-plugins",
        "/usr/local/libexec/docker/cli-plugins",
        "/usr/lib/docker/cli-plugins",
        "/usr/libexec/docker/cli-plugins",
    );
    for (const dir of dirs) {
        const file = path.join(dir, "docker-buildx");
        try {
            fs.accessSync(file, fs.constants.X_OK);
            return file;
        } catch {
            // next
        }
    }
    return undefined;
}

export interface CheckBuildOptions {
    plugin: string;
    contextDir: string;
    dockerfile: string;
    builder?: string;
    network?: string;
    platform?: string;
    /** Build secret id -> value (passed through the child's environment). */
    secrets: Record<string, string>;
    /** Docker daemon (DOCKER_HOST) for the plugin, when configured for the provider. */
    dockerHost?: string;
}

/** Running check builds: killed if the program exits first (an interrupted `pulumi up`). */
const running = programSlot("running check builds", () => new Set<import("child_process").ChildProcess>());

/** Runs the build without output; resolves to its exit code and log (stderr, where buildx writes its progress). */
export function runCheckBuild(o: CheckBuildOptions): Promise<{ code: number; log: string }> {
    const args = ["build", "--progress", "plain"];
    if (o.builder) args.push("--builder", o.builder);
    if (o.network) args.push("--network", o.network);
    if (o.platform) args.push("--platform", o.platform);
    const env: NodeJS.ProcessEnv = { ...process.env, ...(o.dockerHost ? { DOCKER_HOST: o.dockerHost } : {}) };
    Object.keys(o.secrets).forEach((id, i) => {
        const variable = `PULUMI_FLYTE_BUILD_SECRET_${i}`;
        env[variable] = o.secrets[id];
        args.push("--secret", `id=${id},env=${variable}`);
    });
    args.push("-f", o.dockerfile, o.contextDir);
    atExit("stop check builds", () => running().forEach((c) => c.kill("SIGTERM")));
    const children = running();
    return new Promise((resolve) => {
        const child = spawn(o.plugin, args, { env, stdio: ["ignore", "pipe", "pipe"] });
        children.add(child);
        const chunks: Buffer[] = [];
        child.stdout.on("data", (c: Buffer) => chunks.push(c));
        child.stderr.on("data", (c: Buffer) => chunks.push(c));
        child.on("error", (err) => {
            children.delete(child);
            resolve({ code: -1, log: `${o.plugin}: ${err.message}` });
        });
        child.on("close", (code) => {
            children.delete(child);
            resolve({ code: code ?? -1, log: Buffer.concat(chunks).toString("utf8") });
        });
    });
}

/** A failed build, explained: the step and its last output lines when one failed, else the build's own error. */
export interface BuildFailure {
    /** The failing step in a user's terms (`pip install torch`), if a step failed. */
    step?: string;
    /** Its position in the Dockerfile, as BuildKit counts (`3/5`). */
    position?: string;
    exitCode?: number;
    /** The step's last output lines (without BuildKit's timestamps). */
    lastLines: string[];
    /** BuildKit's or buildx's error line. */
    error: string;
}

/** Reads a `--progress plain` log of a failed build (pure). */
export function explainBuildLog(log: string, maxLines = 10): BuildFailure {
    const lines = log.replace(/\r/g, "").split("\n");
    const errorLine =
        [...lines]
            .reverse()
            .find((l) => /^ERROR: /.test(l) || /^error: /i.test(l))
            ?.replace(/^ERROR: |^error: /i, "") ??
        lines.filter((l) => l.trim()).pop() ??
        "the build failed";
    const exit = /exit code: (\d+)/.exec(errorLine);
    // BuildKit's summary of the failed step:  ------ / > [stage 3/3] RUN ...: / output / ------
    const start = lines.findIndex((l) => /^ > \[[^\]]+\] /.test(l));
    if (start < 0) return { lastLines: [], error: errorLine, ...(exit ? { exitCode: Number(exit[1]) } : {}) };
    const header = /^ > \[(?:[^\]]*? )?(\d+\/\d+)\] (.*?):?$/.exec(lines[start]);
    const out: string[] = [];
    for (const l of lines.slice(start + 1)) {
        if (/^-{6}$/.test(l.trim())) break;
        out.push(l.replace(/^\d+(\.\d+)? /, ""));
    }
    const instruction = header?.[2] ?? lines[start].slice(3);
    return {
        step: describeStep(instruction),
        ...(header ? { position: header[1] } : {}),
        ...(exit ? { exitCode: Number(exit[1]) } : {}),
        lastLines: out.filter((l) => l.trim() !== "").slice(-maxLines),
        error: errorLine,
    };
}

/** A Dockerfile instruction as its author wrote it: our mounts, secret exports and venv paths left out. */
export function describeStep(instruction: string): string {
    let s = instruction.trim();
    const run = /^RUN\s+/.test(s);
    s = s.replace(/^RUN\s+/, "");
    while (/^--\S+\s+/.test(s)) s = s.replace(/^--\S+\s+/, "");
    s = s.replace(/export [A-Za-z_][A-Za-z0-9_]*="\$\(cat \/run\/secrets\/[^)]*\)" && /g, "");
    s = s.replace(/\/opt\/venv\/bin\/python -m pip install/g, "pip install");
    const apt = /apt-get install -y --no-install-recommends (.*?)\s*(?:\\|&&|$)/.exec(s);
    if (apt) s = `apt-get install ${apt[1]}`;
    s = s.replace(/\s+/g, " ");
    if (s.length > 160) s = `${s.slice(0, 157)}...`;
    return run ? s : instruction.trim().split(/\s+/).slice(0, 8).join(" ");
}

/** The error of a failed build: what failed, its last lines, what to do. */
export function buildFailureMessage(uri: string, f: BuildFailure): string {
    const tail = f.lastLines.length
        ? `; its last output lines:\n${f.lastLines.map((l) => `    | ${l}`).join("\n")}`
        : "";
    if (f.step) {
        return (
            `the build step \`${f.step}\`${f.position ? ` (step ${f.position} of the Dockerfile)` : ""} failed${f.exitCode !== undefined ? ` with exit code ${f.exitCode}` : ""}${tail}\n` +
            `Nothing was pushed for ${uri}. Fix the step (a package name or version, an index URL, a command), then run \`pulumi up\` again`
        );
    }
    return `the build of ${uri} failed: ${f.error}${tail}\nNothing was pushed. Fix the cause, then run \`pulumi up\` again`;
}
