import { FLYTE_REGISTRY, Image, LOCALHOST_REGISTRY, defaultRegistry, imageSettings, init, resetInit } from "../../../sdk/src/core/image";

describe("registry defaults", () => {
    afterEach(() => resetInit());

    it("defaultRegistry: localhost:30000 for a localhost endpoint, else ghcr.io/flyteorg", () => {
        expect(defaultRegistry()).toBe("ghcr.io/flyteorg");
        expect(defaultRegistry("dns:///flyte.example.com")).toBe(FLYTE_REGISTRY);
        expect(defaultRegistry("dns:///localhost:8090")).toBe(LOCALHOST_REGISTRY);
        expect(defaultRegistry("http://localhost:30080")).toBe("localhost:30000");
    });

    it("images without a registry use the module setting", () => {
        expect(Image.fromDebianBase({ name: "a" }).registry).toBe("ghcr.io/flyteorg");
        init({ endpoint: "dns:///localhost:8090" });
        expect(imageSettings()).toEqual({ endpoint: "dns:///localhost:8090", registry: "localhost:30000" });
        expect(Image.fromDebianBase({ name: "a" }).uri).toMatch(/^localhost:30000\/a:/);
        init({ endpoint: "dns:///localhost:8090", registry: "registry.example.com/team" });
        expect(Image.fromDebianBase({ name: "a" }).uri).toMatch(/^registry\.example\.com\/team\/a:/);
        expect(Image.fromBase("python:3.11").clone({ name: "b" }).registry).toBe("registry.example.com/team");
    });

    it("an explicit registry wins, and images keep the registry they were created with", () => {
        init({ registry: "one.example.com" });
        const img = Image.fromDebianBase({ installFlyte: false, name: "a" });
        const explicit = Image.fromDebianBase({ registry: "two.example.com", name: "a" });
        init({ registry: "three.example.com" });
        expect(img.registry).toBe("one.example.com");
        expect(img.withPipPackages("x").registry).toBe("one.example.com");
        expect(explicit.registry).toBe("two.example.com");
    });

    it("init() and resetInit() restore the defaults", () => {
        init({ registry: "x.example.com", rootDir: "." });
        init();
        expect(imageSettings()).toEqual({ registry: "ghcr.io/flyteorg" });
        init({ registry: "x.example.com" });
        resetInit();
        expect(imageSettings()).toEqual({ registry: "ghcr.io/flyteorg" });
    });
});
