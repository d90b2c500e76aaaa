import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import {
    expectRejectedBeforeRegistering,
    installMocks,
    isSecretInput,
    ofType,
    plain,
    registrations,
    reset,
    resolve,
    settle,
} from "./harness";
installMocks({ project: "proj", stack: "dev" });
import { BUILT_BY_LABEL, Image, ImageBuild, Secret } from "../../sdk/src";
import * as trust from "../../sdk/src/build/trust";

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "pf-imagebuild-"));
const image = Image.fromDebianBase({
    python: "3.11",
    registry: "localhost:30000",
    name: "app",
    installFlyte: false,
}).withPipPackages({ packages: ["six==1.16.0"], secretMounts: [new Secret({ group: "pypi", key: "token" })] });
const DIGEST = "sha256:" + "d".repeat(64);

/** A registry answering for one tag, its config carrying `labels`. */
function fakeRegistry(labels: Record<string, string> | undefined) {
    return jest.spyOn(globalThis, "fetch").mockImplementation(async (url: any) => {
        const u = String(url);
        if (!labels) return new Response(null, { status: 404 });
        if (u.includes("/manifests/")) {
            return new Response(JSON.stringify({ schemaVersion: 2, config: { digest: "sha256:cfg" } }), {
                status: 200,
                headers: { "docker-content-digest": DIGEST },
            });
        }
        if (u.endsWith("/blobs/sha256:cfg"))
            return new Response(JSON.stringify({ config: { Labels: labels } }), { status: 200 });
        return new Response(null, { status: 404 });
    });
}

describe("ImageBuild", () => {
    beforeEach(() => {
        // the registry lookup's HTTPS transport, here the global fetch the tests fake
        jest.spyOn(trust, "trustedFetch").mockReturnValue(((url, init) => globalThis.fetch(url, init)) as typeof fetch);
    });
    afterEach(() => jest.restoreAllMocks());

    it("builds with BuildKit and pushes when the tag is missing; the ref is the pushed digest", async () => {
        const fetch = fakeRegistry(undefined);
        const b = new ImageBuild("img", {
            image,
            workDir,
            network: "host",
            skipExisting: true,
            secretValues: { PYPI_TOKEN: pulumi.secret("tok-123") },
        });
        const contextDir = path.join(workDir, "contexts", "proj-dev-img");
        // the context is there for the provider, and gone once it has hashed and built it
        const dockerfile = fs.readFileSync(path.join(contextDir, "Dockerfile"), "utf8");
        await settle(b);
        const ref = await resolve(b.ref);
        expect(ref.value).toBe(`localhost:30000/app@sha256:${"a".repeat(64)}`);
        expect((await resolve(b.built)).value).toBe(true);
        expect(fetch.mock.calls[0][0]).toBe(`https://localhost:30000/v2/app/manifests/${image.tag}`);
        expect(registrations.map((r) => [r.type, r.name]).sort()).toEqual([
            ["docker-build:index:Image", "img-build"],
            ["flyte:index:ImageBuild", "img"],
        ]);
        const [built] = ofType("docker-build:index:Image");
        // kept: the state refers to it, and `pulumi refresh` hashes it again (no contextHash diff)
        expect(fs.readFileSync(path.join(contextDir, "Dockerfile"), "utf8")).toBe(dockerfile);
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
        expect(() => new ImageBuild("img", { image, workDir })).toThrow(
            /secretValues.PYPI_TOKEN: .*set the environment variable PYPI_TOKEN/,
        );
        expect(registrations).toEqual([]);
    });

    it("reuses a tag another stack (or flyte-sdk) pushed: nothing is built", async () => {
        fakeRegistry({ [BUILT_BY_LABEL]: "proj/prod" });
        const b = new ImageBuild("img", { image, workDir, skipExisting: true, secretValues: { PYPI_TOKEN: "t" } });
        await settle(b);
        expect((await resolve(b.ref)).value).toBe(`localhost:30000/app@${DIGEST}`);
        expect((await resolve(b.built)).value).toBe(false);
        expect(registrations.map((r) => r.type)).toEqual(["flyte:index:ImageBuild"]);
        // no build of its own: its context is gone
        expect(fs.existsSync(path.join(workDir, "contexts", "proj-dev-img"))).toBe(false);
    });

    it("keeps managing a tag this stack built (no delete/recreate churn on the next run)", async () => {
        fakeRegistry({ [BUILT_BY_LABEL]: "proj/dev" });
        const b = new ImageBuild("img", { image, workDir, skipExisting: true, secretValues: { PYPI_TOKEN: "t" } });
        await settle(b);
        await resolve(b.ref);
        expect(registrations.map((r) => r.type).sort()).toEqual(["docker-build:index:Image", "flyte:index:ImageBuild"]);
    });

    it("builds when the registry cannot be reached (and says so)", async () => {
        jest.spyOn(globalThis, "fetch").mockRejectedValue(new Error("connect ECONNREFUSED"));
        const warn = jest.spyOn(pulumi.log, "warn").mockResolvedValue(undefined as any);
        const b = new ImageBuild("img", { image, workDir, skipExisting: true, secretValues: { PYPI_TOKEN: "t" } });
        await settle(b);
        expect((await resolve(b.built)).value).toBe(true);
        expect(warn.mock.calls[0][0]).toMatch(/could not check whether .* is already in the registry: .*ECONNREFUSED/);
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
        [{ image, skipExisting: "false" }, "skipExisting"],
        [{ image, exec: 1 }, "exec"],
        [{ image, workDir: ["/tmp"] }, "workDir"],
        [{ image, builder: 7 }, "builder"],
        [{ image, baseImageMirrors: { "python:3.11": 1 } }, "baseImageMirrors"],
        [{ image, baseImageMirrors: "mirrors.json" }, "baseImageMirrors"],
    ])("rejects %j before registering anything", (args, field) => {
        expectRejectedBeforeRegistering(() => new ImageBuild("img", args as any), field);
    });
});

describe("ImageBuild's registry lookup", () => {
    beforeEach(() => {
        jest.spyOn(trust, "trustedFetch").mockReturnValue(((url, init) => globalThis.fetch(url, init)) as typeof fetch);
    });
    afterEach(() => jest.restoreAllMocks());

    /** What fetch throws when the request fails below HTTP (undici's shape). */
    const fetchFailed = (code: string) =>
        Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error(code), { code }) });

    it("is skipped under Pulumi's mocks unless asked for (skipExisting: true)", async () => {
        const fetch = jest.spyOn(globalThis, "fetch").mockRejectedValue(new Error("no network in unit tests"));
        const b = new ImageBuild("img", { image, workDir, secretValues: { PYPI_TOKEN: "t" } });
        await settle(b);
        expect((await resolve(b.built)).value).toBe(true);
        expect(fetch).not.toHaveBeenCalled();
    });

    it.each([
        ["ECONNREFUSED", /connection refused by localhost:30000/],
        ["ENOTFOUND", /DNS: the host localhost was not found/],
        ["CERT_HAS_EXPIRED", /TLS: the certificate of localhost:30000 was not accepted/],
    ])("names the real cause (%s) in a warning attached to the build", async (code, cause) => {
        jest.spyOn(globalThis, "fetch").mockRejectedValue(fetchFailed(code));
        const warn = jest.spyOn(pulumi.log, "warn").mockResolvedValue(undefined as any);
        const b = new ImageBuild("img", { image, workDir, skipExisting: true, secretValues: { PYPI_TOKEN: "t" } });
        await settle(b);
        await resolve(b.built);
        expect(warn).toHaveBeenCalledTimes(1);
        expect(warn.mock.calls[0][0]).toMatch(cause);
        expect(warn.mock.calls[0][1]).toBe(b);
    });

    it("a 401 says to log in, and docker's credentials (~/.docker/config.json) are used", async () => {
        const dockerConfig = fs.mkdtempSync(path.join(os.tmpdir(), "pf-docker-"));
        const headers: (string | null)[] = [];
        jest.spyOn(globalThis, "fetch").mockImplementation(async (_url: any, init: any) => {
            headers.push(init?.headers?.Authorization ?? null);
            return new Response(null, { status: init?.headers?.Authorization ? 404 : 401 });
        });
        const warn = jest.spyOn(pulumi.log, "warn").mockResolvedValue(undefined as any);
        const previous = process.env.DOCKER_CONFIG;
        process.env.DOCKER_CONFIG = dockerConfig;
        try {
            const b = new ImageBuild("img", { image, workDir, skipExisting: true, secretValues: { PYPI_TOKEN: "t" } });
            await settle(b);
            await resolve(b.built);
            expect(warn.mock.calls[0][0]).toMatch(
                /localhost:30000 needs credentials to read app \(401\); log in with `docker login localhost:30000`/,
            );
            reset();
            warn.mockClear();
            fs.writeFileSync(
                path.join(dockerConfig, "config.json"),
                JSON.stringify({ auths: { "localhost:30000": { auth: Buffer.from("ci:s3cret").toString("base64") } } }),
            );
            const again = new ImageBuild("img", {
                image,
                workDir,
                skipExisting: true,
                secretValues: { PYPI_TOKEN: "t" },
            });
            await settle(again);
            await resolve(again.built);
            expect(headers[headers.length - 1]).toBe(`Basic ${Buffer.from("ci:s3cret").toString("base64")}`);
            expect(warn).not.toHaveBeenCalled();
        } finally {
            if (previous === undefined) delete process.env.DOCKER_CONFIG;
            else process.env.DOCKER_CONFIG = previous;
        }
    });

    it("build contexts are one folder per build, re-assembled in place, kept for the refresh: nothing accumulates", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pf-contexts-"));
        for (const pkg of ["six==1.16.0", "six==1.15.0", "six==1.14.0"]) {
            reset();
            const img = Image.fromDebianBase({
                python: "3.11",
                registry: "localhost:30000",
                name: "app",
                installFlyte: false,
            }).withPipPackages(pkg);
            const b = new ImageBuild("img", { image: img, workDir: dir });
            expect(fs.readdirSync(path.join(dir, "contexts"))).toEqual(["proj-dev-img"]);
            expect(fs.readFileSync(path.join(dir, "contexts", "proj-dev-img", "Dockerfile"), "utf8")).toContain(pkg);
            await settle(b);
            await resolve(b.ref);
            // the one the provider hashed last, what the state refers to
            expect(fs.readdirSync(path.join(dir, "contexts"))).toEqual(["proj-dev-img"]);
            expect(fs.readFileSync(path.join(dir, "contexts", "proj-dev-img", "Dockerfile"), "utf8")).toContain(pkg);
        }
    });
});
