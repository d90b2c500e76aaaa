import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Image } from "../../../sdk/src/core/image";
import { assembleBuildContext } from "../../../sdk/src/build/assemble-context";
import { FIX, REPO_ROOT } from "./helpers";

/**
 * The build context links source files instead of copying them (issue 10, bench B4: a
 * 1 GiB folder was copied at every preview), and never writes through a link.
 */
describe("build context: source files are linked, not copied", () => {
    let root: string;
    beforeEach(() => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "ctx-links-"));
    });
    afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

    it("a source folder's files are hard links to the sources, with their bytes and mode", () => {
        const src = path.join(root, "src");
        fs.mkdirSync(path.join(src, "pkg"), { recursive: true });
        fs.writeFileSync(path.join(src, "main.py"), "print('hi')\n");
        fs.writeFileSync(path.join(src, "pkg", "run.sh"), "#!/bin/sh\n", { mode: 0o755 });
        const img = Image.fromDebianBase({
            installFlyte: false,
            name: "links",
            registry: "localhost:30000",
        }).withSourceFolder(src, "/app");
        const ctx = assembleBuildContext(img, path.join(root, "context"));
        for (const [rel, from] of [
            ["main.py", "main.py"],
            ["pkg/run.sh", "pkg/run.sh"],
        ]) {
            const entry = ctx.files.find((f) => f.endsWith(`/${rel}`))!;
            const linked = fs.statSync(path.join(ctx.dir, entry));
            const source = fs.statSync(path.join(src, from));
            expect(linked.ino).toBe(source.ino);
            expect(linked.mode).toBe(source.mode);
        }
        // assembling again (every preview does) replaces the links, the sources stay
        assembleBuildContext(img, path.join(root, "context"));
        expect(fs.readFileSync(path.join(src, "main.py"), "utf8")).toBe("print('hi')\n");
        expect(fs.statSync(path.join(src, "main.py")).nlink).toBe(2);
    });

    it("a symbolic link to a file puts the file's bytes in the context (its target linked), not the link", () => {
        const src = path.join(root, "src");
        const shared = path.join(root, "shared");
        fs.mkdirSync(src);
        fs.mkdirSync(shared);
        fs.writeFileSync(path.join(shared, "common.py"), "X = 1\n");
        fs.symlinkSync("../shared/common.py", path.join(src, "common.py"));
        const img = Image.fromDebianBase({
            installFlyte: false,
            name: "links",
            registry: "localhost:30000",
        }).withSourceFolder(src, "/app");
        const ctx = assembleBuildContext(img, path.join(root, "context"));
        const entry = ctx.files.find((f) => f.endsWith("/common.py"))!;
        const inContext = path.join(ctx.dir, entry);
        expect(fs.lstatSync(inContext).isSymbolicLink()).toBe(false);
        expect(fs.readFileSync(inContext, "utf8")).toBe("X = 1\n");
        expect(fs.statSync(inContext).ino).toBe(fs.statSync(path.join(shared, "common.py")).ino);
    });

    it("fromDockerfile: the Dockerfile and .dockerignore written into the context leave the user's files unchanged", () => {
        const src = path.join(root, "byod");
        fs.cpSync(path.join(REPO_ROOT, FIX, "dockerfile"), src, { recursive: true });
        const before = Object.fromEntries(
            fs.readdirSync(src).map((f) => [f, fs.readFileSync(path.join(src, f), "utf8")]),
        );
        const img = Image.fromDockerfile(path.join(src, "Dockerfile"), { name: "byod", registry: "localhost:30000" });
        const ctx = assembleBuildContext(img, path.join(root, "context"), {
            baseImageMirrors: { "python:3.11-slim-bookworm": "m/python:3.11" },
        });
        expect(fs.readFileSync(ctx.dockerfile, "utf8")).toContain("FROM m/python:3.11\n");
        expect(fs.readFileSync(path.join(ctx.dir, ".dockerignore"), "utf8")).toContain(".pulumi-flyte-context");
        const after = Object.fromEntries(
            fs.readdirSync(src).map((f) => [f, fs.readFileSync(path.join(src, f), "utf8")]),
        );
        expect(after).toEqual(before);
        expect(fs.statSync(path.join(src, "Dockerfile")).nlink).toBe(1);
        expect(fs.statSync(path.join(src, ".dockerignore")).nlink).toBe(1);
    });
});
