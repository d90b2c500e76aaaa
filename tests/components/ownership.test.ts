import { installMocks, registrations, reset, settle, thrownBy } from "./harness";
installMocks();
import { SecretStore, TaskEnvironment, ValidationError } from "../../sdk/src";
import { Queue } from "../../sdk/src/components/queue";
import * as flyte from "../../provider/src";

/*
 * One owner per Kubernetes object: a component of the program declaring an object that
 * another one declares fails at preview, before it registers anything, naming both (the
 * `up` would otherwise fail on the object, or the two would overwrite each other's data).
 * The SecretStore check of an environment covers the secrets its runs' overrides add.
 */

const REF = "registry.example.com/team/app@sha256:" + "c".repeat(64);

function refused(construct: () => unknown): ValidationError {
    const before = registrations.length;
    const error = thrownBy(construct) as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(registrations.length).toBe(before);
    return error;
}

describe("one owner per Kubernetes object", () => {
    beforeEach(reset);

    it("a second SecretStore declaring a group of the same namespace fails, naming both", () => {
        new SecretStore("team", { namespace: "ml", groups: { wandb: { "api-key": "a" } } });
        const error = refused(
            () => new SecretStore("other", { namespace: "ml", groups: { hf: { token: "t" }, wandb: { key: "b" } } }),
        );
        expect(error.field).toBe("groups.wandb");
        expect(error.message).toBe(
            'groups.wandb: got "SecretStore \\"other\\""; its Secret would be named "wandb", like the one of SecretStore "team" (namespace ml): ' +
                'one Kubernetes object has one owner; give group "wandb" its keys in one SecretStore (an environment reads a group from the store that holds it)',
        );
    });

    it("the same group in another namespace is another object", async () => {
        const a = new SecretStore("a", { namespace: "ml", groups: { wandb: { k: "a" } } });
        const b = new SecretStore("b", { namespace: "research", groups: { wandb: { k: "b" } } });
        await settle(a, b);
        // (registrations of the test before may still arrive: only this test's stores count)
        const secrets = registrations.filter(
            (r) => r.type === "kubernetes:core/v1:Secret" && ["a-wandb", "b-wandb"].includes(r.name),
        );
        expect(secrets.map((r) => [r.name, r.inputs.metadata.namespace]).sort()).toEqual([
            ["a-wandb", "ml"],
            ["b-wandb", "research"],
        ]);
    });

    it("the flyte package's SecretStore and the TypeScript one share the claims", () => {
        new SecretStore("ts", { namespace: "ml", groups: { wandb: { k: "a" } } });
        const error = refused(() => new flyte.SecretStore("data", { namespace: "ml", groups: { wandb: { k: "b" } } }));
        expect(error.message).toContain('like the one of SecretStore "ts" (namespace ml)');
        reset();
        new flyte.SecretStore("data", { namespace: "ml", groups: { wandb: { k: "b" } } });
        expect(() => new SecretStore("ts", { namespace: "ml", groups: { wandb: { k: "a" } } })).toThrow(
            /like the one of SecretStore "data"/,
        );
    });

    it("environments, tasks, runs, scheduled runs and warm pools: a second owner fails, naming both", () => {
        const env = new TaskEnvironment("prep", { image: REF, namespace: "ml" });
        expect(refused(() => new TaskEnvironment("prep", { image: REF, namespace: "ml" })).message).toMatch(
            /^name: got "environment \\"prep\\""; its PodTemplate would be named "prep", like the one of environment "prep" \(namespace ml\): one Kubernetes object has one owner/,
        );
        const task = env.task("fit");
        task.run("nightly_1", { command: ["true"] });
        expect(refused(() => task.run("nightly-1", { command: ["true"] })).message).toMatch(
            /its Job would be named "prep-fit-nightly-1", like the one of run "prep.fit.nightly_1"/,
        );
        task.run("weekly_1", { command: ["true"], schedule: "0 3 * * 0" });
        expect(refused(() => task.run("weekly-1", { command: ["true"], schedule: "0 3 * * 0" })).message).toMatch(
            /its CronJob would be named "prep-fit-weekly-1", like the one of run "prep.fit.weekly_1"/,
        );
        const pool = { replicas: 1 };
        new TaskEnvironment("warm_pool", { image: REF, namespace: "ml", reusable: pool });
        expect(
            refused(() => new TaskEnvironment("warm-pool", { image: REF, namespace: "ml", reusable: pool })).field,
        ).toBe("name");
    });

    it("queues: a second LocalQueue of one name in a namespace fails, naming both; TypeScript and the flyte package", () => {
        const flavors = [{ quota: { cpu: 8, memory: "32Gi" } }];
        new Queue("team_a", { name: "gpu", clusterQueue: "team-a", namespaces: ["ml", "research"], flavors });
        const error = refused(
            () =>
                new Queue("team_b", {
                    name: "gpu",
                    clusterQueue: "team-b",
                    namespaces: ["staging", "research"],
                    flavors,
                }),
        );
        expect(error.message).toBe(
            'name: got "queue \\"team_b\\""; its LocalQueue would be named "gpu", like the one of queue "team_a" (namespace research): ' +
                "one Kubernetes object has one owner; give each queue its own name (`name`: the LocalQueue environments give as `queue`)",
        );
        expect(
            refused(
                () =>
                    new flyte.Queue("team_c", {
                        name: "gpu",
                        clusterQueue: "team-c",
                        namespaces: ["ml"],
                        flavors: [{ quota: { cpu: "8", memory: "32Gi" } }],
                    } as never),
            ).message,
        ).toContain('its LocalQueue would be named "gpu", like the one of queue "team_a" (namespace ml)');
        // another name in the same namespaces, or the same name elsewhere, is another object
        new Queue("team_d", { name: "cpu", clusterQueue: "team-d", namespaces: ["ml", "research"], flavors });
        new Queue("team_e", { name: "gpu", clusterQueue: "team-e", namespaces: ["prod"], flavors });
    });
});

describe("an environment's SecretStore holds its runs' secrets", () => {
    beforeEach(reset);

    it("a secret an override adds that the store does not hold fails at preview, naming the run", () => {
        const store = new SecretStore("s", { namespace: "ml", groups: { wandb: { "api-key": "v" } } });
        const env = new TaskEnvironment("t", {
            image: REF,
            namespace: "ml",
            secrets: [{ group: "wandb", key: "api-key" }],
            secretStore: store,
        });
        const task = env.task("fit");
        const error = refused(() =>
            task.run("once", { command: ["true"], override: { secrets: [{ group: "hf", key: "token" }] } }),
        );
        expect(error.field).toBe("run.override.secrets");
        expect(error.message).toContain('holds no key "token" in group "hf"');
        // through task.override(...) too
        const viaOverride = refused(() =>
            task.override({ secrets: [{ group: "wandb", key: "other" }] }).run("twice", { command: ["true"] }),
        );
        expect(viaOverride.message).toContain(
            'holds no key "other" in group "wandb" (Secret "wandb"); it holds wandb/api-key',
        );
        // a secret the store holds is accepted
        task.override({ secrets: [{ group: "wandb", key: "api-key" }] }).run("thrice", { command: ["true"] });
    });
});
