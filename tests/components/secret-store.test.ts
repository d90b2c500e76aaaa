import * as pulumi from "@pulumi/pulumi";
import { installMocks, isSecretInput, ofType, plain, registrations, reset, resolve, settle } from "./harness";
installMocks();
import { SecretStore } from "../../sdk/src/components/secret-store";
import { ValidationError } from "../../sdk/src/core/errors";

describe("SecretStore", () => {
    beforeEach(reset);

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
        expect(hf.inputs.metadata).toEqual({ name: "hf", namespace: "flyte", labels: { "app.kubernetes.io/managed-by": "pulumi-flyte" } });
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
