import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { HIDDEN, ValidationError } from "../core/errors";
import { imageSettings, setAmbientImageDefaults } from "../core/image";
import { checkEndpoint } from "../core/image/config";
import { checkRegistry } from "../core/image/checks";
import { checkNamespace } from "../core/names";
import { BuiltinProfileName } from "../core/placement/builtin-profiles";
import { DeviceAllocation, MigStrategy } from "../core/placement/profile";
import { PROFILE_NAMES } from "../core/placement/resolve";
import { didYouMean } from "../core/suggest";
import { parseWith } from "../core/validate";
import { SCHEDULING_STACK_CONFIG_KEYS } from "./schedulability";
import { FIELD_CONFLICT_STACK_CONFIG_KEYS } from "./field-conflicts";

/**
 * The stack configuration of pulumi-flyte: `flyte:*` keys that every component reads
 * when its arguments leave a setting out (as `kubernetes:namespace` does for the
 * Kubernetes provider); arguments always win.
 *
 * | key | default of |
 * |---|---|
 * | `flyte:profile` | `profile` of TaskEnvironment |
 * | `flyte:namespace` | `namespace` of TaskEnvironment and SecretStore |
 * | `flyte:migStrategy` | `migStrategy` of TaskEnvironment |
 * | `flyte:deviceAllocation` | `deviceAllocation` of TaskEnvironment (`extended` or `dra`) |
 * | `flyte:registry` | the registry of Images that name none (as `init({ registry })`) |
 * | `flyte:endpoint` | the Flyte endpoint (a localhost endpoint selects localhost:30000) |
 * | `flyte:buildNetwork` | `network` of ImageBuild (and an environment's image build) |
 */
export const STACK_CONFIG_KEYS = [
    "profile",
    "namespace",
    "registry",
    "migStrategy",
    "deviceAllocation",
    "buildNetwork",
    "endpoint",
] as const;
export type StackConfigKey = (typeof STACK_CONFIG_KEYS)[number];

/** The `flyte:*` keys set on the stack, validated; unset keys are absent. */
export interface StackDefaults {
    readonly profile?: BuiltinProfileName;
    readonly namespace?: string;
    readonly registry?: string;
    readonly migStrategy?: MigStrategy;
    readonly deviceAllocation?: DeviceAllocation;
    readonly buildNetwork?: "default" | "host" | "none";
    readonly endpoint?: string;
}

/** The `flyte:*` stack configuration a program reads (one stack per environment). */
export interface FlyteStackConfig {
    /** Cluster flavour: gke | eks | aks | nvidia | flyte (default "flyte", as the components). */
    profile: BuiltinProfileName;
    /** Registry of images that name none: `flyte:registry`, else what Images get by default. */
    registry: string;
    /** Namespace of the objects; undefined: the Kubernetes provider's default namespace, as the components. */
    namespace?: string;
    migStrategy?: MigStrategy;
    /** Extended resources or DRA claims for accelerators (undefined: each profile's, else extended). */
    deviceAllocation?: DeviceAllocation;
    /** Docker network mode for image builds ("host" on the local platform). */
    buildNetwork?: "default" | "host" | "none";
    /** Flyte endpoint (decides the default registry, as flyte.init does). */
    endpoint?: string;
}

/** Keys other modules read and validate themselves: the scheduling check's, the field-conflict check's. */
const OTHER_STACK_CONFIG_KEYS: readonly string[] = [
    ...SCHEDULING_STACK_CONFIG_KEYS,
    ...FIELD_CONFLICT_STACK_CONFIG_KEYS,
];
const NETWORKS = ["default", "host", "none"] as const;
const knownKeys = () => [...STACK_CONFIG_KEYS, ...OTHER_STACK_CONFIG_KEYS].map((k) => `flyte:${k}`);

/** Validates `flyte:*` values (given by the stack, or by a program as readStackConfig defaults). */
function validate(values: Partial<Record<StackConfigKey, unknown>>): StackDefaults {
    const out: { -readonly [K in keyof StackDefaults]: StackDefaults[K] } = {};
    if (values.profile !== undefined) {
        out.profile = parseWith(
            z.enum(PROFILE_NAMES as [BuiltinProfileName, ...BuiltinProfileName[]]),
            values.profile,
            "flyte:profile",
        );
    }
    if (values.namespace !== undefined) out.namespace = checkNamespace("flyte:namespace", values.namespace);
    if (values.registry !== undefined) out.registry = checkRegistry("flyte:registry", values.registry);
    if (values.migStrategy !== undefined)
        out.migStrategy = parseWith(z.enum(["single", "mixed"]), values.migStrategy, "flyte:migStrategy");
    if (values.deviceAllocation !== undefined)
        out.deviceAllocation = parseWith(
            z.enum(["extended", "dra"]),
            values.deviceAllocation,
            "flyte:deviceAllocation",
        );
    if (values.buildNetwork !== undefined)
        out.buildNetwork = parseWith(z.enum(NETWORKS), values.buildNetwork, "flyte:buildNetwork");
    if (values.endpoint !== undefined) out.endpoint = checkEndpoint("flyte:endpoint", values.endpoint);
    return out;
}

/**
 * The `flyte:*` defaults of the stack, read with Pulumi's all-config API: a key that
 * is not one of ours is an error naming the known keys (a typo must not be ignored).
 * Without config (e.g. under mocks) nothing is set and every default is the
 * components' own.
 */
export function stackDefaults(): StackDefaults {
    const values: Partial<Record<StackConfigKey, string>> = {};
    for (const [fullKey, value] of Object.entries(pulumi.runtime.allConfig())) {
        if (!fullKey.startsWith("flyte:")) continue;
        const key = fullKey.slice("flyte:".length);
        if (OTHER_STACK_CONFIG_KEYS.includes(key)) continue;
        if (!(STACK_CONFIG_KEYS as readonly string[]).includes(key)) {
            throw new ValidationError(
                fullKey,
                HIDDEN,
                `unknown stack config key "${fullKey}"; ${didYouMean(fullKey, knownKeys())}known keys: ${knownKeys().join(", ")}`,
            );
        }
        values[key as StackConfigKey] = value;
    }
    return validate(values);
}

// Images made by the program (or from data by the flyte package) take flyte:registry
// and flyte:endpoint when `init` did not set them.
setAmbientImageDefaults(() => {
    const d = stackDefaults();
    return { registry: d.registry, endpoint: d.endpoint };
});

/**
 * Reads and validates the stack's `flyte:*` keys, with the same defaults every
 * component applies: a typo (in a key or a value) fails at preview naming the key and
 * what is allowed. `defaults` fill keys the stack leaves unset.
 */
export function readStackConfig(defaults: Partial<FlyteStackConfig> = {}): FlyteStackConfig {
    const stack = stackDefaults();
    const given = validate(defaults);
    const pick = <K extends StackConfigKey>(key: K) => stack[key] ?? given[key];
    return {
        profile: pick("profile") ?? "flyte",
        registry: pick("registry") ?? imageSettings().registry,
        namespace: pick("namespace"),
        migStrategy: pick("migStrategy"),
        deviceAllocation: pick("deviceAllocation"),
        buildNetwork: pick("buildNetwork"),
        endpoint: pick("endpoint"),
    };
}
