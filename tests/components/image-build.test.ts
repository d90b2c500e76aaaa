import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { expectRejectedBeforeRegistering, installMocks, isSecretInput, ofType, plain, registrations, reset, resolve, settle } from "./harness";
installMocks({ project: "proj", stack: "dev" });
import { BUILT_BY_LABEL, Image, ImageBuild, Secret, ValidationError } from "../../sdk/src";

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "pf-imagebuild-"));
const image = Image.fromDebianBase({ python: "3.11", registry: "localhost:30000", name: "app", installFlyte: false })
    .withPipPackages({ packages: ["six==1.16.0"], secretMounts: [new Secret({ group: "pypi", key: "token" })] });
const DIGEST = "sha256:" + "d".repeat(64);

/** A registry answering for one tag, its config carrying `labels`. */
function fakeRegistry(labels: Record<string, string> | undefined) {
    return jest.spyOn(globalThis, "fetch").mockImplementation(async (url: any) => {
        const u = String(url);
        if (!labels) return new Response(null, { status: 404 });
        if (u.includes("/manifests/")) {
            return new Response(JSON.stringify({ schemaVersion: 2, config: { digest: "sha256:cfg" } }), { status: 200, headers: { "docker-content-digest": DIGEST } });
        }
        if (u.endsWith("/blobs/sha256:cfg")) return new Response(JSON.stringify({ config: { Labels: labels } }), { status: 200 });
        return new Response(null, { status: 404 });
    });
}

describe("ImageBuild", () => {
    beforeEach(reset);
    afterEach(() => jest.restoreAllMocks());

    it("builds with BuildKit and pushes when the tag is missing; the ref is the pushed digest", async () => {
        const fetch = fakeRegistry(undefined);
        const b = new ImageBuild("img", { image, workDir, network: "host", secretValues: { PYPI_TOKEN: pulumi.secret("tok-123") } });
        await settle(b);
        const ref = await resolve(b.ref);
        expect(ref.value).toBe(`localhost:30000/app@sha256:${"a".repeat(64)}`);
        expect((await resolve(b.built)).value).toBe(true);
        expect(fetch.mock.calls[0][0]).toBe(`http://localhost:30000/v2/app/manifests/${image.tag}`);
        expect(registrations.map((r) => [r.type, r.name]).sort()).toEqual([["docker-build:index:Image", "img-build"], ["flyte:index:ImageBuild", "img"]]);
        const [built] = ofType("docker-build:index:Image");
        const contextDir = path.join(workDir, "contexts", `img-${image.tag}`);
        expect(plain(built.inputs)).toMatchObject({
            context: { location: contextDir },
            dockerfile: { location: path.join(contextDir, "Dockerfile") },
            tags: [image.uri],
            push: true,
            buildOnPreview: false,
            network: "host",
            labels: { [BUILT_BY_LABEL]: "proj/dev" },
            secrets: { PYPI_TOKEN: "tok-123" },
            ignoreSecretsInDiffCalculation: ["PYPI_TOKEN"],
        });
        // the value reaches the engine only as a secret (encrypted in state), never as a build arg
        expect(isSecretInput(built.inputs.secrets) || isSecretInput(built.inputs.secrets.PYPI_TOKEN)).toBe(true);
        expect(built.inputs.buildArgs).toBeUndefined();
        const dockerfile = fs.readFileSync(path.join(contextDir, "Dockerfile"), "utf8");
        expect(dockerfile).toContain("--mount=type=secret,id=PYPI_TOKEN");
        expect(dockerfile).not.toContain("tok-123");
    });

    it("reads a build secret from the Flyte-style environment variable when no value is given", async () => {
        fakeRegistry(undefined);
        process.env.PYPI_TOKEN = "from-env-456";
        try {
            const b = new ImageBuild("img", { image, workDir });
            await settle(b);
            await resolve(b.ref);
        } finally {
            delete process.env.PYPI_TOKEN;
        }
        const [built] = ofType("docker-build:index:Image");
        expect(plain(built.inputs.secrets)).toEqual({ PYPI_TOKEN: "from-env-456" });
        expect(isSecretInput(built.inputs.secrets) || isSecretInput(built.inputs.secrets.PYPI_TOKEN)).toBe(true);
    });

    it("fails at construction when a build secret has no value", () => {
        expect(() => new ImageBuild("img", { image, workDir })).toThrow(/secretValues.PYPI_TOKEN: .*set the environment variable PYPI_TOKEN/);
        expect(registrations).toEqual([]);
    });

    it("reuses a tag another stack (or flyte-sdk) pushed: nothing is built", async () => {
        fakeRegistry({ [BUILT_BY_LABEL]: "proj/prod" });
        const b = new ImageBuild("img", { image, workDir, secretValues: { PYPI_TOKEN: "t" } });
        await settle(b);
        expect((await resolve(b.ref)).value).toBe(`localhost:30000/app@${DIGEST}`);
        expect((await resolve(b.built)).value).toBe(false);
        expect(registrations.map((r) => r.type)).toEqual(["flyte:index:ImageBuild"]);
    });

    it("keeps managing a tag this stack built (no delete/recreate churn on the next run)", async () => {
        fakeRegistry({ [BUILT_BY_LABEL]: "proj/dev" });
        const b = new ImageBuild("img", { image, workDir, secretValues: { PYPI_TOKEN: "t" } });
        await settle(b);
        await resolve(b.ref);
        expect(registrations.map((r) => r.type).sort()).toEqual(["docker-build:index:Image", "flyte:index:ImageBuild"]);
    });

    it("builds when the registry cannot be reached (and says so)", async () => {
        jest.spyOn(globalThis, "fetch").mockRejectedValue(new Error("connect ECONNREFUSED"));
        const warn = jest.spyOn(pulumi.log, "warn").mockResolvedValue(undefined as any);
        const b = new ImageBuild("img", { image, workDir, secretValues: { PYPI_TOKEN: "t" } });
        await settle(b);
        expect((await resolve(b.built)).value).toBe(true);
        expect(warn.mock.calls[0][0]).toMatch(/could not check the registry .* ECONNREFUSED/);
    });

    it("uses a published image as is", async () => {
        const b = new ImageBuild("img", { image: Image.fromBase("ghcr.io/acme/trainer:1.2"), workDir });
        await settle(b);
        expect((await resolve(b.ref)).value).toBe("ghcr.io/acme/trainer:1.2");
        expect(registrations.map((r) => r.type)).toEqual(["flyte:index:ImageBuild"]);
    });

    it.each([
        [{ image: "python:3.11" }, "image"],
        [{ image, network: "host; rm -rf /" }, "network"],
        [{ image, secretValues: { PYPI_TOKEN: "t", OTHER: "x" } }, "secretValues.OTHER"],
        [{ image, platform: "amd64" }, "platform"],
        [{ image, secretValues: { "bad id!": "x" } }, "secretValues.bad id!"],
        [{ image, cache: true }, "cache"],
    ])("rejects %j before registering anything", (args, field) => {
        expectRejectedBeforeRegistering(() => new ImageBuild("img", args as any), field);
    });
});
