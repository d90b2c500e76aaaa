import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ValidationError, isOutputLike, joinPath } from "../core/errors";
import { redactSecrets, secretField, secretPaths } from "../core/secret-fields";
import { checkNamespace, kubernetesName } from "../core/names";
import { DEFAULT_SECRET_GROUP, kubernetesSecretName } from "../core/podtemplate/secret-wiring";
import { Secret } from "../core/secret";
import { argsSchema, checkedLater, checkObject, parseArgs } from "../core/validate";
import { checkLabels } from "../core/names";
import { LABELS } from "../core/podtemplate/render";
import { stackDefaults } from "./stack-config";
import { claimName } from "../runtime/name-claims";
import { checkedForConflicts } from "./field-conflicts";

export interface SecretStoreArgs {
    /** Namespace of the Secrets (the one the task environments run in); default `flyte:namespace`, else the provider's. */
    namespace?: pulumi.Input<string>;
    /**
     * Values by group, then key: `{ wandb: { "api-key": config.requireSecret("wandbKey") } }`.
     * Secrets without a group live in the group "flyte-secrets".
     */
    groups: Record<string, Record<string, pulumi.Input<string>>>;
    /** Extra labels for every Secret. */
    labels?: Record<string, string>;
}

/** The fields of a SecretStore; `validateSecretStore` checks their values without printing any. */
export const secretStoreArgsSchema = argsSchema<SecretStoreArgs>()(
    {
        namespace: checkedLater<pulumi.Input<string>>(),
        groups: secretField(checkedLater<Record<string, Record<string, pulumi.Input<string>>>>()),
        labels: checkedLater<Record<string, string>>(),
    },
    "{ namespace?, groups, labels? }",
);

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
    /** The keys it holds, by Kubernetes Secret name (no values). */
    readonly keys: Readonly<Record<string, readonly string[]>>;
    /** Namespace of the Secrets (as given, or from flyte:namespace). */
    readonly namespaceInput?: pulumi.Input<string>;

    constructor(name: string, args: SecretStoreArgs, opts?: pulumi.ComponentResourceOptions) {
        const valid = validateSecretStore(args);
        claimSecrets(name, valid);
        super("flyte:index:SecretStore", name, {}, opts);
        this.keys = Object.freeze(
            Object.fromEntries(
                Object.entries(valid.groups).map(([g, values]) => [
                    kubernetesSecretName(g),
                    Object.freeze(Object.keys(values)),
                ]),
            ),
        );
        this.namespaceInput = valid.namespace;
        this.secrets = deploySecretStore(this, name, valid);
        this.secretNames = pulumi.output(
            Object.fromEntries(Object.keys(args.groups).map((g) => [g, kubernetesSecretName(g)])),
        );
        this.registerOutputs({ secretNames: this.secretNames });
    }
}

/** Registers one Kubernetes Secret per group under `parent`, every value a Pulumi secret. */
export function deploySecretStore(
    parent: pulumi.Resource,
    name: string,
    args: SecretStoreArgs,
): Readonly<Record<string, k8s.core.v1.Secret>> {
    const secrets: Record<string, k8s.core.v1.Secret> = {};
    for (const [group, values] of Object.entries(args.groups)) {
        const stringData: Record<string, pulumi.Output<string>> = {};
        for (const [key, value] of Object.entries(values)) stringData[key] = pulumi.secret(value);
        secrets[group] = new k8s.core.v1.Secret(
            `${name}-${kubernetesName(group)}`,
            checkedForConflicts(
                "Secret",
                {
                    metadata: {
                        name: kubernetesSecretName(group),
                        ...(args.namespace !== undefined ? { namespace: args.namespace } : {}),
                        labels: { [LABELS.managedBy]: "pulumi-flyte", ...(args.labels ?? {}) },
                    },
                    type: "Opaque",
                    stringData,
                },
                `SecretStore "${name}"`,
                parent,
            ),
            { parent, additionalSecretOutputs: ["data", "stringData"] },
        );
    }
    return Object.freeze(secrets);
}

/**
 * Claims the Kubernetes Secret of each group for the store `name`: a group that another
 * SecretStore of the program declares in the same namespace fails at preview, naming both.
 */
export function claimSecrets(name: string, args: SecretStoreArgs): void {
    for (const group of Object.keys(args.groups)) {
        claimName(
            joinPath("groups", group),
            args.namespace,
            "Secret",
            kubernetesSecretName(group),
            `SecretStore "${name}"`,
            `give group "${group}" its keys in one SecretStore (an environment reads a group from the store that holds it)`,
        );
    }
}

/**
 * Validates a SecretStore's arguments before anything registers (values are never
 * printed) and applies the stack config: the namespace defaults to `flyte:namespace`.
 */
export function validateSecretStore(args: SecretStoreArgs): SecretStoreArgs {
    return redactSecrets(
        () => secretPaths(secretStoreArgsSchema),
        () => checkSecretStore(args),
    );
}

function checkSecretStore(args: SecretStoreArgs): SecretStoreArgs {
    parseArgs(secretStoreArgsSchema, args, "");
    if (typeof args.namespace === "string") checkNamespace("namespace", args.namespace);
    const stack = stackDefaults(); // read even when unused: a misspelled flyte:* key fails here too
    const namespace = args.namespace ?? stack.namespace;
    // everything under groups may be a secret value: no message shows it (redactSecrets)
    {
        checkObject("groups", args.groups, "a map of group -> { key: value }");
        for (const [group, values] of Object.entries(args.groups)) {
            const field = joinPath("groups", group);
            checkObject(field, values, "a map of secret key -> value (typically config.requireSecret(...))");
            if (Object.keys(values).length === 0)
                throw new ValidationError(field, values, "a group needs at least one key");
            for (const key of Object.keys(values)) {
                // the same rules as the Secret references that environments use
                new Secret({ key, group: group === DEFAULT_SECRET_GROUP ? undefined : group }, joinPath(field, key));
                const value: unknown = values[key];
                if (value === undefined || value === null)
                    throw new ValidationError(
                        joinPath(field, key),
                        value,
                        "a value (typically config.requireSecret(...)) is required",
                    );
                if (typeof value !== "string" && !isOutputLike(value))
                    throw new ValidationError(
                        joinPath(field, key),
                        value,
                        "secret values are strings or Outputs of strings",
                    );
            }
        }
    }
    if (args.labels !== undefined) checkLabels("labels", args.labels);
    return { ...args, ...(namespace !== undefined ? { namespace } : {}) };
}

/**
 * An environment's secrets must be in the SecretStore it waits for: a key the store
 * does not hold (or a store in another namespace) fails at preview, naming the key,
 * instead of a pod stuck in CreateContainerConfigError. Outputs are compared only
 * when both sides are the same Output or plain strings.
 */
export function checkStoreHolds(
    store: SecretStore,
    secrets: readonly Secret[],
    namespace: pulumi.Input<string> | undefined,
    field = "secretStore",
): void {
    const storeNs = store.namespaceInput;
    if (typeof storeNs === "string" && typeof namespace === "string" && storeNs !== namespace) {
        throw new ValidationError(
            field,
            storeNs,
            `the SecretStore holds its Secrets in namespace "${storeNs}", but this environment runs in "${namespace}"; pods read Secrets of their own namespace`,
        );
    }
    for (const s of secrets) {
        const secretName = kubernetesSecretName(s.group);
        const keys = store.keys[secretName];
        if (!keys || !keys.includes(s.key)) {
            const held = Object.entries(store.keys)
                .map(([g, ks]) => ks.map((k) => `${g === DEFAULT_SECRET_GROUP ? "" : `${g}/`}${k}`))
                .flat();
            throw new ValidationError(
                field,
                `${s.group ? `${s.group}/` : ""}${s.key}`,
                `the SecretStore holds no key "${s.key}" in ${s.group ? `group "${s.group}"` : `the default group "${DEFAULT_SECRET_GROUP}"`} (Secret "${secretName}"); it holds ${held.join(", ") || "nothing"}`,
            );
        }
    }
}
