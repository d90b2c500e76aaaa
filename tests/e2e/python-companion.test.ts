/**
 * The flyte_pulumi companion (python/) against real flyte releases: the lowest and the
 * newest served on PyPI (python/src/flyte_pulumi/versions.py), each installed into a
 * virtualenv of its own. For each: the companion's pytest suite (every field of that
 * release's classes is in the field table; refusals name the field; with the newest, what
 * `deploy` registers under Pulumi's mocks, through the generated SDK), then every image
 * recipe of scripts/flyte-tag-vectors.py built with that flyte: the data form the companion
 * makes of it gives, through the TypeScript core, exactly flyte's `image.uri`. For the
 * newest: the Python quickstart module's environments, planned by the companion, render
 * the PodTemplates the TypeScript API renders for the same environments, object for object.
 * No platform needed (PyPI and the toolchain's CLI).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { planEnvironmentFromSpec } from "../../sdk/src/components/plan-from-spec";
import { imageFromSpec } from "../../sdk/src/spec/image-from-spec";
import { pythonQuickstartTemplates } from "../fixtures/python-quickstart";
import { REPO } from "./workspace";

jest.setTimeout(30 * 60_000);

const WORK = path.join(REPO, ".work", "e2e-python-companion");
const CACHE = process.env.PULUMI_FLYTE_CACHE ?? path.join(os.homedir(), ".cache", "pulumi-flyte");
const versionsFile = fs.readFileSync(path.join(REPO, "python/src/flyte_pulumi/versions.py"), "utf8");
const tested = (name: string) => new RegExp(`^${name} = "(.+)"$`, "m").exec(versionsFile)![1];
const LOWEST = tested("LOWEST");
const NEWEST = tested("NEWEST");
const PYTEST = "pytest==9.2.0";
const PULUMI = "pulumi==3.259.0";

/** A virtualenv with flyte==<version>, pytest and pulumi (kept across runs), and the companion from this checkout. */
function companionVenv(version: string): string {
    const dir = path.join(CACHE, "python-companion", `flyte-${version}`);
    const ready = path.join(dir, ".ready");
    if (!fs.existsSync(ready)) {
        fs.rmSync(dir, { recursive: true, force: true });
        execFileSync("python3", ["-m", "venv", dir], { stdio: "inherit" });
        pip(dir, ["install", `flyte==${version}`, PYTEST, PULUMI]);
        fs.writeFileSync(ready, "");
    }
    pip(dir, ["install", "--force-reinstall", "--no-deps", path.join(REPO, "python")]);
    return dir;
}

/** The flyte package's Python SDK, generated from provider/ (python/tests/test_deploy.py registers through it). */
function installSdk(venv: string): void {
    const out = path.join(WORK, "sdk");
    if (!fs.existsSync(path.join(out, "python"))) {
        execFileSync(
            "pulumi",
            ["package", "gen-sdk", path.join(REPO, "provider"), "--language", "python", "--local", "-o", out],
            {
                stdio: ["ignore", "ignore", "inherit"],
                env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" },
            },
        );
    }
    // its dependencies (parver, semver) once, then this checkout's SDK
    pip(venv, ["install", path.join(out, "python")]);
    pip(venv, ["install", "--force-reinstall", "--no-deps", path.join(out, "python")]);
}

function pip(venv: string, args: string[]): void {
    execFileSync(path.join(venv, "bin", "pip"), ["--disable-pip-version-check", "--quiet", ...args], {
        stdio: ["ignore", "inherit", "inherit"],
    });
}

function python(venv: string, args: string[], env: Record<string, string> = {}): string {
    return execFileSync(path.join(venv, "bin", "python"), args, {
        cwd: REPO,
        encoding: "utf8",
        env: { ...process.env, ...env },
    });
}

beforeAll(() => {
    fs.rmSync(WORK, { recursive: true, force: true });
    fs.mkdirSync(WORK, { recursive: true });
});

describe.each([
    ["lowest", LOWEST],
    ["newest", NEWEST],
])("flyte %s tested (%s)", (_which, version) => {
    let venv: string;
    beforeAll(() => {
        venv = companionVenv(version);
        // the deploy shell's tests need the SDK; the newest release runs them
        if (version === NEWEST) installSdk(venv);
        expect(python(venv, ["-c", "import flyte; print(flyte.__version__)"]).trim()).toBe(version);
    });

    test("the companion's tests pass", () => {
        let out: string;
        try {
            out = python(
                venv,
                ["-m", "pytest", "-q", "-p", "no:cacheprovider", "python/tests"],
                version === NEWEST ? { FLYTE_PULUMI_REQUIRE_SDK: "1" } : {},
            );
        } catch (err) {
            const e = err as { stdout?: string; stderr?: string };
            throw new Error(`pytest failed with flyte ${version}:\n${e.stdout ?? ""}${e.stderr ?? ""}`, { cause: err });
        }
        expect(out).toMatch(/\d+ passed/);
    });

    test("every image flyte makes is pushed at flyte's URI: the companion's data form gives it through the TypeScript core", () => {
        const file = path.join(WORK, `images-${version}.json`);
        python(venv, ["python/tests/dump_specs.py", "images", file]);
        const { flyteVersion, cases } = JSON.parse(fs.readFileSync(file, "utf8"));
        expect(flyteVersion).toBe(version);
        // both ends of the range make every recipe and map every layer; the one refusal is
        // flyte's preset Debian base without flyte (tagged "py3.11", not by content)
        const refused = cases.filter((c: any) => c.skipped || c.problems.length);
        expect(refused.map((c: any) => [c.name, c.problems.length])).toEqual([["debian-no-flyte-preset", 1]]);
        expect(refused[0].problems[0]).toMatch(
            /^image debian-no-flyte-preset\._tag: got 'py3\.11'; .*flyte:py3\.11 is flyte's preset Debian base without flyte/,
        );
        expect(cases.filter((c: any) => c.use.build).length).toBeGreaterThan(20);
        for (const c of cases.filter((x: any) => !refused.includes(x))) {
            const uri = c.use.build ? imageFromSpec(c.use.build).uri : c.use.ref;
            expect({ name: c.name, uri }).toEqual({ name: c.name, uri: c.uri });
        }
    });
});

test("the Python quickstart's environments render the TypeScript API's PodTemplates, object for object", () => {
    const venv = companionVenv(NEWEST);
    const file = path.join(WORK, "plan.json");
    python(venv, ["python/tests/dump_specs.py", "plan", path.join(REPO, "examples/python-quickstart"), file]);
    const { uri, environments } = JSON.parse(fs.readFileSync(file, "utf8"));
    const imageRef = "localhost:30000/flyte-quickstart@sha256:" + "0".repeat(64);
    const expected = pythonQuickstartTemplates(undefined, imageRef);
    const profiles: Record<string, string> = { infer: "eks" };
    const rendered: Record<string, unknown> = {};
    for (const e of environments) {
        expect(imageFromSpec(e.image).uri).toBe(uri);
        const plan = planEnvironmentFromSpec(e.name, {
            ...e.args,
            imageRef,
            profile: profiles[e.name] ?? "gke",
        });
        rendered[plan.environment.rendered.name] = plan.environment.rendered.podTemplate;
        for (const t of plan.tasks) rendered[t.plan.rendered.name] = t.plan.rendered.podTemplate;
    }
    expect(Object.keys(rendered).sort()).toEqual(expected.map((t) => t.name).sort());
    for (const t of expected)
        expect({ name: t.name, template: rendered[t.name] }).toEqual({ name: t.name, template: t.expected });
});
