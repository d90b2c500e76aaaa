import * as dockerbuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import * as os from "os";
import * as path from "path";
import { HIDDEN, ValidationError, isOutputLike, joinPath, withValuesHidden } from "../core/errors";
import { Image } from "../core/image";
import { nestedArgs, redactSecrets, secretField, secretPaths } from "../core/secret-fields";
import {
    argsSchema,
    booleanField,
    checkObject,
    checkedLater,
    normalizeArgs,
    parseArgs,
    rule,
    stringField,
    stringMapField,
} from "../core/validate";
import { mirrorsFromEnv } from "../build/mirrors";
import { underMocks } from "../runtime/mocks";
import { stackDefaults } from "./stack-config";

/*
 * An image build's settings: its options, their value rules, and the validated settings
 * with their defaults. Each option is documented once, in the data form's schema
 * (sdk/src/spec/schema.ts, `ImageBuildSettings`): the docs below, the flyte package's
 * schema and the README's table carry that text word for word
 * (tests/unit/spec/option-docs.test.ts; scripts/gen-option-docs.ts writes the README's).
 */

export interface ImageBuildOptions {
    /** Public base image -> local mirror, e.g. `{ "python:3.11-slim-bookworm": "127.0.0.1:30000/library/python:3.11-slim-bookworm" }` (default: the JSON file named by $PULUMI_FLYTE_BASE_IMAGES, if set). */
    baseImageMirrors?: Record<string, string>;
    /** Network of RUN steps: `default`, `host` (to reach package mirrors) or `none` (default: the `flyte:buildNetwork` config). */
    network?: string;
    /** Values of build secrets by id (`<GROUP>_<KEY>` upper-cased, as Flyte); unset ones come from the environment variable of that name (as flyte-sdk). Kept secret. */
    secretValues?: Record<string, pulumi.Input<string>>;
    /** Skip the build when the tag already exists in the registry (default true; false under Pulumi's mocks, so unit tests never reach a registry). */
    skipExisting?: boolean;
    /** Where build contexts are assembled (default $PULUMI_FLYTE_BUILD_WORKDIR, else <tmpdir>/pulumi-flyte). */
    workDir?: string;
    /** buildx builder name (default $PULUMI_FLYTE_BUILDER, else the provider's choice: an existing docker-container or remote builder, or a new docker-container one). */
    builder?: string;
    /** Run the `docker-buildx` CLI plugin instead of the provider's embedded client (default: $PULUMI_FLYTE_BUILDX_EXEC=1); needed to build with the Docker daemon's own BuildKit (the "docker" driver), which the embedded client refuses. */
    exec?: boolean;
    /** Target platform of the build, e.g. `"linux/amd64"`. */
    platform?: string;
    /** Credentials for the registry lookup (pushes use the Docker provider's registryAuth). */
    registryCredentials?: { username: string; password: string };
}

export interface ImageBuildArgs extends ImageBuildOptions {
    image: Image;
}

const NETWORK_MODES = Object.values(dockerbuild.NetworkMode) as string[];
const PLATFORMS = Object.values(dockerbuild.Platform) as string[];

type RegistryCredentials = NonNullable<ImageBuildOptions["registryCredentials"]>;
const registryCredentialsSchema = argsSchema<RegistryCredentials>()(
    { username: checkedLater<string>(), password: secretField(checkedLater<string>()) },
    "{ username, password }",
);

function checkImage(field: string, value: unknown): Image {
    if (!(value instanceof Image))
        throw new ValidationError(field, value, 'expected an Image (e.g. Image.fromDebianBase({ python: "3.11" }))');
    return value;
}

function checkNetwork(field: string, value: unknown): string {
    if (!NETWORK_MODES.includes(value as string))
        throw new ValidationError(
            field,
            value,
            `allowed values: ${NETWORK_MODES.map((m) => JSON.stringify(m)).join(", ")}`,
        );
    return value as string;
}

function checkPlatform(field: string, value: unknown): string {
    if (!PLATFORMS.includes(value as string))
        throw new ValidationError(field, value, `expected os/arch[/variant], one of ${PLATFORMS.join(", ")}`);
    return value as string;
}

/** A map of build secret ids to values (the values are checked against the image's secrets: `buildSecretValues`). */
function checkSecretValues(field: string, value: unknown): Record<string, pulumi.Input<string>> {
    checkObject(field, value, "a map of build secret id -> value");
    for (const id of Object.keys(value)) {
        if (!/^[A-Za-z0-9_.-]+$/.test(id))
            throw new ValidationError(joinPath(field, id), id, "a build secret id is letters, digits, '_', '.' or '-'");
    }
    return value as Record<string, pulumi.Input<string>>;
}

function checkRegistryCredentials(field: string, c: unknown): RegistryCredentials {
    return withValuesHidden(() => {
        const credentials = parseArgs(registryCredentialsSchema, c as RegistryCredentials, field);
        if (typeof credentials.username !== "string" || credentials.username === "")
            throw new ValidationError(joinPath(field, "username"), HIDDEN, "a user name (a string)");
        if (typeof credentials.password !== "string" && !isOutputLike(credentials.password))
            throw new ValidationError(
                joinPath(field, "password"),
                HIDDEN,
                "a password or token (a string, or an Output of one)",
            );
        return credentials;
    });
}

/** The fields of an image build and their value rules. */
export const imageBuildArgsSchema = argsSchema<ImageBuildArgs>()(
    {
        image: rule(checkImage, { required: true }),
        baseImageMirrors: stringMapField("a map of base image -> mirror image (strings)").optional(),
        network: rule(checkNetwork),
        secretValues: secretField(rule(checkSecretValues)),
        skipExisting: booleanField.optional(),
        workDir: stringField.optional(),
        builder: stringField.optional(),
        exec: booleanField.optional(),
        platform: rule(checkPlatform),
        registryCredentials: nestedArgs(rule(checkRegistryCredentials), registryCredentialsSchema),
    },
    "{ image, ... }",
);

/** Validated build settings, with the build secrets' values as Pulumi secrets. */
export interface ImageBuildSettings extends ImageBuildOptions {
    readonly workDir: string;
    readonly skipExisting: boolean;
    readonly secretValues: Record<string, pulumi.Output<string>>;
}

/**
 * Validates an image build's arguments (pure apart from reading $PULUMI_FLYTE_* and the
 * mirror file): options, and a value for every build secret the image mounts. Field
 * paths start at `prefix` (an environment's `imageBuild`).
 */
export function validateImageBuild(args: ImageBuildArgs, prefix = ""): ImageBuildSettings {
    return redactSecrets(
        () => secretPaths(imageBuildArgsSchema, prefix),
        () => {
            normalizeArgs(imageBuildArgsSchema, args, prefix);
            const stack = stackDefaults(); // read even when unused: a misspelled flyte:* key fails here too
            const network = args.network ?? stack.buildNetwork; // flyte:buildNetwork
            const ids = args.image.needsBuild ? args.image.buildSecrets.map((s) => s.id) : [];
            return {
                ...args,
                ...(network !== undefined ? { network } : {}),
                baseImageMirrors: args.baseImageMirrors ?? mirrorsFromEnv(),
                workDir:
                    args.workDir ?? process.env.PULUMI_FLYTE_BUILD_WORKDIR ?? path.join(os.tmpdir(), "pulumi-flyte"),
                // the registry lookup; under Pulumi's mocks only when asked for (skipExisting: true)
                skipExisting: args.skipExisting ?? !underMocks(),
                builder: args.builder ?? process.env.PULUMI_FLYTE_BUILDER,
                exec: args.exec ?? process.env.PULUMI_FLYTE_BUILDX_EXEC === "1",
                secretValues: args.image.needsBuild ? buildSecretValues(ids, args.secretValues, prefix) : {},
            };
        },
    );
}

/** What decides how an image is built (not the secret values, which are Outputs): two builds of one tag must agree on it. */
export function buildSettingsKey(s: ImageBuildSettings): string {
    const mirrors = s.baseImageMirrors ? Object.entries(s.baseImageMirrors).sort(([a], [b]) => (a < b ? -1 : 1)) : [];
    return JSON.stringify([
        s.network ?? null,
        s.platform ?? null,
        s.builder ?? null,
        !!s.exec,
        s.skipExisting,
        s.workDir,
        mirrors,
    ]);
}

/**
 * Values of the image's build secrets: from `secretValues`, else (as flyte-sdk's local
 * builder) from the environment variable named like the secret id. Every value is a
 * Pulumi secret: encrypted in state, masked in logs, a BuildKit secret mount in the build.
 */
function buildSecretValues(
    ids: readonly string[],
    given: Record<string, pulumi.Input<string>> | undefined,
    prefix: string,
): Record<string, pulumi.Output<string>> {
    const field = joinPath(prefix, "secretValues");
    const out: Record<string, pulumi.Output<string>> = {};
    for (const id of ids) {
        const value = given?.[id] ?? process.env[id];
        if (value === undefined) {
            throw new ValidationError(
                joinPath(field, id),
                undefined,
                `the image mounts build secret ${id}: pass secretValues.${id} (e.g. config.requireSecret(...)) or set the environment variable ${id}`,
            );
        }
        if (typeof value !== "string" && !isOutputLike(value))
            throw new ValidationError(
                joinPath(field, id),
                HIDDEN,
                "a build secret's value is a string or an Output of one (e.g. config.requireSecret(...))",
            );
        out[id] = pulumi.secret(value);
    }
    for (const id of Object.keys(given ?? {})) {
        if (!ids.includes(id))
            throw new ValidationError(
                joinPath(field, id),
                "(value hidden)",
                `the image mounts no build secret ${id}; it mounts ${ids.length ? ids.join(", ") : "none"}`,
            );
    }
    return out;
}
