import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DockerfileIgnore, Image, PatternMatcher, entryFiles, init } from "../../../sdk/src/core/image";
import { listSourceFiles } from "../../../sdk/src/core/image/sources";
import { assembleBuildContext, CONTEXT_MARKER } from "../../../sdk/src/build/assemble-context";
import { FIX, REPO_ROOT, validationError, useImageFixtures } from "./helpers";

function tmp(prefix: string): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

function listTree(root: string): string[] {
    const out: string[] = [];
    const walk = (dir: string, rel: string) => {
        for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
            const r = rel ? `${rel}/${e.name}` : e.name;
            if (e.isDirectory()) walk(path.join(dir, e.name), r);
            else out.push(r);
        }
    };
    walk(root, "");
    return out.sort();
}

describe(".dockerignore matching (flyte-sdk / docker-py semantics)", () => {
    const m = (patterns: string[], p: string) => new PatternMatcher(patterns).matches(p);

    it("anchors patterns at the root; * and ? stop at /; ** spans folders", () => {
        expect(m(["*.log"], "a.log")).toBe(true);
        expect(m(["*.log"], "sub/a.log")).toBe(false);
        expect(m(["**/*.log"], "sub/deep/a.log")).toBe(true);
        expect(m(["**/*.log"], "a.log")).toBe(true);
        expect(m(["sub/*.py"], "sub/a.py")).toBe(true);
        expect(m(["sub/*.py"], "sub/deep/a.py")).toBe(false);
        expect(m(["a?c"], "abc")).toBe(true);
        expect(m(["a?c"], "a/c")).toBe(false);
        expect(m(["build/**"], "build/x/y")).toBe(true);
    });

    it("a matching folder excludes everything below it", () => {
        expect(m(["build"], "build/out/x.txt")).toBe(true);
        expect(m(["a/b"], "a/b/c/d")).toBe(true);
        expect(m(["b"], "a/b/c")).toBe(false);
    });

    it("the last matching pattern wins; ! re-includes; .dockerignore is always kept", () => {
        expect(m(["*.log", "!keep.log"], "keep.log")).toBe(false);
        expect(m(["!keep.log", "*.log"], "keep.log")).toBe(true);
        expect(m(["*"], ".dockerignore")).toBe(false);
        expect(m(["*"], "x")).toBe(true);
    });

    it("is case-insensitive, cleans patterns and supports classes", () => {
        expect(m(["*.TMP"], "notes.tmp")).toBe(true);
        expect(m(["./docs/"], "docs/a.md")).toBe(true);
        expect(m(["docs/../secret"], "secret")).toBe(true);
        expect(m(["[a-c].txt"], "b.txt")).toBe(true);
        expect(m(["[!a-c].txt"], "b.txt")).toBe(false);
        expect(m(["[]x].txt"], "].txt")).toBe(true);
        expect(m(["file[.txt"], "file[.txt")).toBe(true);
        expect(m(["a+b(c)|d$"], "a+b(c)|d$")).toBe(true);
    });

    it("applies rules to paths written relative to the same root only (lexical, as flyte-sdk)", () => {
        const ig = new DockerfileIgnore(`${FIX}/proj`);
        expect(ig.patterns).toEqual(["*.log", "!keep.log", "build"]);
        expect(ig.isIgnored(`${FIX}/proj/debug.log`)).toBe(true);
        expect(ig.isIgnored(`./${FIX}/proj/debug.log`)).toBe(true);
        expect(ig.isIgnored(`${FIX}/proj/keep.log`)).toBe(false);
        expect(ig.isIgnored(path.join(REPO_ROOT, FIX, "proj/debug.log"))).toBe(false);
        expect(new DockerfileIgnore(`${FIX}/proj2`).isIgnored(`${FIX}/proj2/secret.txt`)).toBe(false);
    });
});

describe("source walking and build contexts", () => {
    useImageFixtures();

    it("walks files in flyte-sdk's order: a folder's files sorted, then its subfolders", () => {
        const files = listSourceFiles(`${FIX}/proj`, new DockerfileIgnore(`${FIX}/proj`)).map((f) => f.rel);
        expect(files).toEqual([
            ".dockerignore",
            "keep.log",
            "main.py",
            "pkg/__init__.py",
            "pkg/trace.log",
            "pkg/util.py",
            "pkg/ünï.txt",
            "pkg/deep/Notes.TMP",
            "pkg/deep/data.json",
        ]);
    });

    it("skips broken links, hashes linked files, lists but does not enter linked folders", () => {
        const dir = tmp("walk-");
        fs.writeFileSync(path.join(dir, "real.txt"), "x");
        fs.symlinkSync(path.join(dir, "real.txt"), path.join(dir, "link.txt"));
        fs.symlinkSync(path.join(dir, "missing"), path.join(dir, "broken.txt"));
        fs.mkdirSync(path.join(dir, "sub"));
        fs.writeFileSync(path.join(dir, "sub", "a"), "a");
        fs.symlinkSync(path.join(dir, "sub"), path.join(dir, "sublink"));
        expect(listSourceFiles(dir).map((f) => f.rel)).toEqual(["link.txt", "real.txt", "sub/a"]);
    });

    it("the image-wide .dockerignore replaces folders' own files and covers earlier layers", () => {
        const own = Image.fromDebianBase({ installFlyte: false, name: "x" }).withSourceFolder(`${FIX}/proj`);
        const wide = own.withDockerignore(`${FIX}/.dockerignore`);
        const ownFiles = entryFiles(own.buildContext[0], own.layers).map((f) => f.rel);
        const wideFiles = entryFiles(wide.buildContext[0], wide.layers).map((f) => f.rel);
        expect(ownFiles).not.toContain("debug.log");
        expect(ownFiles).toContain("pkg/deep/Notes.TMP");
        expect(wideFiles).not.toContain("debug.log");
        expect(wideFiles).not.toContain("keep.log"); // the wide file has no "!keep.log"
        expect(wideFiles).not.toContain("pkg/deep/Notes.TMP"); // "**/*.tmp", case-insensitive
        expect(own.tag).not.toBe(wide.tag);
    });

    it("init({ rootDir }) supplies the image-wide .dockerignore when no withDockerignore is given", () => {
        const plain = Image.fromDebianBase({ installFlyte: false, name: "x" }).withSourceFolder(`${FIX}/proj2`);
        init({ registry: "localhost:30000", rootDir: FIX });
        const rooted = Image.fromDebianBase({ installFlyte: false, name: "x" }).withSourceFolder(`${FIX}/proj2`);
        expect(entryFiles(plain.buildContext[0], plain.layers).map((f) => f.rel)).toContain("secret.txt");
        expect(entryFiles(rooted.buildContext[0], rooted.layers, FIX).map((f) => f.rel)).not.toContain("secret.txt");
        expect(plain.tag).not.toBe(rooted.tag);
    });

    it("assembles exactly the hashed files, under layer-<n>/, with the Dockerfile", () => {
        const img = Image.fromDebianBase({ installFlyte: false, name: "ctx" })
            .withRequirements(`${FIX}/requirements.txt`)
            .withSourceFolder(`${FIX}/proj`)
            .withSourceFile(`${FIX}/app.py`)
            .withLocalV2({ distDir: `${FIX}/wheels` })
            .withCommands(["echo"], { secretMounts: "GITHUB_PAT" });
        const dir = path.join(tmp("ctx-"), "context");
        const ctx = assembleBuildContext(img, dir, {
            baseImageMirrors: { "python:3.11-slim-bookworm": "m/python:3.11" },
        });
        expect(ctx.dir).toBe(dir);
        expect(ctx.dockerfile).toBe(path.join(dir, "Dockerfile"));
        expect(fs.readFileSync(ctx.dockerfile, "utf8")).toBe(
            img.renderDockerfile({ baseImageMirrors: { "python:3.11-slim-bookworm": "m/python:3.11" } }),
        );
        expect(ctx.secrets.map((s) => s.id)).toEqual(["GITHUB_PAT"]);
        expect(listTree(dir)).toEqual([
            CONTEXT_MARKER,
            "Dockerfile",
            "layer-5/requirements.txt",
            "layer-6/.dockerignore",
            "layer-6/keep.log",
            "layer-6/main.py",
            "layer-6/pkg/__init__.py",
            "layer-6/pkg/deep/Notes.TMP",
            "layer-6/pkg/deep/data.json",
            "layer-6/pkg/trace.log",
            "layer-6/pkg/util.py",
            "layer-6/pkg/ünï.txt",
            "layer-7/app.py",
            "layer-8/flyte-0.0.0-py3-none-any.whl",
        ]);
        expect(fs.readFileSync(path.join(dir, "layer-6/main.py"), "utf8")).toBe(
            fs.readFileSync(`${FIX}/proj/main.py`, "utf8"),
        );
        // re-assembling into the same directory replaces it
        const again = assembleBuildContext(img.withSourceFolder(`${FIX}/proj2`, "/p2"), dir);
        expect(again.files).toContain("layer-10/sub/b.txt");
        expect(fs.existsSync(path.join(dir, "layer-9/a.txt"))).toBe(false);
    });

    it("creates empty folders for fully ignored sources, and refuses foreign directories", () => {
        const src = tmp("only-ignored-");
        fs.writeFileSync(path.join(src, ".dockerignore"), "*\n");
        fs.writeFileSync(path.join(src, "a.txt"), "a");
        const img = Image.fromDebianBase({ installFlyte: false, name: "e" }).withSourceFolder(src, "/e");
        const dir = tmp("ctx2-");
        assembleBuildContext(img, dir);
        expect(fs.readdirSync(path.join(dir, "layer-5"))).toEqual([".dockerignore"]);
        const foreign = tmp("foreign-");
        fs.writeFileSync(path.join(foreign, "keep-me"), "x");
        expect(validationError(() => assembleBuildContext(img, foreign)).field).toBe("contextDir");
        expect(fs.existsSync(path.join(foreign, "keep-me"))).toBe(true);
    });

    it("fromDockerfile: copies the Dockerfile's folder honouring its .dockerignore", () => {
        const img = Image.fromDockerfile(`${FIX}/dockerfile/Dockerfile`, { name: "byod" });
        const dir = tmp("ctx3-");
        const ctx = assembleBuildContext(img, dir, {
            baseImageMirrors: { "python:3.11-slim-bookworm": "m/python:3.11" },
        });
        expect(listTree(dir)).toEqual([".dockerignore", CONTEXT_MARKER, "Dockerfile", "context.txt"]);
        expect(fs.readFileSync(ctx.dockerfile, "utf8")).toContain("FROM m/python:3.11\n");
        expect(fs.readFileSync(path.join(dir, ".dockerignore"), "utf8")).toBe(`ignored.txt\n${CONTEXT_MARKER}\n`);
    });
});

describe("matching is linear in the pattern times the path (issue 8)", () => {
    const { IgnorePattern } =
        require("../../../sdk/src/core/image/dockerignore") as typeof import("../../../sdk/src/core/image/dockerignore");

    it("agrees with docker-py's regex translation on random patterns and paths", () => {
        let seed = 42;
        const rand = (n: number) => {
            seed = (seed * 1103515245 + 12345) % 2 ** 31;
            return seed % n;
        };
        const pick = <T>(xs: readonly T[]) => xs[rand(xs.length)];
        const parts = ["a", "b", "/", "*", "?", "**", "**/", "[ab]", "[!a]", "."];
        for (let k = 0; k < 3000; k++) {
            const pattern = Array.from({ length: 1 + rand(6) }, () => pick(parts)).join("");
            const p = new IgnorePattern(pattern);
            const regex = (p as unknown as { regex: RegExp }).regex;
            const path = Array.from({ length: rand(10) }, () => pick(["a", "b", "/", ".", "c"])).join("");
            expect([pattern, path, p.match(path)]).toEqual([pattern, path, regex.test(path.toLowerCase())]);
        }
    });

    it("many ** against a long path that does not match: answered (the backtracking regex took exponential time)", () => {
        const p = new IgnorePattern("**/a/**/a/**/a/**/a/**/a/**/a/**/b");
        expect(p.match(`${"a/".repeat(200)}c`)).toBe(false);
        expect(p.match(`${"a/".repeat(200)}b`)).toBe(true);
        expect(new IgnorePattern("**/**/**/**/**/**/**/**/**/**/x").match(`${"d/".repeat(500)}y`)).toBe(false);
    });
});
