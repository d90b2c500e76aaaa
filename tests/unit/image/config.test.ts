import {
    FLYTE_REGISTRY,
    Image,
    LOCALHOST_REGISTRY,
    defaultRegistry,
    imageSettings,
    init,
    resetInit,
} from "../../../sdk/src/core/image";

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
        // flyte-sdk: a clone of an image without a registry has none, whatever is configured
        expect(Image.fromBase("python:3.11").clone({ name: "b" }).registry).toBeUndefined();
        expect(Image.fromBase("python:3.11").clone({ name: "b" }).uri).toMatch(/^b:[0-9a-f]{32}$/);
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

describe("flyte-sdk parity of registries", () => {
    afterEach(() => resetInit());

    it("clone({ name }) of an image without a registry gives name:tag, even with a configured registry", () => {
        init({ registry: "localhost:30000" });
        const e = Image.fromBase("python:3.11-slim").clone({ name: "e", extendable: true });
        expect(e.registry).toBeUndefined();
        expect(e.uri).toBe(`e:${e.tag}`);
    });

    it("only the default image (fromDebianBase) gets the default registry", () => {
        expect(Image.fromDebianBase({ name: "d" }).uri).toMatch(/^ghcr\.io\/flyteorg\/d:/);
    });

    it("accepts Docker Hub namespaces as registries", () => {
        expect(Image.fromBase("python:3.11").clone({ name: "e", registry: "other_registry" }).uri).toMatch(
            /^other_registry\/e:[0-9a-f]{32}$/,
        );
        expect(Image.fromDebianBase({ name: "e", registry: "my-org" }).registry).toBe("my-org");
    });
});
