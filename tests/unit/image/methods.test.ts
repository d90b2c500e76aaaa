import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CREATE_FLYTE_USER_CMD, Image } from "../../../sdk/src/core/image";
import { Secret } from "../../../sdk/src/core/secret";
import { FIX, validationError, useImageFixtures } from "./helpers";

describe("Image constructors and methods", () => {
    useImageFixtures();

    describe("fromDebianBase", () => {
        it("is Flyte's released image, used as is", () => {
            const img = Image.fromDebianBase();
            expect(img.baseImage).toBe("ghcr.io/flyteorg/flyte:py3.11-v2.12.1");
            expect(img.uri).toBe("ghcr.io/flyteorg/flyte:py3.11-v2.12.1");
            expect(img.tag).toBe("py3.11-v2.12.1");
            expect(img.isCloned).toBe(false);
            expect(img.needsBuild).toBe(false);
            expect(img.extendable).toBe(true);
            expect(img.name).toBe("flyte");
            expect(img.platform).toEqual(["linux/amd64", "linux/arm64"]);
            expect(img.layers).toEqual([]);
        });

        it("takes python and flyte versions (a leading v is kept)", () => {
            expect(Image.fromDebianBase({ python: "3.13", flyteVersion: "2.10.0" }).uri).toBe(
                "ghcr.io/flyteorg/flyte:py3.13-v2.10.0",
            );
            expect(Image.fromDebianBase({ python: "3.10", flyteVersion: "v2.10.0" }).uri).toBe(
                "ghcr.io/flyteorg/flyte:py3.10-v2.10.0",
            );
        });

        it("without flyte: python slim plus Flyte's default layers, in Flyte's order, tagged py<M.m>", () => {
            const img = Image.fromDebianBase({ python: "3.12", installFlyte: false });
            expect(img.baseImage).toBe("python:3.12-slim-bookworm");
            expect(img.uri).toBe("localhost:30000/flyte:py3.12");
            expect(img.layers.map((l) => l.kind)).toEqual(["dockerLines", "commands", "workdir", "env", "apt"]);
            expect(img.layers[1]).toMatchObject({ commands: [CREATE_FLYTE_USER_CMD] });
            expect(img.layers[2]).toMatchObject({ workdir: "/home/flyte" });
            expect(img.layers[3]).toMatchObject({
                envVars: [
                    ["VIRTUAL_ENV", "/opt/venv"],
                    ["PATH", "/opt/venv/bin:$PATH"],
                    ["PYTHONPATH", "/root"],
                    ["UV_LINK_MODE", "copy"],
                ],
            });
            expect(img.layers[4]).toMatchObject({ packages: ["build-essential", "ca-certificates"] });
            // any change drops the preset tag for the content hash
            expect(img.withWorkdir("/x").tag).toMatch(/^[0-9a-f]{32}$/);
        });

        it("a registry or a name clones it (content-addressed tag)", () => {
            const img = Image.fromDebianBase({ registry: "ghcr.io/acme", name: "base" });
            expect(img.isCloned).toBe(true);
            expect(img.uri).toMatch(/^ghcr\.io\/acme\/base:[0-9a-f]{32}$/);
            expect(Image.fromDebianBase({ name: "only-name" }).uri).toMatch(
                /^localhost:30000\/only-name:[0-9a-f]{32}$/,
            );
        });
    });

    describe("fromBase", () => {
        it("is used as is, with no name or registry, and is not extendable until cloned", () => {
            const img = Image.fromBase("ghcr.io/acme/tools:1.2@sha256:" + "a".repeat(64));
            expect(img.uri).toBe(img.baseImage);
            expect(img.tag).toBe("1.2");
            expect(img.name).toBeUndefined();
            expect(img.registry).toBeUndefined();
            expect(Image.fromBase("busybox").tag).toBe("latest");
            const e = validationError(() => img.withPipPackages("x"));
            expect(e.field).toBe("withPipPackages");
            expect(e.message).toContain("clone({ name, extendable: true })");
            const c = img.clone({ name: "tools", extendable: true }).withPipPackages("x");
            expect(c.uri).toMatch(/^tools:[0-9a-f]{32}$/); // flyte-sdk: no registry given, none used
        });

        it("clone needs a name", () => {
            expect(
                validationError(() => Image.fromBase("python:3.11").clone({ registry: "localhost:30000" })).field,
            ).toBe("clone.name");
        });
    });

    describe("fromDockerfile", () => {
        it("hashes the Dockerfile bytes and accepts no layers", () => {
            const img = Image.fromDockerfile(`${FIX}/dockerfile/Dockerfile`, { name: "byod" });
            expect(img.registry).toBe("localhost:30000");
            expect(img.isCloned).toBe(true);
            expect(img.dockerfile).toBe(fs.readFileSync(`${FIX}/dockerfile/Dockerfile`, "utf8"));
            const e = validationError(() => img.withAptPackages("git"));
            expect(e.field).toBe("withAptPackages");
            expect(e.message).toContain("Dockerfile-based image");
            expect(validationError(() => img.clone({ extendable: true }).withAptPackages("git")).message).toContain(
                "Dockerfile",
            );
        });

        it("rejects a missing Dockerfile", () => {
            expect(validationError(() => Image.fromDockerfile(`${FIX}/nope/Dockerfile`, { name: "x" })).field).toBe(
                "fromDockerfile.file",
            );
        });
    });

    describe("fromUvScript", () => {
        it("reads dependencies from the script's metadata block", () => {
            const img = Image.fromUvScript(`${FIX}/scripts/uv_full.py`, { name: "uvapp", python: "3.12" });
            expect(img.baseImage).toBe("python:3.12-slim-bookworm");
            const l = img.layers[img.layers.length - 1];
            expect(l.kind).toBe("uvScript");
            if (l.kind !== "uvScript") return;
            expect(l.metadata.dependencies).toEqual([
                "httpx>=0.27",
                "rich[jupyter]==13.7.1",
                'tomli; python_version < "3.11"',
            ]);
            expect(l.metadata.requiresPython).toBe(">=3.11");
            expect(l.metadata.excludeNewer).toBe("2025-01-01T00:00:00Z");
        });

        it("rejects scripts without a metadata block, non-.py files and file:// dependencies", () => {
            expect(validationError(() => Image.fromUvScript(`${FIX}/app.py`, { name: "x" })).message).toContain(
                "# /// script",
            );
            expect(validationError(() => Image.fromUvScript(`${FIX}/config.yaml`, { name: "x" })).message).toContain(
                ".py",
            );
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "uvs-"));
            const script = path.join(dir, "s.py");
            fs.writeFileSync(script, '# /// script\n# dependencies = ["mylib @ file:///src/mylib"]\n# ///\n');
            const e = validationError(() => Image.fromUvScript(script, { name: "x" }));
            expect(e.field).toBe("fromUvScript.script.dependencies[0]");
            expect(e.message).toContain("file://");
        });
    });

    describe("layers", () => {
        const base = () => Image.fromDebianBase({ installFlyte: false, name: "m" });

        it("withAptPackages / withPipPackages accept rest arguments or an options object", () => {
            const a = base().withAptPackages("git", "curl");
            const b = base().withAptPackages({ packages: ["git", "curl"] });
            expect(a.tag).toBe(b.tag);
            const p = base().withPipPackages({
                packages: ["x"],
                pre: true,
                indexUrl: "https://example.com/simple",
                extraArgs: "--no-cache-dir",
            });
            expect(p.layers[p.layers.length - 1]).toMatchObject({
                kind: "pip",
                packages: ["x"],
                pre: true,
                indexUrl: "https://example.com/simple",
                extraArgTokens: ["--no-cache-dir"],
            });
        });

        it("withCommands accepts rest arguments, a list with options, or an options object", () => {
            const a = base().withCommands("a", "b");
            const b = base().withCommands(["a", "b"]);
            const c = base().withCommands({ commands: ["a", "b"] });
            expect(new Set([a.tag, b.tag, c.tag]).size).toBe(1);
            const s = base().withCommands(["a"], { secretMounts: "TOKEN" });
            expect(s.tag).not.toBe(base().withCommands("a").tag);
        });

        it("a string secret and the equivalent Secret hash differently, as in Flyte", () => {
            const a = base().withCommands(["a"], { secretMounts: "TOKEN" });
            const b = base().withCommands(["a"], { secretMounts: [new Secret({ key: "TOKEN" })] });
            expect(a.tag).not.toBe(b.tag);
            expect(a.buildSecrets.map((s) => s.id)).toEqual(b.buildSecrets.map((s) => s.id));
        });

        it("withSourceFolder defaults dst to ./<folder name> unless copyContentsOnly", () => {
            expect(base().withSourceFolder(`${FIX}/proj`).layers.at(-1)).toMatchObject({
                kind: "copy",
                pathType: "folder",
                dst: "./proj",
            });
            expect(
                base().withSourceFolder(`${FIX}/proj/`, ".", { copyContentsOnly: true }).layers.at(-1),
            ).toMatchObject({ dst: "." });
            expect(base().withSourceFolder(`${FIX}/proj`, "/srv").layers.at(-1)).toMatchObject({ dst: "/srv" });
        });

        it("withSourceFile takes one file or a list (one layer each), refusing name clashes", () => {
            const img = base().withSourceFile([`${FIX}/app.py`, `${FIX}/config.yaml`], "/app/");
            expect(img.layers.slice(-2).map((l) => l.kind === "copy" && l.src)).toEqual([
                `${FIX}/app.py`,
                `${FIX}/config.yaml`,
            ]);
            const e = validationError(() => base().withSourceFile([`${FIX}/proj/main.py`, `${FIX}/proj/main.py`]));
            expect(e.field).toBe("withSourceFile.src");
            expect(e.message).toContain('"main.py"');
        });

        it("withLocalV2 adds a second layer for a flyteidl2 wheel, and refuses two", () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dist-"));
            fs.writeFileSync(path.join(dir, "flyte-2.0.0-py3-none-any.whl"), "a");
            expect(base().withLocalV2({ distDir: dir }).layers.slice(-1)).toMatchObject([
                { kind: "pythonWheels", packageName: "flyte" },
            ]);
            fs.writeFileSync(path.join(dir, "flyteidl2-2.0.0-py3-none-any.whl"), "b");
            const two = base().withLocalV2({ distDir: dir });
            expect(two.layers.slice(-2).map((l) => l.kind === "pythonWheels" && l.packageName)).toEqual([
                "flyte",
                "flyteidl2",
            ]);
            fs.writeFileSync(path.join(dir, "flyteidl2-2.0.1-py3-none-any.whl"), "c");
            expect(validationError(() => base().withLocalV2({ distDir: dir })).field).toBe("withLocalV2.distDir");
            expect(validationError(() => base().withLocalV2({ distDir: path.join(dir, "missing") })).field).toBe(
                "withLocalV2.distDir",
            );
        });

        it("tags change with every input: content, order, options", () => {
            const tags = new Set([
                base().tag,
                base().withPipPackages("a", "b").tag,
                base().withPipPackages("b", "a").tag,
                base().withPipPackages({ packages: ["a", "b"], pre: true }).tag,
                base().withAptPackages("ab", "cd").tag,
                base().withEnvVars({ A: "1", B: "2" }).tag,
                base().withEnvVars({ B: "2", A: "1" }).tag,
                base().withWorkdir("/a").tag,
            ]);
            expect(tags.size).toBe(8);
        });

        it("reproduces Flyte's formula quirk: layers of different kinds with the same text hash alike", () => {
            // flyte-sdk hashes only each layer's text, not its kind: apt "ab","cd" and pip "ab","cd" both add "abcd".
            expect(base().withAptPackages("ab", "cd").tag).toBe(base().withPipPackages("ab", "cd").tag);
            expect(base().withAptPackages("ab", "cd").dockerfile).not.toBe(
                base().withPipPackages("ab", "cd").dockerfile,
            );
        });

        it("a source file's content changes the tag", () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "src-"));
            const file = path.join(dir, "x.py");
            fs.writeFileSync(file, "one");
            const t1 = base().withSourceFile(file).tag;
            fs.writeFileSync(file, "two");
            const t2 = base().withSourceFile(file).tag;
            expect(t1).not.toBe(t2);
        });
    });

    describe("clone", () => {
        it("renames, re-registers and keeps layers; the tag only depends on content", () => {
            const a = Image.fromDebianBase({ installFlyte: false, name: "a" }).withPipPackages("x");
            const b = a.clone({ name: "b", registry: "ghcr.io/acme", platform: "linux/arm64" });
            expect(b.uri).toBe(`ghcr.io/acme/b:${a.tag}`);
            expect(b.platform).toEqual(["linux/arm64"]);
            expect(b.layers).toEqual(a.layers);
            expect(b.clone({ extendable: false }).extendable).toBe(false);
            expect(validationError(() => b.clone({ extendable: false }).withWorkdir("/x")).field).toBe("withWorkdir");
        });
    });

    describe("build inputs", () => {
        it("lists build secrets once per id, in first-use order", () => {
            const img = Image.fromDebianBase({ installFlyte: false, name: "s" })
                .withPipPackages({
                    packages: ["x"],
                    secretMounts: ["GITHUB_PAT", new Secret({ key: "api-key", group: "openai" })],
                })
                .withCommands(["y"], { secretMounts: [new Secret({ key: "GITHUB_PAT", asEnvVar: "GH" })] })
                .withAptPackages({
                    packages: ["git"],
                    secretMounts: [new Secret({ key: "netrc", mount: "/etc/flyte/secrets" })],
                });
            expect(img.buildSecrets.map((s) => [s.id, s.hostEnvVar, s.hostFile])).toEqual([
                ["GITHUB_PAT", "GITHUB_PAT", "/etc/secrets/GITHUB_PAT"],
                ["OPENAI_API-KEY", "OPENAI_API-KEY", "/etc/secrets/openai_api-key"],
                ["NETRC", "NETRC", "/etc/secrets/netrc"],
            ]);
        });

        it("describes the build context: context paths, destinations, ignore rules", () => {
            const img = Image.fromDebianBase({ installFlyte: false, name: "c" })
                .withRequirements(`${FIX}/requirements.txt`)
                .withSourceFolder(`${FIX}/proj`)
                .withSourceFile(`${FIX}/app.py`, "/app/")
                .withLocalV2({ distDir: `${FIX}/wheels` });
            expect(img.buildContext).toEqual([
                { kind: "file", layer: 5, src: `${FIX}/requirements.txt`, contextPath: "layer-5/requirements.txt" },
                {
                    kind: "folder",
                    layer: 6,
                    src: `${FIX}/proj`,
                    contextPath: "layer-6",
                    dst: "./proj",
                    ignore: { root: `${FIX}/proj`, patterns: ["*.log", "!keep.log", "build"] },
                },
                { kind: "file", layer: 7, src: `${FIX}/app.py`, contextPath: "layer-7/app.py", dst: "/app/" },
                { kind: "wheels", layer: 8, src: `${FIX}/wheels`, contextPath: "layer-8" },
            ]);
            const withIgnore = img.withDockerignore(`${FIX}/.dockerignore`);
            expect(withIgnore.buildContext[1].ignore).toEqual({
                root: FIX,
                patterns: ["proj/build", "proj/*.log", "**/*.tmp", "proj2/secret.txt"],
            });
        });
    });
});
