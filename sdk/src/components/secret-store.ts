import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ValidationError, joinPath } from "../core/errors";
import { checkNamespace, kubernetesName } from "../core/names";
import { DEFAULT_SECRET_GROUP, kubernetesSecretName } from "../core/podtemplate/secrets";
import { Secret } from "../core/secret";
import { expectObject } from "../core/validate";
import { LABELS } from "../core/podtemplate/render";

export interface SecretStoreArgs {
    /** Namespace of the Secrets (the one the task environments run in). */
    namespace: pulumi.Input<string>;
    /**
     * Values by group, then key: `{ wandb: { "api-key": config.requireSecret("wandbKey") } }`.
     * Secrets without a group live in the group "flyte-secrets".
     */
    groups: Record<string, Record<string, pulumi.Input<string>>>;
    /** Extra labels for every Secret. */
    labels?: Record<string, string>;
}

/**
 * Kubernetes Secrets for Flyte secret groups: one `core.v1.Secret` per group,
 * named after the group, every value wrapped as a Pulumi secret so it is encrypted
 * in state and masked in logs. Task environments reference the values by
 * `secretKeyRef` or as files under /etc/flyte/secrets/<group>/<key>.
 */
export class SecretStore extends pulumi.ComponentResource {
    /** Kubernetes Secret name per group. */
    readonly secretNames: pulumi.Output<Record<string, string>>;
    /** The Secret resources, by group. */
    readonly secrets: Readonly<Record<string, k8s.core.v1.Secret>>;

    constructor(name: string, args: SecretStoreArgs, opts?: pulumi.ComponentResourceOptions) {
        validateSecretStore(args);
        super("flyte:index:SecretStore", name, {}, opts);
        this.secrets = deploySecretStore(this, name, args);
        this.secretNames = pulumi.output(Object.fromEntries(Object.keys(args.groups).map((g) => [g, kubernetesSecretName(g)])));
        this.registerOutputs({ secretNames: this.secretNames });
    }
}

/** Registers one Kubernetes Secret per group under `parent`, every value a Pulumi secret. */
export function deploySecretStore(parent: pulumi.Resource, name: string, args: SecretStoreArgs): Readonly<Record<string, k8s.core.v1.Secret>> {
    const secrets: Record<string, k8s.core.v1.Secret> = {};
    for (const [group, values] of Object.entries(args.groups)) {
        const stringData: Record<string, pulumi.Output<string>> = {};
        for (const [key, value] of Object.entries(values)) stringData[key] = pulumi.secret(value);
        secrets[group] = new k8s.core.v1.Secret(`${name}-${kubernetesName(group)}`, {
            metadata: {
                name: kubernetesSecretName(group),
                namespace: args.namespace,
                labels: { [LABELS.managedBy]: "pulumi-flyte", ...(args.labels ?? {}) },
            },
            type: "Opaque",
            stringData,
        }, { parent, additionalSecretOutputs: ["data", "stringData"] });
    }
    return Object.freeze(secrets);
}

/** Validates a SecretStore's arguments before anything registers (values are never printed). */
export function validateSecretStore(args: SecretStoreArgs): Record<string, Record<string, pulumi.Input<string>>> {
    const raw: unknown = args;
    expectObject("", raw, "{ namespace, groups }");
    if (typeof args.namespace === "string") checkNamespace("namespace", args.namespace);
    expectObject("groups", args.groups, "a map of group -> { key: value }");
    for (const [group, values] of Object.entries(args.groups)) {
        const field = joinPath("groups", group);
        expectObject(field, values, "a map of secret key -> value");
        if (Object.keys(values).length === 0) throw new ValidationError(field, values, "a group needs at least one key");
        for (const key of Object.keys(values)) {
            // the same rules as the Secret references that environments use
            new Secret({ key, group: group === DEFAULT_SECRET_GROUP ? undefined : group }, joinPath(field, key));
            if (values[key] === undefined || values[key] === null) throw new ValidationError(joinPath(field, key), values[key], "a value (typically config.requireSecret(...)) is required");
            if (typeof values[key] === "number" || typeof values[key] === "boolean") {
                throw new ValidationError(joinPath(field, key), "(value hidden)", "secret values are strings");
            }
        }
    }
    return args.groups;
}
