import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { ValidationError } from "../core/errors";
import { checkNamespace } from "../core/names";
import { BuiltinProfileName } from "../core/scheduling/builtin-profiles";
import { MigStrategy } from "../core/scheduling/profile";
import { PROFILE_NAMES } from "../core/scheduling/resolve";
import { parseWith } from "../core/validate";

/** The `flyte:*` stack configuration a program reads (one stack per environment). */
export interface FlyteStackConfig {
    /** Cluster flavour: gke | eks | aks | nvidia | flyte. */
    profile: BuiltinProfileName;
    /** Registry images are pushed to, e.g. "localhost:30000" or "ghcr.io/acme". */
    registry?: string;
    /** Namespace of the environments' objects. */
    namespace: string;
    migStrategy?: MigStrategy;
    /** Docker network mode for image builds ("host" on the local platform). */
    buildNetwork?: string;
    /** Flyte endpoint (decides the default registry, as flyte.init does). */
    endpoint?: string;
}

const KEYS = ["profile", "registry", "namespace", "migStrategy", "buildNetwork", "endpoint"] as const;
const REGISTRY = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;

/**
 * Reads and validates `flyte:profile`, `flyte:registry`, `flyte:namespace` (and the
 * optional `flyte:migStrategy`, `flyte:buildNetwork`, `flyte:endpoint`): a typo fails
 * at preview naming the key and the allowed values.
 */
export function readStackConfig(defaults: Partial<FlyteStackConfig> = {}): FlyteStackConfig {
    const config = new pulumi.Config("flyte");
    const value = (key: (typeof KEYS)[number]) => config.get(key) ?? (defaults as any)[key];
    const profile = parseWith(z.enum(PROFILE_NAMES as [BuiltinProfileName, ...BuiltinProfileName[]]), value("profile") ?? "flyte", "flyte:profile");
    const namespace = checkNamespace("flyte:namespace", value("namespace") ?? "default");
    const registry = value("registry");
    if (registry !== undefined && !REGISTRY.test(registry)) {
        throw new ValidationError("flyte:registry", registry, "expected a registry host with optional port and path, e.g. \"localhost:30000\" or \"ghcr.io/acme\"");
    }
    const migStrategy = value("migStrategy") === undefined ? undefined : parseWith(z.enum(["single", "mixed"]), value("migStrategy"), "flyte:migStrategy");
    const buildNetwork = value("buildNetwork");
    if (buildNetwork !== undefined) parseWith(z.enum(["default", "host", "none"]), buildNetwork, "flyte:buildNetwork");
    return { profile, namespace, registry, migStrategy, buildNetwork, endpoint: value("endpoint") };
}
