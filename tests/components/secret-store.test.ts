import * as pulumi from "@pulumi/pulumi";
import { installMocks, isSecretInput, ofType, plain, registrations, reset, resolve, settle, thrownBy } from "./harness";
installMocks();
import { SecretStore } from "../../sdk/src/components/secret-store";
import { ValidationError } from "../../sdk/src/core/errors";

describe("SecretStore", () => {
    it("registers one Opaque Secret per group, named after the group, values secret", async () => {
        const store = new SecretStore("secrets", {
            namespace: "flyte",
            groups: {
                wandb: { "api-key": pulumi.secret("w-123") },
                hf: { token: "plain-given", "org-id": "o" },
            },
        });
        await settle(store, store.secrets.wandb, store.secrets.hf);
        const secrets = ofType("kubernetes:core/v1:Secret");
        expect(secrets.map((s) => s.name).sort()).toEqual(["secrets-hf", "secrets-wandb"]);
        const hf = secrets.find((s) => s.name === "secrets-hf")!;
        expect(hf.inputs.metadata).toEqual({
            name: "hf",
            namespace: "flyte",
            labels: { "app.kubernetes.io/managed-by": "pulumi-flyte" },
        });
        expect(hf.inputs.type).toBe("Opaque");
        // the engine receives the values marked secret, even a plain value given by the program
        expect(isSecretInput(hf.inputs.stringData)).toBe(true);
        expect(plain(hf.inputs.stringData)).toEqual({ token: "plain-given", "org-id": "o" });
        const wandb = secrets.find((s) => s.name === "secrets-wandb")!;
        expect(isSecretInput(wandb.inputs.stringData)).toBe(true);
        const stringData = await resolve(store.secrets.hf.stringData as pulumi.Output<any>);
        expect(stringData.secret).toBe(true);
        const names = await resolve(store.secretNames);
        expect(names.value).toEqual({ wandb: "wandb", hf: "hf" });
        // the component and its children
        expect(registrations.find((r) => r.type === "flyte:index:SecretStore")?.name).toBe("secrets");
        const urn = await resolve(store.secrets.wandb.urn);
        expect(urn.value).toContain("flyte:index:SecretStore$kubernetes:core/v1:Secret::secrets-wandb");
    });

    it.each([
        [{ namespace: "Flyte", groups: { a: { b: "c" } } }, "namespace"],
        [{ namespace: "flyte", groups: { Bad_Group: { b: "c" } } }, "groups.Bad_Group.b.group"],
        [{ namespace: "flyte", groups: { g: { "bad key!": "c" } } }, "groups.g.bad key!.key"],
        [{ namespace: "flyte", groups: { g: {} } }, "groups.g"],
    ])("rejects %j before registering anything", (args, field) => {
        expect(() => new SecretStore("s", args as any)).toThrow(ValidationError);
        try {
            new SecretStore("s", args as any);
        } catch (e) {
            expect((e as ValidationError).field).toBe(field);
        }
        expect(registrations).toEqual([]);
    });

    it("never puts a secret value into an error message", () => {
        try {
            new SecretStore("s", { namespace: "flyte", groups: { g: { k: 42 as any } } });
            throw new Error("expected a ValidationError");
        } catch (e) {
            expect((e as Error).message).not.toContain("42");
        }
    });
});

describe("SecretStore and the environments that read it", () => {
    const { TaskEnvironment } = require("../../sdk/src") as typeof import("../../sdk/src");
    const REF = "registry.example.com/team/app@sha256:" + "c".repeat(64);

    it("an environment whose secret the store does not hold fails at preview, naming the missing key", () => {
        const store = new SecretStore("s", { namespace: "ml", groups: { wandb: { "api-key": "v" } } });
        reset();
        const error = thrownBy(() => {
            new TaskEnvironment("t", {
                image: REF,
                namespace: "ml",
                secrets: [{ group: "wandb", key: "api_key" }],
                secretStore: store,
            });
        }) as ValidationError;
        expect(error).toBeInstanceOf(ValidationError);
        expect(error.field).toBe("secretStore");
        expect(error.message).toContain('holds no key "api_key" in group "wandb"');
        expect(error.message).toContain("it holds wandb/api-key");
        expect(registrations).toEqual([]);
    });

    it("a store in another namespace is refused", () => {
        const store = new SecretStore("s", { namespace: "ml", groups: { wandb: { "api-key": "v" } } });
        reset();
        const error = thrownBy(() => {
            new TaskEnvironment("t", {
                image: REF,
                namespace: "other",
                secrets: [{ group: "wandb", key: "api-key" }],
                secretStore: store,
            });
        }) as ValidationError;
        expect(error.field).toBe("secretStore");
        expect(error.message).toContain('namespace "ml"');
    });

    it("the store holding every secret is accepted (groupless secrets live in flyte-secrets)", async () => {
        const store = new SecretStore("s", {
            namespace: "ml",
            groups: { wandb: { "api-key": "v" }, "flyte-secrets": { token: "t" } },
        });
        const env = new TaskEnvironment("t", {
            image: REF,
            namespace: "ml",
            secrets: [{ group: "wandb", key: "api-key" }, "token"],
            secretStore: store,
        });
        await settle(env);
        expect(ofType("kubernetes:core/v1:PodTemplate")).toHaveLength(1);
    });

    it.each([
        [{ namespace: "ml", groups: { wandb: "s3cr3t-value" } }, "groups.wandb"],
        [{ namespace: "ml", groups: "s3cr3t-value" }, "groups"],
        [{ namespace: "ml", groups: { wandb: { k: 42 } } }, "groups.wandb.k"],
        [{ namespace: "ml", groups: { wandb: { k: "v" } }, wandb: { k: "s3cr3t-value" } }, "wandb"],
        [{ namespace: "ml", groups: { "Bad Group": { k: "s3cr3t-value" } } }, "groups.Bad Group.k.group"],
    ])("a mistaken shape %# names %s and never prints a value", (args, field) => {
        const error = thrownBy(() => {
            new SecretStore("s", args as never);
        }) as ValidationError;
        expect(error).toBeInstanceOf(ValidationError);
        expect(error.field).toBe(field);
        expect(error.message).not.toContain("s3cr3t-value");
        expect(error.message).not.toContain("42");
        expect(registrations).toEqual([]);
    });

    it("labels follow Kubernetes' rules", () => {
        const error = thrownBy(() => {
            new SecretStore("s", { namespace: "ml", groups: { g: { k: "v" } }, labels: { team: "x".repeat(64) } });
        }) as ValidationError;
        expect(error.field).toBe("labels.team");
    });
});
