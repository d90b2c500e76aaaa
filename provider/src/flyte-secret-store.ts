import * as pulumi from "@pulumi/pulumi";
import { claimSecrets, deploySecretStore, validateSecretStore } from "../../sdk/src/components/secret-store";
import { kubernetesSecretName } from "../../sdk/src/core/podtemplate/secret-wiring";
import { parseSpec } from "../../sdk/src/spec/parse";
import { SecretStoreArgs as SecretStoreSchema } from "../../sdk/src/spec/schema";
import { SecretStoreArgs } from "./args";
import { namingStyle } from "./program";
import { inCallerTerms } from "../../sdk/src/spec/caller-terms";

/**
 * Kubernetes Secrets for Flyte secret groups: one Secret per group, named after the
 * group, every value a Pulumi secret (encrypted in state, masked in logs). Environments
 * read them as env vars or as files under /etc/flyte/secrets/<group>/<key>.
 */
export class SecretStore extends pulumi.ComponentResource {
    /** Kubernetes Secret name of each group. */
    public readonly secretNames: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: SecretStoreArgs, opts?: pulumi.ComponentResourceOptions) {
        const { data, valid } = inCallerTerms(SecretStoreSchema, namingStyle(), () => {
            const data = parseSpec(SecretStoreSchema, args, "");
            const valid = validateSecretStore(data); // the namespace defaults to flyte:namespace
            claimSecrets(name, valid);
            return { data, valid };
        });
        super("flyte:index:SecretStore", name, {}, opts);
        deploySecretStore(this, name, valid);
        this.secretNames = pulumi.output(
            Object.fromEntries(Object.keys(data.groups).map((g) => [g, kubernetesSecretName(g)])),
        );
        this.registerOutputs({ secretNames: this.secretNames });
    }
}
