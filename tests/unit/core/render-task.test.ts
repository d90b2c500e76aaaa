/**
 * renderTask: a task rendered on top of its environment's render is the object a full
 * render of the task gives, for tasks that keep the environment's pod (the spec is
 * shared) and tasks and overrides that change it (rendered in full).
 */
import { GPU, TPU } from "../../../sdk/src/core/devices";
import { EnvironmentArgs, normalizeEnvironment } from "../../../sdk/src/core/environment-settings";
import { PodTemplateRenderOptions, render, renderTask } from "../../../sdk/src/core/podtemplate/render";
import { ProfileInput } from "../../../sdk/src/core/placement/resolve";
import { Secret } from "../../../sdk/src/core/secret";
import { OverrideOptions, TaskOptions, TaskTemplate } from "../../../sdk/src/core/task-template";

const IMAGE = "localhost:30000/x@sha256:" + "a".repeat(64);

const ENVIRONMENTS: [string, EnvironmentArgs, ProfileInput, PodTemplateRenderOptions?][] = [
    ["cpu", { name: "cpu", image: IMAGE, resources: { cpu: "2", memory: "4Gi" }, envVars: { A: "1" } }, "flyte"],
    [
        "gpu with a secret and shm",
        {
            name: "gpu",
            image: IMAGE,
            resources: { cpu: "8", memory: "64Gi", shm: "auto", gpu: "A100 80G:4" },
            secrets: [new Secret({ group: "wandb", key: "api-key" })],
            cache: "auto",
        },
        "gke",
    ],
    ["mig", { name: "mig", image: IMAGE, resources: { gpu: GPU({ device: "A100", partition: "1g.5gb" }) } }, "eks"],
    ["tpu slice", { name: "tpu", image: IMAGE, resources: { gpu: TPU({ device: "V5P", partition: "2x2x2" }) } }, "gke"],
    [
        "spot with a base pod template",
        {
            name: "spot",
            image: IMAGE,
            interruptible: true,
            podTemplate: {
                labels: { team: "ml", [`pulumi-flyte.io/task`]: "from-base" },
                annotations: { "pulumi-flyte.io/retries": "9", note: "x" },
                podSpec: { containers: [{ name: "primary", env: [{ name: "B", value: "2" }] }] },
            },
        },
        "aks",
    ],
    ["reusable", { name: "pool", image: IMAGE, reusable: { replicas: 2 } }, "flyte"],
    [
        "a DRA claim (its claim template is named after the task)",
        { name: "dra", image: IMAGE, resources: { cpu: "8", memory: "64Gi", gpu: "H100:2" } },
        "gke",
        { deviceAllocation: "dra" },
    ],
];

const TASKS: [string, TaskOptions][] = [
    ["no options", {}],
    ["retries, cache, timeout, queue, docs", { retries: 3, cache: "auto", timeout: "1h", queue: "q", docs: "d" }],
    ["shortName", { shortName: "short" }],
    ["interruptible (the pod changes)", { interruptible: true }],
    ["not interruptible (the pod changes where the environment is)", { interruptible: false }],
    ["its own pod template (the pod changes)", { podTemplate: { labels: { own: "yes" } } }],
];

const OVERRIDES: [string, OverrideOptions][] = [
    ["retries", { retries: 5 }],
    ["resources", { resources: { cpu: "4", memory: "8Gi" } }],
    ["env vars", { envVars: { C: "3" } }],
    ["reuse off", { reusable: "off" }],
];

describe("renderTask gives the full render's object", () => {
    for (const [envCase, args, profile, extra] of ENVIRONMENTS) {
        const env = normalizeEnvironment(args);
        for (const options of [
            { profile, ...extra },
            { profile, namespace: "ns", ...extra },
            { profile, imagePending: true, ...extra },
        ] as PodTemplateRenderOptions[]) {
            const environmentRender = render(env, options);
            for (const [taskCase, taskOptions] of TASKS) {
                if (env.reusable && taskOptions.podTemplate) continue; // refused for reusable environments
                test(`${envCase}, task with ${taskCase}${options.namespace ? ", namespace" : ""}${options.imagePending ? ", image pending" : ""}`, () => {
                    const task = new TaskTemplate(env, "t", taskOptions);
                    const full = render(env, { ...options, task });
                    const onEnv = renderTask(environmentRender, env, { ...options, task });
                    expect(onEnv).toStrictEqual(full);
                    const keepsPod =
                        !extra?.deviceAllocation &&
                        (taskOptions.interruptible ?? env.interruptible) === env.interruptible &&
                        !taskOptions.podTemplate;
                    // a task that keeps the pod shares the environment's spec; others have their own
                    expect(onEnv.podTemplate.template.spec === environmentRender.podTemplate.template.spec).toBe(
                        keepsPod,
                    );
                    for (const [overrideCase, override] of OVERRIDES) {
                        if (env.reusable && (override.resources || override.envVars)) continue;
                        const overridden = task.override(override);
                        expect([
                            overrideCase,
                            renderTask(environmentRender, env, { ...options, task: overridden }),
                        ]).toStrictEqual([overrideCase, render(env, { ...options, task: overridden })]);
                    }
                });
            }
        }
    }

    test("a task of another environment is refused, as by render", () => {
        const a = normalizeEnvironment({ name: "a", image: IMAGE });
        const b = normalizeEnvironment({ name: "b", image: IMAGE });
        expect(() => renderTask(render(a), a, { task: new TaskTemplate(b, "t") })).toThrow(
            'belongs to environment "b", not "a"',
        );
    });
});
