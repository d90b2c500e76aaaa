import { Image, resetInit } from "../../../sdk/src/core/image";
import { Secret } from "../../../sdk/src/core/secret";
import { FIX, REPO_ROOT } from "./helpers";

describe("Image immutability", () => {
    const cwd = process.cwd();
    beforeAll(() => process.chdir(REPO_ROOT));
    afterAll(() => process.chdir(cwd));
    afterEach(() => resetInit());

    const base = () =>
        Image.fromDebianBase({ python: "3.11", installFlyte: false, registry: "localhost:30000", name: "imm" });

    it("every method returns a new frozen Image and leaves the original unchanged", () => {
        const a = base();
        const before = a.layers.length;
        const steps: [string, (i: Image) => Image][] = [
            ["withAptPackages", (i) => i.withAptPackages("git")],
            ["withPipPackages", (i) => i.withPipPackages("requests")],
            ["withRequirements", (i) => i.withRequirements(`${FIX}/requirements.txt`)],
            ["withEnvVars", (i) => i.withEnvVars({ A: "1" })],
            ["withCommands", (i) => i.withCommands("echo hi")],
            ["withWorkdir", (i) => i.withWorkdir("/app")],
            ["withSourceFile", (i) => i.withSourceFile(`${FIX}/app.py`)],
            ["withSourceFolder", (i) => i.withSourceFolder(`${FIX}/proj2`)],
            ["withDockerignore", (i) => i.withDockerignore(`${FIX}/.dockerignore`)],
            ["withLocalV2", (i) => i.withLocalV2({ distDir: `${FIX}/wheels` })],
            ["clone", (i) => i.clone({ name: "other" })],
        ];
        for (const [name, step] of steps) {
            const b = step(a);
            expect({ name, same: b === a }).toEqual({ name, same: false });
            expect(Object.isFrozen(b)).toBe(true);
            expect(Object.isFrozen(b.layers)).toBe(true);
            b.layers.forEach((l) => expect(Object.isFrozen(l)).toBe(true));
            expect(a.layers.length).toBe(before);
        }
        expect(Object.isFrozen(a)).toBe(true);
    });

    it("rejects assignment to properties and layers", () => {
        const a = base().withAptPackages("git");
        expect(() => {
            (a as any).name = "x";
        }).toThrow(TypeError);
        expect(() => {
            (a.layers as any).push({ kind: "workdir", workdir: "/" });
        }).toThrow(TypeError);
        const apt = a.layers[a.layers.length - 1] as any;
        expect(() => apt.packages.push("vim")).toThrow(TypeError);
    });

    it("copies arrays given: mutating them later changes nothing", () => {
        const packages = ["pandas", "numpy"];
        const extra = ["https://example.com/simple"];
        const secrets: (string | Secret)[] = ["GITHUB_PAT"];
        const img = base().withPipPackages({ packages, extraIndexUrls: extra, secretMounts: secrets });
        const tag = img.tag;
        const dockerfile = img.dockerfile;
        packages.push("evil");
        packages[0] = "other";
        extra.push("https://evil.example.com/simple");
        secrets.push("MORE");
        const pip = img.layers[img.layers.length - 1];
        expect(pip.kind === "pip" && pip.packages).toEqual(["pandas", "numpy"]);
        expect(pip.kind === "pip" && pip.extraIndexUrls).toEqual(["https://example.com/simple"]);
        expect(pip.kind === "pip" && pip.secretMounts.map((m) => m.secret.key)).toEqual(["GITHUB_PAT"]);
        expect(img.tag).toBe(tag);
        expect(img.dockerfile).toBe(dockerfile);
    });

    it("copies apt, command, file lists and env maps", () => {
        const apt = ["git"];
        const cmds = ["echo a"];
        const files = [`${FIX}/app.py`];
        const env: Record<string, string> = { A: "1" };
        const map = new Map([["B", "2"]]);
        const img = base()
            .withAptPackages({ packages: apt })
            .withCommands(cmds)
            .withSourceFile(files)
            .withEnvVars(env)
            .withEnvVars(map);
        const tag = img.tag;
        apt.push("vim");
        cmds.push("rm -rf /");
        files.push(`${FIX}/config.yaml`);
        env.A = "changed";
        env.C = "3";
        map.set("B", "changed");
        expect(img.tag).toBe(tag);
        const kinds = img.layers.slice(-5);
        expect(kinds[0]).toMatchObject({ kind: "apt", packages: ["git"] });
        expect(kinds[1]).toMatchObject({ kind: "commands", commands: ["echo a"] });
        expect(kinds[2]).toMatchObject({ kind: "copy", src: `${FIX}/app.py` });
        expect(kinds[3]).toMatchObject({ kind: "env", envVars: [["A", "1"]] });
        expect(kinds[4]).toMatchObject({ kind: "env", envVars: [["B", "2"]] });
    });

    it("the same definition always gives the same tag and byte-identical Dockerfile", () => {
        const make = () =>
            base()
                .withAptPackages("git")
                .withPipPackages("requests")
                .withSourceFolder(`${FIX}/proj`)
                .withEnvVars({ A: "1" });
        const a = make();
        const b = make();
        expect(a).not.toBe(b);
        expect(a.tag).toBe(b.tag);
        expect(a.uri).toBe(b.uri);
        expect(a.dockerfile).toBe(b.dockerfile);
        expect(a.dockerfile).toBe(a.dockerfile);
    });

    it("cannot be constructed directly", () => {
        expect(() => new (Image as any)(Symbol("x"), {})).toThrow(TypeError);
    });
});
