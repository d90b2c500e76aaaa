import { installMocks, ofType, registrations, resolve, settle, thrownBy } from "./harness";
installMocks({ project: "proj", stack: "dev" });
import { Image, ImageBuild, TaskEnvironment, ValidationError } from "../../sdk/src";
import * as flyte from "../../provider/src";

/**
 * One build per image: an Image given to several environments is built and pushed
 * once per program; the other environments use that build's digest reference.
 */
const image = Image.fromDebianBase({
    python: "3.11",
    registry: "localhost:30000",
    name: "shared",
    installFlyte: false,
}).withPipPackages("six==1.16.0");

async function settleAll(): Promise<void> {
    for (let i = 0; i < 20; i++) await new Promise((res) => setImmediate(res));
}

describe("one build per image", () => {
    it("three environments given one Image register one build; all pods use its digest", async () => {
        const envs = ["prep", "train", "serve"].map(
            (n) => new TaskEnvironment(n, { image, imageBuild: { network: "host" } }),
        );
        await settle(...envs);
        await settleAll();
        const builds = ofType("docker-build:index:Image");
        expect(builds.map((b) => [b.name, b.inputs.tags])).toEqual([["prep-image-build", [image.uri]]]);
        expect(ofType("flyte:index:ImageBuild").map((b) => b.name)).toEqual(["prep-image"]);
        const refs = await Promise.all(envs.map(async (e) => (await resolve(e.imageRef)).value));
        expect(new Set(refs)).toEqual(new Set([`localhost:30000/shared@sha256:${"a".repeat(64)}`]));
        for (const tpl of ofType("kubernetes:core/v1:PodTemplate"))
            expect(tpl.inputs.template.spec.containers[0].image).toBe(refs[0]);
        expect(envs[1].imageBuild).toBe(envs[0].imageBuild);
    });

    it("an explicit ImageBuild of the image is the one environments given the Image use", async () => {
        const build = new ImageBuild("app-image", { image, network: "host" });
        const env = new TaskEnvironment("train", { image, imageBuild: { network: "host" } });
        await settle(build, env);
        await settleAll();
        expect(ofType("docker-build:index:Image").map((b) => b.name)).toEqual(["app-image-build"]);
        expect((await resolve(env.imageRef)).value).toBe((await resolve(build.ref)).value);
    });

    it("another image (another tag) is built on its own", async () => {
        const other = image.withEnvVars({ MODE: "serve" });
        new TaskEnvironment("train", { image });
        new TaskEnvironment("serve", { image: other });
        await settleAll();
        await settleAll();
        expect(
            ofType("docker-build:index:Image")
                .map((b) => b.inputs.tags[0])
                .sort(),
        ).toEqual([image.uri, other.uri].sort());
    });

    it("the same image with other build settings is an error naming the first builder", async () => {
        new TaskEnvironment("train", { image, imageBuild: { network: "host" } });
        const before = registrations.length;
        const error = thrownBy(
            () => new TaskEnvironment("serve", { image, imageBuild: { network: "none" } }),
        ) as ValidationError;
        expect(error).toBeInstanceOf(ValidationError);
        expect(error.field).toBe("imageBuild");
        expect(error.message).toContain('ImageBuild "train-image" builds the same image');
        expect(registrations.length).toBe(before);
        await settleAll();
    });

    it("the flyte package builds one image given as data to several environments once", async () => {
        const spec = JSON.parse(JSON.stringify(image.toSpec()));
        const a = new flyte.TaskEnvironment("a", { image: spec });
        const b = new flyte.TaskEnvironment("b", { image: spec });
        await settle(a, b);
        await settleAll();
        expect(ofType("docker-build:index:Image").map((r) => r.name)).toEqual(["a-image-build"]);
        expect((await resolve(b.imageRef)).value).toBe((await resolve(a.imageRef)).value);
        expect((await resolve(b.imageUri)).value).toBe(image.uri);
    });
});
