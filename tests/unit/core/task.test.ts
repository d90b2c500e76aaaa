/**
 * Environments and tasks: the three-level hierarchy (environment -> declaration ->
 * override), what cannot be overridden, the reusable rule, ReusePolicy, cache forms,
 * retries and durations. Flyte's behaviour (flyte-sdk 2.12.1 `_task.py`,
 * `_task_environment.py`, `_reusable_environment.py`) is ported; gaps we fix are marked.
 */
import { durationSeconds } from "../../../sdk/src/core/duration";
import {
    EnvironmentArgs,
    environmentArgsSchema,
    normalizeEnvironment,
} from "../../../sdk/src/core/environment-settings";

const ENVIRONMENT_FIELDS = Object.keys(environmentArgsSchema.shape);
import { normalizeCache, normalizeRetries, normalizeReuse } from "../../../sdk/src/core/policies";
import { Resources } from "../../../sdk/src/core/resources";
import { Secret } from "../../../sdk/src/core/secret";
import { OverrideOptions, TaskOptions, TaskTemplate } from "../../../sdk/src/core/task-template";
import { errorOf } from "./helpers";
import { jobSpec } from "../../../sdk/src/core/podtemplate/job";
import { render } from "../../../sdk/src/core/podtemplate/render";

const env = (args: Partial<EnvironmentArgs> = {}) =>
    normalizeEnvironment({ name: "env", image: "ghcr.io/org/img:1", ...args });
const OVERRIDABLE =
    "overridable fields: resources, envVars, secrets, cache, retries, timeout, reusable, podTemplate, queue, interruptible";

describe("environment settings", () => {
    test("defaults: cache disable, not interruptible, no env vars or secrets", () => {
        const e = env();
        expect(e).toEqual({
            name: "env",
            image: "ghcr.io/org/img:1",
            resources: undefined,
            envVars: {},
            secrets: [],
            cache: { behavior: "disable" },
            reusable: undefined,
            interruptible: false,
            podTemplate: undefined,
            description: undefined,
            queue: undefined,
        });
        expect(Object.isFrozen(e)).toBe(true);
        expect(Object.isFrozen(e.envVars)).toBe(true);
        expect(Object.isFrozen(e.secrets)).toBe(true);
    });

    test("every field normalised", () => {
        const podTemplate = { labels: { a: "b" }, podSpec: { containers: [{ name: "primary" }] } };
        const e = env({
            resources: { cpu: 1 },
            envVars: { A: "1" },
            secrets: "api-key",
            cache: "auto",
            reusable: { replicas: [1, 3], idleTtl: "5m" },
            interruptible: true,
            podTemplate,
            description: "d".repeat(255),
            queue: "gpu",
        });
        expect(e.resources).toBeInstanceOf(Resources);
        expect(e.secrets.map((s) => s.asEnvVar)).toEqual(["API_KEY"]);
        expect(e.cache).toEqual({ behavior: "auto" });
        expect(e.reusable).toEqual({
            minReplicas: 1,
            maxReplicas: 3,
            idleTtlSeconds: 300,
            scaledownTtlSeconds: undefined,
            concurrency: 1,
            scope: "global",
        });
        expect(e.podTemplate).toEqual(podTemplate);
        expect(e.podTemplate).not.toBe(podTemplate); // a deep-frozen copy
        expect(Object.isFrozen(e.podTemplate!.podSpec!.containers)).toBe(true);
        expect(Object.isFrozen(podTemplate.podSpec.containers)).toBe(false);
        podTemplate.labels.a = "changed";
        expect(e.podTemplate!.labels).toEqual({ a: "b" });
    });

    test("an Image object is kept; a string is checked loosely", () => {
        const image = { uri: "ghcr.io/org/app:abc123" };
        expect(env({ image }).image).toBe(image);
        for (const ok of [
            "python:3.12-slim",
            "ghcr.io/org/app@sha256:" + "a".repeat(64),
            "localhost:30000/app:1",
            "ab",
        ])
            expect(env({ image: ok }).image).toBe(ok);
        for (const bad of ["bad image", "app:1;rm -rf /", "", "-app", "app:", "a".repeat(513)])
            expect(errorOf(() => env({ image: bad })).field).toBe("image");
        expect(errorOf(() => env({ image: 5 as never })).message).toBe(
            "image: got 5; expected an Image (e.g. Image.fromDebianBase()) or an image reference string",
        );
    });

    const invalid: [string, Partial<EnvironmentArgs> & Record<string, unknown>, string, string][] = [
        [
            "a typo",
            { resource: { cpu: 1 } },
            "resource",
            `resource: unknown field "resource"; did you mean "resources"? allowed fields: ${ENVIRONMENT_FIELDS.join(", ")}`,
        ],
        ["Flyte's snake_case", { env_vars: {} }, "env_vars", ""],
        ["pluginConfig (not supported)", { pluginConfig: {} }, "pluginConfig", ""],
        ["a bad name", { name: "My Env" }, "name", ""],
        ["a description over 255 characters", { description: "d".repeat(256) }, "description", ""],
        ["an empty queue", { queue: "" }, "queue", ""],
        [
            "interruptible not a boolean",
            { interruptible: "yes" as never },
            "interruptible",
            'interruptible: got "yes"; expected true or false',
        ],
        [
            "a cache typo",
            { cache: "always" as never },
            "cache",
            'cache: got "always"; allowed values: "auto", "override", "disable"',
        ],
        ["a bad secret", { secrets: ["ok", { key: "k", group: "Bad" }] }, "secrets[1].group", ""],
        ["a bad resource", { resources: { memory: "1 Gi" } }, "resources.memory", ""],
        ["a bad reuse policy", { reusable: { replicas: 0 } }, "reusable.replicas", ""],
        ["env vars not a map", { envVars: ["A=1"] as never }, "envVars", ""],
    ];
    test.each(invalid)("rejects %s", (_, args, field, message) => {
        const err = errorOf(() => env(args as Partial<EnvironmentArgs>));
        expect(err.field).toBe(field);
        if (message) expect(err.message).toBe(message);
    });

    test("field paths start at the given prefix", () => {
        expect(
            errorOf(() => normalizeEnvironment({ name: "e", resources: { memroy: "1Gi" } as never }, "environments[3]"))
                .field,
        ).toBe("environments[3].resources.memroy");
        expect(errorOf(() => normalizeEnvironment(null as never, "environments[3]")).field).toBe("environments[3]");
    });
});

describe("three-level hierarchy: environment -> declaration -> override, most specific wins", () => {
    const base = env({
        resources: { cpu: 1, memory: "1Gi" },
        envVars: { A: "env" },
        secrets: ["env-secret"],
        cache: "auto",
        interruptible: true,
        queue: "env-queue",
    });

    test("a task inherits the environment's settings", () => {
        const t = new TaskTemplate(base, "train");
        expect(t.name).toBe("train");
        expect(t.fullName).toBe("env.train");
        expect(t.settings).toEqual({
            resources: base.resources,
            envVars: { A: "env" },
            secrets: base.secrets,
            cache: { behavior: "auto" },
            retries: 0,
            timeoutSeconds: undefined,
            interruptible: true,
            podTemplate: undefined,
            queue: "env-queue",
            docs: undefined,
            reusable: undefined,
        });
    });

    test("the declaration overrides the environment", () => {
        const t = new TaskTemplate(base, "train", {
            cache: "override",
            retries: 3,
            timeout: "1h",
            interruptible: false,
            queue: "task-queue",
            docs: "Trains.",
            shortName: "fit",
        });
        expect(t.name).toBe("fit");
        expect(t.fullName).toBe("env.fit");
        expect(t.settings).toMatchObject({
            cache: { behavior: "override" },
            retries: 3,
            timeoutSeconds: 3600,
            interruptible: false,
            queue: "task-queue",
            docs: "Trains.",
        });
        expect(t.settings.resources).toBe(base.resources);
        expect(t.settings.envVars).toEqual({ A: "env" });
    });

    test("the override overrides the declaration; what it does not set is inherited", () => {
        const declared = new TaskTemplate(base, "train", {
            cache: "override",
            retries: 3,
            timeout: "1h",
            interruptible: false,
            queue: "task-queue",
            docs: "Trains.",
        });
        const o = declared.override({
            cache: { behavior: "auto", version: "v2" },
            timeout: 90,
            interruptible: true,
            resources: { cpu: 4 },
            envVars: { B: "override" },
            secrets: [],
        });
        expect(o).toBeInstanceOf(TaskTemplate);
        expect(o.fullName).toBe("env.train");
        expect(o.settings).toEqual({
            resources: expect.any(Resources),
            resourcesField: "override.resources",
            envVars: { B: "override" }, // replaced, not merged (Flyte: env_vars or self.env_vars)
            secrets: [],
            cache: { behavior: "auto", version: "v2" },
            retries: 3,
            timeoutSeconds: 90,
            interruptible: true,
            podTemplate: undefined,
            queue: "task-queue",
            docs: "Trains.",
            reusable: undefined,
        });
        expect(o.settings.resources!.quantities.requests).toEqual({ cpu: "4" });
        // the declared task is unchanged
        expect(declared.settings.retries).toBe(3);
        expect(declared.settings.envVars).toEqual({ A: "env" });
    });

    test("Flyte gap fixed: retries 0 overrides a non-zero value (Flyte's `retries or self.retries` cannot)", () => {
        const declared = new TaskTemplate(base, "t", { retries: 5 });
        expect(declared.override({ retries: 0 }).settings.retries).toBe(0);
        expect(declared.override({ retries: { count: 0 } }).settings.retries).toBe(0);
        expect(declared.override({}).settings.retries).toBe(5);
    });

    test("falsy overrides are overrides: interruptible false, timeout 0, an empty env map", () => {
        const declared = new TaskTemplate(base, "t", { timeout: 600 });
        const o = declared.override({ interruptible: false, timeout: 0, envVars: {} });
        expect(o.settings.interruptible).toBe(false);
        expect(o.settings.timeoutSeconds).toBe(0);
        expect(o.settings.envVars).toEqual({});
    });

    test("timeout 0 is Flyte's no timeout: no deadline on the Job, no timeout annotation (never a Job that fails at once)", () => {
        const declared = new TaskTemplate(env(), "t", { timeout: "1h" });
        const withDeadline = render(env(), { task: declared });
        expect(jobSpec(withDeadline, "once", {}).spec.activeDeadlineSeconds).toBe(3600);
        expect(withDeadline.podTemplate.template.metadata?.annotations?.["pulumi-flyte.io/timeout-seconds"]).toBe(
            "3600",
        );
        for (const t of [declared.override({ timeout: 0 }), new TaskTemplate(env(), "t", { timeout: "0s" })]) {
            const r = render(env(), { task: t });
            expect(jobSpec(r, "once", {}).spec).not.toHaveProperty("activeDeadlineSeconds");
            expect(r.podTemplate.template.metadata?.annotations ?? {}).not.toHaveProperty(
                "pulumi-flyte.io/timeout-seconds",
            );
        }
    });

    test("undefined means not given at every level", () => {
        const declared = new TaskTemplate(base, "t", {
            cache: undefined,
            retries: undefined,
            interruptible: undefined,
        });
        expect(declared.settings.cache).toEqual({ behavior: "auto" });
        expect(declared.settings.interruptible).toBe(true);
        const o = declared.override({ resources: undefined, envVars: undefined, queue: undefined });
        expect(o.settings).toEqual(declared.settings);
    });

    test("overrides chain, each on top of the previous", () => {
        const t = new TaskTemplate(base, "t").override({ retries: 2, queue: "q1" }).override({ queue: "q2" });
        expect([t.settings.retries, t.settings.queue]).toEqual([2, "q2"]);
    });

    test("secrets and resources overrides accept every form", () => {
        const t = new TaskTemplate(base, "t");
        expect(t.override({ secrets: "other" }).settings.secrets.map((s) => s.key)).toEqual(["other"]);
        expect(
            t
                .override({ secrets: [new Secret({ key: "s", group: "g" }), { key: "k" }] })
                .settings.secrets.map((s) => s.asEnvVar),
        ).toEqual(["G_S", "K"]);
        const r = new Resources({ gpu: "T4:1" });
        expect(t.override({ resources: r }).settings.resources).toBe(r);
    });

    test("a task-level podTemplate replaces the environment's and is copied", () => {
        const e = env({ podTemplate: { labels: { from: "env" } } });
        const pt = { labels: { from: "task" } };
        const t = new TaskTemplate(e, "t", { podTemplate: pt });
        pt.labels.from = "mutated";
        expect(t.settings.podTemplate).toEqual({ labels: { from: "task" } });
        expect(t.override({ podTemplate: { labels: { from: "override" } } }).settings.podTemplate).toEqual({
            labels: { from: "override" },
        });
    });

    test("a TaskTemplate is immutable", () => {
        const t = new TaskTemplate(base, "t");
        expect(Object.isFrozen(t)).toBe(true);
        expect(Object.isFrozen(t.settings)).toBe(true);
        const o = t.override({ retries: 1 });
        expect(Object.isFrozen(o.settings)).toBe(true);
        expect(() => {
            (o as { name: string }).name = "x";
        }).toThrow(TypeError);
    });
});

describe("what cannot be set where", () => {
    const t = new TaskTemplate(env(), "t");

    // Flyte: "Name cannot be overridden", "Image cannot be overridden", "Docs cannot be overridden", "Interface cannot be overridden"
    test.each(["name", "image", "docs", "interface", "shortName"])("%s cannot be overridden", (key) => {
        const err = errorOf(() => t.override({ [key]: "x" } as OverrideOptions));
        expect(err.field).toBe(`override.${key}`);
        expect(err.message).toBe(`override.${key}: got "x"; ${key} cannot be overridden; ${OVERRIDABLE}`);
    });

    test("an unknown override field lists the overridable fields", () => {
        expect(errorOf(() => t.override({ resorces: { cpu: 1 } } as OverrideOptions)).message).toBe(
            `override.resorces: unknown field "resorces"; did you mean "resources"? allowed fields: resources, envVars, secrets, cache, retries, timeout, reusable, podTemplate, queue, interruptible`,
        );
    });

    test.each(["resources", "envVars", "secrets", "image", "reusable"])("the declaration cannot set %s", (key) => {
        const err = errorOf(() => new TaskTemplate(env(), "t", { [key]: {} } as TaskOptions));
        expect(err.field).toBe(`task.${key}`);
        expect(err.message).toContain(
            "allowed fields: shortName, cache, retries, timeout, interruptible, podTemplate, queue, docs",
        );
    });

    test.each([
        ["a bad task name", () => new TaskTemplate(env(), "Train"), "task.name"],
        ["a bad short name", () => new TaskTemplate(env(), "t", { shortName: "A B" }), "task.shortName"],
        ["docs not a string", () => new TaskTemplate(env(), "t", { docs: 5 as never }), "task.docs"],
        ["interruptible not a boolean", () => t.override({ interruptible: 1 as never }), "override.interruptible"],
        ["a bad timeout", () => t.override({ timeout: "1.5h" }), "override.timeout"],
        ["a bad retry count", () => t.override({ retries: -1 }), "override.retries"],
        ["a bad override queue", () => t.override({ queue: "" }), "override.queue"],
        ["bad override resources", () => t.override({ resources: { cpu: [1] as never } }), "override.resources.cpu"],
        [
            "bad override secrets",
            () => t.override({ secrets: [{ key: "k", mount: "/tmp" }] }),
            "override.secrets[0].mount",
        ],
        ["bad override env vars", () => t.override({ envVars: { "1A": "x" } }), "override.envVars.1A"],
        ["override options not an object", () => t.override(null as never), "override"],
    ])("rejects %s", (_, fn, field) => {
        expect(errorOf(fn).field).toBe(field);
    });
});

describe("the reusable rule", () => {
    const reusableEnv = env({ reusable: { replicas: 2 }, resources: { cpu: 1 }, envVars: { A: "1" }, secrets: ["s"] });
    const task = new TaskTemplate(reusableEnv, "t");

    // Flyte: "Cannot override resources when reusable is set. ... (set reusable='off')" (env, secrets alike), even for an empty value
    test.each([
        ["resources", { resources: { cpu: 2 } }],
        ["resources", { resources: {} }],
        ["envVars", { envVars: { A: "2" } }],
        ["envVars", { envVars: {} }],
        ["secrets", { secrets: ["other"] }],
        ["secrets", { secrets: [] }],
    ] as [string, OverrideOptions][])(
        'overriding %s on a reusable task is an error telling to pass reusable: "off" (%p)',
        (key, options) => {
            const err = errorOf(() => task.override(options));
            expect(err.field).toBe(`override.${key}`);
            expect(err.message).toContain(
                `cannot override ${key} when reusable is set: reusable tasks use the environment's ${key}; pass reusable: "off" in the same override to disable reuse and override ${key}`,
            );
        },
    );

    test('reusable: "off" in the same override clears reuse and allows them', () => {
        const o = task.override({ reusable: "off", resources: { cpu: 2 }, envVars: {}, secrets: [] });
        expect(o.settings.reusable).toBeUndefined();
        expect(o.settings.resources!.quantities.requests).toEqual({ cpu: "2" });
        expect(o.settings.envVars).toEqual({});
        expect(o.settings.secrets).toEqual([]);
        // reuse stays off for later overrides
        expect(o.override({ envVars: { B: "1" } }).settings.envVars).toEqual({ B: "1" });
    });

    test('reusable: "off" in an earlier override does not carry the error; in a later one it is needed again after re-enabling', () => {
        const reenabled = task.override({ reusable: "off" }).override({ reusable: { replicas: 4 } });
        expect(reenabled.settings.reusable).toMatchObject({ minReplicas: 4, maxReplicas: 4 });
        expect(errorOf(() => reenabled.override({ envVars: {} })).field).toBe("override.envVars");
    });

    test("other fields may be overridden on a reusable task, and reuse is kept", () => {
        const o = task.override({ cache: "auto", retries: 2, timeout: "10m", queue: "q", interruptible: true });
        expect(o.settings.reusable).toEqual(reusableEnv.reusable);
        expect(o.settings).toMatchObject({
            cache: { behavior: "auto" },
            retries: 2,
            timeoutSeconds: 600,
            queue: "q",
            interruptible: true,
        });
    });

    test("a reuse policy given in the same override triggers the rule on a non-reusable task", () => {
        const plain = new TaskTemplate(env(), "t");
        expect(errorOf(() => plain.override({ reusable: { replicas: 2 }, resources: { cpu: 1 } })).field).toBe(
            "override.resources",
        );
        expect(plain.override({ reusable: { replicas: [1, 4], scaledownTtl: 60 } }).settings.reusable).toEqual({
            minReplicas: 1,
            maxReplicas: 4,
            idleTtlSeconds: undefined,
            scaledownTtlSeconds: 60,
            concurrency: 1,
            scope: "global",
        });
        expect(plain.override({ reusable: "off", resources: { cpu: 1 } }).settings.reusable).toBeUndefined();
        expect(errorOf(() => plain.override({ reusable: { replicas: 0 } })).field).toBe("override.reusable.replicas");
    });

    // Flyte: "Cannot set pod_template when environment is reusable."
    test("a task podTemplate on a reusable environment is an error", () => {
        const err = errorOf(() => new TaskTemplate(reusableEnv, "t", { podTemplate: { labels: { a: "b" } } }));
        expect(err.field).toBe("task.podTemplate");
        expect(err.message).toBe(
            'task.podTemplate: got "(pod template)"; cannot set podTemplate when environment "env" is reusable',
        );
    });

    test('an override podTemplate on a reusable task needs reusable: "off" too (stricter than Flyte)', () => {
        expect(errorOf(() => task.override({ podTemplate: {} })).message).toBe(
            'override.podTemplate: got "(pod template)"; cannot set podTemplate when reusable is set; pass reusable: "off" in the same override',
        );
        expect(task.override({ reusable: "off", podTemplate: { labels: { a: "b" } } }).settings.podTemplate).toEqual({
            labels: { a: "b" },
        });
    });
});

describe("ReusePolicy", () => {
    test.each([
        [
            {},
            {
                minReplicas: 2,
                maxReplicas: 2,
                idleTtlSeconds: undefined,
                scaledownTtlSeconds: undefined,
                concurrency: 1,
                scope: "global",
            },
        ],
        [{ replicas: 3 }, { minReplicas: 3, maxReplicas: 3 }],
        [{ replicas: [1, 5] }, { minReplicas: 1, maxReplicas: 5 }],
        [{ replicas: [0, 1] }, { minReplicas: 0, maxReplicas: 1 }],
        [{ replicas: [2, 2] }, { minReplicas: 2, maxReplicas: 2 }],
        [{ idleTtl: 30 }, { idleTtlSeconds: 30 }],
        [{ idleTtl: "30s" }, { idleTtlSeconds: 30 }],
        [
            { idleTtl: "1h", scaledownTtl: "2m" },
            { idleTtlSeconds: 3600, scaledownTtlSeconds: 120 },
        ],
        [
            { concurrency: 4, scope: "run" },
            { concurrency: 4, scope: "run" },
        ],
    ])("%p", (args, expected) => {
        expect(normalizeReuse(args as never, "reusable")).toMatchObject(expected);
    });

    test.each([
        [
            "replicas 0 (Flyte allows (0, 0); a pool of none cannot run anything)",
            { replicas: 0 },
            "reusable.replicas",
            "",
        ],
        ["negative replicas", { replicas: [-1, 2] }, "reusable.replicas[0]", ""],
        ["max 0", { replicas: [0, 0] }, "reusable.replicas[1]", ""],
        [
            "min > max",
            { replicas: [3, 1] },
            "reusable.replicas",
            "reusable.replicas: got [3,1]; expected [min, max] with min <= max",
        ],
        ["a one-element tuple", { replicas: [1] }, "reusable.replicas", ""],
        ["a three-element tuple", { replicas: [1, 2, 3] }, "reusable.replicas", ""],
        ["fractional replicas", { replicas: 1.5 }, "reusable.replicas", ""],
        ["replicas as a string", { replicas: "2" }, "reusable.replicas", ""],
        // Flyte: "idle_ttl must be at least 30 seconds", "scaledown_ttl must be at least 30 seconds"
        ["idleTtl 29", { idleTtl: 29 }, "reusable.idleTtl", "reusable.idleTtl: got 29; must be at least 30 seconds"],
        [
            'idleTtl "29s"',
            { idleTtl: "29s" },
            "reusable.idleTtl",
            'reusable.idleTtl: got "29s"; must be at least 30 seconds',
        ],
        ["idleTtl 0", { idleTtl: 0 }, "reusable.idleTtl", ""],
        [
            "scaledownTtl 10",
            { scaledownTtl: 10 },
            "reusable.scaledownTtl",
            "reusable.scaledownTtl: got 10; must be at least 30 seconds",
        ],
        ["scaledownTtl malformed", { scaledownTtl: "half an hour" }, "reusable.scaledownTtl", ""],
        ["concurrency 0 (Flyte: at least 1)", { concurrency: 0 }, "reusable.concurrency", ""],
        [
            'scope typo (Flyte: "global" or "run")',
            { scope: "local" },
            "reusable.scope",
            'reusable.scope: got "local"; allowed values: "global", "run"',
        ],
        [
            "a typo",
            { replica: 2 },
            "reusable.replica",
            'reusable.replica: unknown field "replica"; did you mean "replicas"? allowed fields: replicas, idleTtl, scaledownTtl, concurrency, scope',
        ],
    ])("rejects %s", (_, args, field, message) => {
        const err = errorOf(() => normalizeReuse(args as never, "reusable"));
        expect(err.field).toBe(field);
        if (message) expect(err.message).toBe(message);
    });
});

describe("cache", () => {
    test.each([
        ["auto", { behavior: "auto" }],
        ["override", { behavior: "override" }],
        ["disable", { behavior: "disable" }],
        [
            { behavior: "auto", version: "v1", serialize: true, ignoredInputs: ["seed"], salt: "x" },
            { behavior: "auto", version: "v1", serialize: true, ignoredInputs: ["seed"], salt: "x" },
        ],
        [{ behavior: "override" }, { behavior: "override" }],
    ])("%p", (input, expected) => {
        const c = normalizeCache(input as never, "cache")!;
        expect(c).toEqual(expected);
        expect(Object.isFrozen(c)).toBe(true);
    });

    test("undefined is not given", () => {
        expect(normalizeCache(undefined, "cache")).toBeUndefined();
    });

    test("ignoredInputs is copied and frozen", () => {
        const ignoredInputs = ["a"];
        const c = normalizeCache({ behavior: "auto", ignoredInputs }, "cache")!;
        ignoredInputs.push("b");
        expect(c.ignoredInputs).toEqual(["a"]);
        expect(Object.isFrozen(c.ignoredInputs)).toBe(true);
    });

    test.each([
        ["always", "cache", 'cache: got "always"; allowed values: "auto", "override", "disable"'],
        ["Auto", "cache", 'cache: got "Auto"; did you mean "auto"? allowed values: "auto", "override", "disable"'],
        [
            { behavior: "sometimes" },
            "cache.behavior",
            'cache.behavior: got "sometimes"; allowed values: "auto", "override", "disable"',
        ],
        [
            { behaviour: "auto" },
            "cache.behaviour",
            'cache.behaviour: unknown field "behaviour"; did you mean "behavior"? allowed fields: behavior, version, serialize, ignoredInputs, salt',
        ],
        [
            { behavior: "auto", versoin: "1" },
            "cache.versoin",
            'cache.versoin: unknown field "versoin"; did you mean "version"? allowed fields: behavior, version, serialize, ignoredInputs, salt',
        ],
        [{ behavior: "auto", version: "" }, "cache.version", ""],
        [{ behavior: "auto", serialize: "yes" }, "cache.serialize", ""],
        [{ behavior: "auto", ignoredInputs: "seed" }, "cache.ignoredInputs", ""],
        [true, "cache", ""],
        [["auto"], "cache", ""],
    ])("rejects %p", (input, field, message) => {
        const err = errorOf(() => normalizeCache(input as never, "cache"));
        expect(err.field).toBe(field);
        if (message) expect(err.message).toBe(message);
    });
});

describe("retries and durations", () => {
    test.each([
        [0, 0],
        [3, 3],
        [100, 100],
        [{ count: 2 }, 2],
        [undefined, undefined],
    ])("retries %p -> %p", (input, expected) => {
        expect(normalizeRetries(input, "retries")).toBe(expected);
    });
    test.each([[-1], [101], [1.5], ["3"], [null], [{ count: -1 }], [{ attempts: 2 }], [NaN]])(
        "rejects retries %p",
        (input) => {
            expect(errorOf(() => normalizeRetries(input, "retries")).message).toContain(
                "expected a retry count: an integer from 0 to 100, or { count }",
            );
        },
    );

    test.each([
        [0, 0],
        [3600, 3600],
        ["0s", 0],
        ["90s", 90],
        ["30m", 1800],
        ["1h", 3600],
        ["1h30m", 5400],
        ["2d", 172800],
        ["1d2h3m4s", 93784],
        ["100s", 100],
        ["90m", 5400],
    ])("duration %p = %p s", (input, seconds) => {
        expect(durationSeconds("timeout", input)).toBe(seconds);
    });
    test.each([
        [""],
        ["1.5h"],
        ["-1s"],
        [-1],
        [1.5],
        ["1h 30m"],
        ["30"],
        ["1w"],
        ["10ms"],
        ["1s1h"],
        ["h"],
        [null],
        [Infinity],
        [{}],
    ])("rejects duration %p", (input) => {
        const err = errorOf(() => durationSeconds("timeout", input));
        expect(err.field).toBe("timeout");
        expect(err.message).toContain(
            'expected a duration: whole seconds (e.g. 3600) or a string like "90s", "30m", "1h30m", "2d" (or "0")',
        );
    });
});
