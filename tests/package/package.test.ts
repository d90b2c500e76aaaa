/**
 * What `npm install pulumi-flyte` gives: the packed tarball of a clean build, installed
 * into fresh projects with pinned versions of its peers — the lowest and the newest
 * the registry serves of each range in sdk/package.json — where every TypeScript
 * example of the README compiles (`tsc --noEmit`, strict) and runs under Pulumi's
 * mocks, and literal-typed names reject typos at compile time.
 *
 * Needs the npm registry (the peers are installed from it, through npm's cache).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const REPO = path.resolve(__dirname, "../..");
const SDK = path.join(REPO, "sdk");
const sdkPackage = JSON.parse(fs.readFileSync(path.join(SDK, "package.json"), "utf8"));
const rootPackage = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8"));

/** The peer versions tested: the lowest of each range, and the newest the registry served when the ranges were set. */
export const PEER_MATRIX = {
    lowest: { "@pulumi/pulumi": "3.153.0", "@pulumi/kubernetes": "4.18.0", "@pulumi/docker-build": "0.0.22" },
    newest: { "@pulumi/pulumi": "3.276.0", "@pulumi/kubernetes": "4.34.2", "@pulumi/docker-build": "0.0.22" },
} as const;

const WORK = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-flyte-package-"));
let tarball = "";
let packed: string[] = [];

function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}): string {
    try {
        return execFileSync(cmd, args, {
            cwd,
            stdio: ["ignore", "pipe", "pipe"],
            env: { ...process.env, npm_config_update_notifier: "false", ...env },
        }).toString();
    } catch (err) {
        const e = err as { stdout?: Buffer; stderr?: Buffer; message: string };
        throw new Error(
            `${cmd} ${args.join(" ")} failed in ${cwd}:\n${e.stdout?.toString() ?? ""}\n${e.stderr?.toString() ?? ""}`,
            { cause: err },
        );
    }
}

/** The README's ```ts blocks, in order. */
export function readmeExamples(): string[] {
    const readme = fs.readFileSync(path.join(REPO, "README.md"), "utf8");
    return [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
}

/**
 * Names the README's examples use without defining them (each continues an earlier
 * one): each example file gets a definition of those it does not define itself.
 */
const PRELUDE: Record<string, string> = {
    config: "const config = new pulumi.Config();",
    image: `const image = flyte.Image.fromDebianBase({ python: "3.11", registry: "localhost:30000", name: "app" })
    .withPipPackages({ packages: ["torch==2.5.1"], secretMounts: ["PIP_TOKEN"] });`,
    build: `const build = new flyte.ImageBuild("prelude-image", { image, secretValues: { PIP_TOKEN: config.requireSecret("pipToken") } });`,
    wandb: `const wandb = new flyte.Secret({ group: "wandb", key: "api-key" });`,
    secrets: `const secrets = new flyte.SecretStore("prelude-secrets", { namespace: "ml", groups: { wandb: { "api-key": config.requireSecret("wandbApiKey") } } });`,
    prepEnv: `const prepEnv = new flyte.TaskEnvironment("prep", { image: "python:3.11-slim" });`,
};
const PRELUDE_ORDER = ["config", "image", "build", "wandb", "secrets", "prepEnv"];

function exampleFile(block: string): string {
    // names in strings and comments are not uses ("secrets" in `new SecretStore("secrets", ...)`)
    const code = block.replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g, '""').replace(/\/\/.*$/gm, "");
    const defines = (name: string) => new RegExp(`\\b(const|let|function)\\s+${name}\\b`).test(code);
    const uses = (name: string) => new RegExp(`\\b${name}\\b`).test(code);
    const needed = new Set<string>();
    const need = (name: string) => {
        if (needed.has(name) || defines(name)) return;
        needed.add(name);
        // a prelude definition may itself use other prelude names
        for (const other of PRELUDE_ORDER)
            if (other !== name && new RegExp(`\\b${other}\\b`).test(PRELUDE[name])) need(other);
    };
    for (const name of PRELUDE_ORDER) if (uses(name)) need(name);
    const prelude = PRELUDE_ORDER.filter((n) => needed.has(n))
        .map((n) => PRELUDE[n])
        .join("\n");
    const body = block.replace(/^import \* as flyte from "pulumi-flyte";\n/m, "");
    return `import "./mocks";\nimport * as pulumi from "@pulumi/pulumi";\nimport * as flyte from "pulumi-flyte";\n${prelude}\n// ---- README example\n${body}\nexport {};\n`;
}

/** Pulumi mocks for running the examples as a preview (nothing leaves the process). */
const MOCKS = `import * as pulumi from "@pulumi/pulumi";
pulumi.runtime.setMocks({
    newResource(args) {
        const state: Record<string, unknown> = { ...args.inputs };
        if (args.type === "docker-build:index:Image") state.digest = "sha256:" + "a".repeat(64);
        return { id: args.name + "-id", state };
    },
    call(args) { return args.inputs; },
}, "project", "stack", true);
pulumi.runtime.setAllConfig({ "project:pipToken": "p", "project:wandbApiKey": "w", "project:hfToken": "h" }, ["project:pipToken", "project:wandbApiKey", "project:hfToken"]);
`;

/** Typos the literal unions reject at compile time (each line must be an error). */
const MUST_NOT_COMPILE = `import * as flyte from "pulumi-flyte";
// @ts-expect-error: not a GPU model
flyte.GPU({ device: "A200" });
// @ts-expect-error: a profile of A100 80G, not of A100
flyte.GPU({ device: "A100", partition: "7g.80gb" });
// @ts-expect-error: a v6e topology, not a v5p one
flyte.TPU({ device: "V5P", partition: "2x4" });
// @ts-expect-error: not a Neuron device
flyte.Neuron({ device: "Inf3" });
// @ts-expect-error: unknown field
flyte.GPU({ device: "A100", quanity: 4 });
export {};
`;

/** Local files the examples name (requirements, sources, a Dockerfile, a uv script). */
function writeFixtures(dir: string): void {
    fs.writeFileSync(path.join(dir, "requirements.txt"), "six==1.16.0\n");
    fs.mkdirSync(path.join(dir, "src"), { recursive: true });
    fs.writeFileSync(path.join(dir, "src", "main.py"), "print('hello')\n");
    fs.writeFileSync(path.join(dir, ".dockerignore"), "*.pyc\n");
    fs.writeFileSync(path.join(dir, "Dockerfile"), "FROM python:3.11-slim\n");
    fs.writeFileSync(
        path.join(dir, "job.py"),
        "# /// script\n# dependencies = [\"six==1.16.0\"]\n# ///\nprint('job')\n",
    );
}

beforeAll(() => {
    // npm test packs once before the end-to-end tests start (PULUMI_FLYTE_PACKED): this
    // file then runs alongside them, and packing again would rebuild the sdk/dist they load
    if (process.env.PULUMI_FLYTE_PACKED) {
        tarball = process.env.PULUMI_FLYTE_PACKED;
        packed = run("tar", ["-tzf", tarball], WORK)
            .split("\n")
            .filter((f) => f.startsWith("package/") && !f.endsWith("/"))
            .map((f) => f.slice("package/".length));
        return;
    }
    // a clean pack: prepack rebuilds dist/ and copies README and LICENSE
    const out = run("npm", ["pack", "--json", "--pack-destination", WORK], SDK);
    const info = JSON.parse(out.slice(out.indexOf("[")))[0];
    tarball = path.join(WORK, info.filename);
    packed = info.files.map((f: { path: string }) => f.path);
}, 180_000);

afterAll(() => fs.rmSync(WORK, { recursive: true, force: true }));

describe("the packed package", () => {
    it("holds the build, its sources, README and LICENSE, and nothing else", () => {
        expect(packed).toEqual(
            expect.arrayContaining([
                "package.json",
                "README.md",
                "LICENSE",
                "dist/index.js",
                "dist/index.d.ts",
                "src/index.ts",
            ]),
        );
        expect(packed.filter((f) => !/^(dist|src)\//.test(f)).sort()).toEqual(["LICENSE", "README.md", "package.json"]);
        expect(packed.some((f) => f.startsWith("tests/") || f.includes("node_modules"))).toBe(false);
        expect(fs.readFileSync(path.join(SDK, "LICENSE"), "utf8")).toContain("Apache License");
    });

    it("declares repository, keywords, engines, exports (the public entry point only) and peer ranges", () => {
        expect(sdkPackage.repository).toMatchObject({ type: "git", directory: "sdk" });
        expect(sdkPackage.keywords).toEqual(expect.arrayContaining(["pulumi", "flyte", "kubernetes"]));
        expect(Object.keys(sdkPackage.exports)).toEqual([".", "./package.json"]);
        expect(sdkPackage.scripts.prepack).toBeDefined();
        for (const [peer, range] of Object.entries(sdkPackage.peerDependencies as Record<string, string>)) {
            expect(range).toMatch(/^>=\d+\.\d+\.\d+ <\d+\.\d+\.\d+$/);
            expect(`>=${PEER_MATRIX.lowest[peer as keyof typeof PEER_MATRIX.lowest]}`).toBe(range.split(" ")[0]);
        }
        // the workspace develops against a version inside the ranges, on a Node.js its engines accept
        const workspacePulumi = rootPackage.dependencies["@pulumi/pulumi"];
        const installed = JSON.parse(
            fs.readFileSync(path.join(REPO, "node_modules/@pulumi/pulumi/package.json"), "utf8"),
        );
        expect(installed.version).toBe(workspacePulumi);
        const needs = /^>=(\d+)(?:\.(\d+))?/.exec(installed.engines.node)!;
        const [major, minor] = process.versions.node.split(".").map(Number);
        expect(major > Number(needs[1]) || (major === Number(needs[1]) && minor >= Number(needs[2] ?? 0))).toBe(true);
        expect(sdkPackage.engines.node).toBe(">=20.19");
    });

    it("ships source maps that point at shipped sources", () => {
        const extracted = path.join(WORK, "extracted");
        fs.mkdirSync(extracted, { recursive: true });
        run("tar", ["-xzf", tarball, "-C", extracted], WORK);
        const root = path.join(extracted, "package");
        const maps = packed.filter((f) => f.endsWith(".map"));
        expect(maps.length).toBeGreaterThan(0);
        for (const map of maps) {
            const { sources } = JSON.parse(fs.readFileSync(path.join(root, map), "utf8")) as { sources: string[] };
            for (const source of sources)
                expect({
                    map,
                    source,
                    shipped: fs.existsSync(path.resolve(path.dirname(path.join(root, map)), source)),
                }).toEqual({ map, source, shipped: true });
        }
    });
});

describe.each(Object.entries(PEER_MATRIX))("installed next to the %s peers", (_which, peers) => {
    let dir = "";

    beforeAll(() => {
        dir = fs.mkdtempSync(path.join(WORK, "project-"));
        fs.writeFileSync(
            path.join(dir, "package.json"),
            JSON.stringify(
                {
                    name: "pulumi-flyte-package-test",
                    private: true,
                    version: "0.0.0",
                    dependencies: {
                        "pulumi-flyte": `file:${tarball}`,
                        ...peers,
                        typescript: rootPackage.devDependencies.typescript,
                        "@types/node": rootPackage.devDependencies["@types/node"],
                    },
                },
                null,
                2,
            ),
        );
        fs.writeFileSync(
            path.join(dir, "tsconfig.json"),
            JSON.stringify(
                {
                    compilerOptions: {
                        target: "ES2020",
                        module: "commonjs",
                        moduleResolution: "node",
                        lib: ["ES2022"],
                        strict: true,
                        esModuleInterop: true,
                        skipLibCheck: true,
                        types: ["node"],
                        outDir: "out",
                    },
                    include: ["*.ts"],
                },
                null,
                2,
            ),
        );
        run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], dir);
        writeFixtures(dir);
        fs.writeFileSync(path.join(dir, "mocks.ts"), MOCKS);
        readmeExamples().forEach((block, i) => fs.writeFileSync(path.join(dir, `example-${i}.ts`), exampleFile(block)));
        fs.writeFileSync(path.join(dir, "must-not-compile.ts"), MUST_NOT_COMPILE);
    }, 300_000);

    it("installs the pinned peers", () => {
        for (const [name, version] of Object.entries(peers)) {
            expect([
                name,
                JSON.parse(fs.readFileSync(path.join(dir, "node_modules", name, "package.json"), "utf8")).version,
            ]).toEqual([name, version]);
        }
    });

    it("compiles every README example (strict), and the literal unions reject typos", () => {
        expect(readmeExamples().length).toBeGreaterThanOrEqual(8);
        run(process.execPath, [path.join(dir, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"], dir);
    }, 120_000);

    it.each(readmeExamples().map((_, i) => [i]))(
        "runs README example %i under Pulumi's mocks",
        (i) => {
            // a build secret without secretValues comes from the environment, as flyte-sdk's builder reads it
            run(process.execPath, [path.join(dir, "out", `example-${i}.js`)], dir, { PIP_TOKEN: "from-env" });
        },
        60_000,
    );
});
