import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as util from "util";
import { z } from "zod";
import { installMocks, thrownBy } from "./harness";
installMocks();
import { Image, ImageBuild, Secret, SecretStore, TaskEnvironment, ValidationError } from "../../sdk/src";
import * as flyte from "../../provider/src";
import { isSecretField, secretPaths } from "../../sdk/src/core/secret-fields";
import { imageBuildArgsSchema } from "../../sdk/src/components/image-build-settings";
import { secretStoreArgsSchema } from "../../sdk/src/components/secret-store";
import { taskEnvironmentArgsSchema } from "../../sdk/src/components/task-environment";
import { COMPONENTS } from "../../sdk/src/spec/schema";
import { unwrapSpec } from "../../sdk/src/spec/kit";

/*
 * No message, warning or log line shows a secret value, whatever shape the caller gives
 * where a secret-bearing argument is expected. The secret-bearing arguments are not
 * listed here: they are read from the schemas (`secretField` / `secret(...)` marks), for
 * the TypeScript API and for the multi-language package, and each is tried with every
 * shape at the field itself, under it and at every field on the way to it (the
 * arguments themselves included).
 */

const SECRET = "s3cr3t-SENTINEL-7f1c";
const NUMBER = 918273645;
const shapes: [string, () => unknown][] = [
    ["a string", () => SECRET],
    ["a number", () => NUMBER],
    ["an Output", () => pulumi.output(SECRET)],
    ["a secret Output", () => pulumi.secret(SECRET)],
    ["a nested object", () => ({ value: SECRET, nested: { deeper: SECRET, n: NUMBER } })],
    ["a list", () => [SECRET, NUMBER]],
];

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "pf-redaction-"));
const image = Image.fromDebianBase({
    python: "3.11",
    registry: "localhost:30000",
    name: "app",
    installFlyte: false,
}).withPipPackages({ packages: ["six==1.16.0"], secretMounts: [new Secret({ group: "pypi", key: "token" })] });
const imageSpec = JSON.parse(JSON.stringify(image.toSpec()));
const credentials = { username: "u", password: "p" };

interface Component {
    name: string;
    /** The schema its secret-bearing fields are read from. */
    schema: z.ZodTypeAny;
    /** Valid arguments (secret-bearing fields filled with harmless values). */
    base: () => Record<string, unknown>;
    /** The same with one non-secret field invalid: its error must not show the secrets either. */
    broken: () => Record<string, unknown>;
    /** Keys used below a secret-bearing map (a group and its key, a build secret id). */
    keys: string[];
    make: (args: unknown) => unknown;
}

const components: Component[] = [
    {
        name: "SecretStore (TypeScript)",
        schema: secretStoreArgsSchema,
        base: () => ({ namespace: "ml", groups: { wandb: { "api-key": "v" } } }),
        broken: () => ({ namespace: "ml", groups: { wandb: { "api-key": SECRET } }, labels: { "bad key!": "x" } }),
        keys: ["wandb", "api-key"],
        make: (args) => new SecretStore("s", args as never),
    },
    {
        name: "ImageBuild (TypeScript)",
        schema: imageBuildArgsSchema,
        base: () => ({ image, workDir, secretValues: { PYPI_TOKEN: "v" }, registryCredentials: { ...credentials } }),
        broken: () => ({
            image,
            workDir,
            network: "bogus",
            secretValues: { PYPI_TOKEN: SECRET },
            registryCredentials: { username: "u", password: SECRET },
        }),
        keys: ["PYPI_TOKEN", "x"],
        make: (args) => new ImageBuild("b", args as never),
    },
    {
        name: "TaskEnvironment (TypeScript)",
        schema: taskEnvironmentArgsSchema,
        base: () => ({
            image,
            imageBuild: { workDir, secretValues: { PYPI_TOKEN: "v" }, registryCredentials: { ...credentials } },
        }),
        broken: () => ({
            image,
            resources: { cpu: "lots" },
            imageBuild: { workDir, secretValues: { PYPI_TOKEN: SECRET }, registryCredentials: { ...credentials } },
        }),
        keys: ["PYPI_TOKEN", "x"],
        make: (args) => new TaskEnvironment("e", args as never),
    },
    {
        name: "SecretStore (flyte package)",
        schema: COMPONENTS.SecretStore.args,
        base: () => ({ namespace: "ml", groups: { wandb: { "api-key": "v" } } }),
        broken: () => ({ namespace: "ml", groups: { wandb: { "api-key": SECRET } }, labels: { "bad key!": "x" } }),
        keys: ["wandb", "api-key"],
        make: (args) => new flyte.SecretStore("s", args as never),
    },
    {
        name: "ImageBuild (flyte package)",
        schema: COMPONENTS.ImageBuild.args,
        base: () => ({
            image: imageSpec,
            workDir,
            secretValues: { PYPI_TOKEN: "v" },
            registryCredentials: { ...credentials },
        }),
        broken: () => ({
            image: imageSpec,
            workDir,
            network: "bogus",
            secretValues: { PYPI_TOKEN: SECRET },
            registryCredentials: { username: "u", password: SECRET },
        }),
        keys: ["PYPI_TOKEN", "x"],
        make: (args) => new flyte.ImageBuild("b", args as never),
    },
    {
        name: "TaskEnvironment (flyte package)",
        schema: COMPONENTS.TaskEnvironment.args,
        base: () => ({
            image: imageSpec,
            imageBuild: { workDir, secretValues: { PYPI_TOKEN: "v" }, registryCredentials: { ...credentials } },
        }),
        broken: () => ({
            image: imageSpec,
            resources: { cpu: "lots" },
            imageBuild: { workDir, secretValues: { PYPI_TOKEN: SECRET }, registryCredentials: { ...credentials } },
        }),
        keys: ["PYPI_TOKEN", "x"],
        make: (args) => new flyte.TaskEnvironment("e", args as never),
    },
];

/** Every place a secret can be given for one secret-bearing path: on the way, at it, under it. */
function positions(secretPath: string, keys: string[]): string[] {
    const parts = secretPath.split(".");
    const out = [""];
    for (let i = 1; i <= parts.length; i++) out.push(parts.slice(0, i).join("."));
    if (parts[parts.length - 1] !== "password") {
        // a map of values: its entries, and what is inside an entry
        out.push(`${secretPath}.${keys[0]}`, `${secretPath}.${keys[0]}.${keys[1]}`);
    }
    return [...new Set(out)];
}

/** `base` with `value` at `at` (intermediate objects made as needed). */
function placed(base: Record<string, unknown>, at: string, value: unknown): unknown {
    if (at === "") return value;
    const parts = at.split(".");
    let node: Record<string, unknown> = base;
    for (const part of parts.slice(0, -1)) {
        const next = node[part];
        node[part] = next !== null && typeof next === "object" && !Array.isArray(next) ? { ...next } : {};
        node = node[part] as Record<string, unknown>;
    }
    node[parts[parts.length - 1]] = value;
    return base;
}

/** What a construction printed: its error (with every property), console output and log lines. */
async function printedBy(make: () => unknown): Promise<{ error: unknown; text: string }> {
    const lines: string[] = [];
    const capture = (...args: unknown[]) => lines.push(args.map((a) => util.inspect(a, { depth: 10 })).join(" "));
    const spies = [
        jest.spyOn(console, "log").mockImplementation(capture),
        jest.spyOn(console, "warn").mockImplementation(capture),
        jest.spyOn(console, "error").mockImplementation(capture),
        jest.spyOn(console, "info").mockImplementation(capture),
        jest.spyOn(pulumi.log, "warn").mockImplementation(async (m) => void lines.push(String(m))),
        jest.spyOn(pulumi.log, "error").mockImplementation(async (m) => void lines.push(String(m))),
        jest.spyOn(pulumi.log, "info").mockImplementation(async (m) => void lines.push(String(m))),
        // Pulumi's own RPC traces (shown with --debug only; under mocks they echo the mock's
        // plain state): not lines of ours, which never log at debug level
        jest.spyOn(pulumi.log, "debug").mockImplementation(async () => undefined),
    ];
    try {
        const error = thrownBy(make);
        for (let i = 0; i < 10; i++) await new Promise((res) => setImmediate(res));
        if (error !== undefined) lines.push(String(error), util.inspect(error, { depth: 10, showHidden: true }));
        return { error, text: lines.join("\n") };
    } finally {
        spies.forEach((s) => s.mockRestore());
    }
}

const cases = components.flatMap((c) =>
    secretPaths(c.schema).flatMap((secretPath) =>
        positions(secretPath, c.keys).flatMap((at) =>
            shapes.map(([shape, value]) => ({ component: c, secretPath, at, shape, value })),
        ),
    ),
);

describe("secret values in messages", () => {
    it("the secret-bearing arguments are read from the schemas, the same for TypeScript and the flyte package", () => {
        const paths = (s: z.ZodTypeAny) => secretPaths(s).sort();
        expect(paths(secretStoreArgsSchema)).toEqual(paths(COMPONENTS.SecretStore.args));
        expect(paths(imageBuildArgsSchema)).toEqual(paths(COMPONENTS.ImageBuild.args));
        expect(paths(taskEnvironmentArgsSchema)).toEqual(paths(COMPONENTS.TaskEnvironment.args));
        for (const c of components) expect(secretPaths(c.schema).length).toBeGreaterThan(0);
        // the cases below cover each of them
        expect(new Set(cases.map((k) => `${k.component.name} ${k.secretPath}`)).size).toBe(
            components.reduce((n, c) => n + secretPaths(c.schema).length, 0),
        );
    });

    it("every field documented as kept secret is marked secret in the data form, and only those", () => {
        const seen = new Set<z.ZodTypeAny>();
        const mismatches: string[] = [];
        const walk = (schema: z.ZodTypeAny, at: string, doc?: string) => {
            const documented = /kept secret/i.test(doc ?? schema.description ?? "");
            if (documented !== isSecretField(schema)) mismatches.push(at);
            const { inner } = unwrapSpec(schema);
            if (seen.has(inner)) return;
            seen.add(inner);
            if (inner instanceof z.ZodObject)
                for (const [k, f] of Object.entries(inner.shape as z.ZodRawShape)) walk(f, `${at}.${k}`);
            else if (inner instanceof z.ZodArray) walk(inner.element, `${at}[]`, "");
            else if (inner instanceof z.ZodRecord) walk(inner.valueSchema, `${at}.*`, "");
        };
        for (const [name, c] of Object.entries(COMPONENTS)) walk(c.args, name, "");
        expect(mismatches).toEqual([]);
    });

    it.each(cases.map((k) => [k.component.name, k.at || "(the arguments)", k.shape, k] as const))(
        "%s: %s given %s shows no secret value",
        async (_, __, ___, k) => {
            const args = placed(k.component.base(), k.at, k.value());
            const { error, text } = await printedBy(() => k.component.make(args));
            expect(text).not.toContain(SECRET);
            expect(text).not.toContain(String(NUMBER));
            // a thrown error is ours, at a field on the way to, at or under the secret one
            if (error !== undefined) {
                expect(error).toBeInstanceOf(ValidationError);
                const field = (error as ValidationError).field;
                expect(field === "" || k.at.startsWith(field) || field.startsWith(k.at)).toBe(true);
            }
        },
    );

    it.each(components.map((c) => [c.name, c] as const))(
        "%s: an error on another field does not show the secrets given beside it",
        async (_, c) => {
            const { error, text } = await printedBy(() => c.make(c.broken()));
            expect(error).toBeInstanceOf(ValidationError);
            expect(text).not.toContain(SECRET);
        },
    );

    it("says what kind of value was given in place of the arguments, not the value", () => {
        const error = thrownBy(() => new SecretStore("s", SECRET as never)) as ValidationError;
        expect(error.message).toBe(
            "(root): got a string (not shown: it may be a secret); expected { namespace?, groups, labels? }",
        );
        expect(util.inspect(error, { showHidden: true })).not.toContain(SECRET);
    });
});
