import * as pulumi from "@pulumi/pulumi";
import {
    RegistryLookupError,
    RemoteImageInfo,
    checkPullable,
    inspectRemoteImage,
    parseReference,
    repositoryOf,
} from "../build/registry";
import {
    buildFailureMessage,
    dockerDownMessage,
    dockerEndpoint,
    explainBuildLog,
    findBuildxPlugin,
    isLocalDaemon,
    pingDocker,
    runCheckBuild,
    tcpProbe,
} from "../build/check-build";
import { explainRequestFailure, unreachableBecause } from "../net/causes";
import { ImageBuildSettings } from "./image-build-settings";

/**
 * What an image build checks before the provider builds, in a `pulumi up`: the registry
 * lookup (is the tag there already; can the registry be reached at all), the Docker
 * daemon, and (with the docker-buildx plugin) the build's steps. A failure is a
 * BuildFault: its message says the cause and what to do.
 */

/** A build that cannot succeed, with its cause and what to do: an error on the ImageBuild. */
export class BuildFault extends Error {}

/**
 * The registry lookup. In a `pulumi up`, a registry that cannot be reached at all
 * (refused, unknown host, timeout) is returned as the build's fault (the push would
 * fail after the whole build); other failures (credentials) are a warning on the
 * build, with the cause, and the image is built.
 */
export async function lookUp(
    uri: string,
    resource: pulumi.Resource,
    credentials: { username: string; password: string } | undefined,
    deploying: boolean,
): Promise<{ found?: RemoteImageInfo; unreachable?: string }> {
    try {
        return { found: await inspectRemoteImage(uri, { credentials }) };
    } catch (err) {
        const registry = parseReference(uri).registry;
        const peer = { name: registry, service: "registry", timeoutMs: 10_000 };
        let cause = err instanceof RegistryLookupError ? err.message : explainRequestFailure(err, peer);
        let code = err instanceof RegistryLookupError ? err.unreachable : undefined;
        if (code === "ETIMEDOUT") {
            // a timeout may be this busy program's (its timer fired first): ask the port itself
            code = await tcpProbe(registry, /^(localhost|127\.0\.0\.1|::1)(:|$)/.test(registry) ? 80 : 443);
            if (code && code !== "ETIMEDOUT") cause = explainRequestFailure({ code }, peer);
        }
        if (!unreachableBecause(code)) code = undefined;
        // with a Docker daemon elsewhere, a registry this machine cannot reach may be one the daemon can
        if (code && isLocalDaemon(dockerEndpoint(dockerBuildHost()))) {
            const message = registryDownMessage(uri, code, cause);
            if (deploying) return { unreachable: message };
            pulumi.log.warn(
                `could not check whether ${uri} is already in the registry: ${cause}; \`pulumi up\` cannot build and push it unless the registry at ${parseReference(uri).registry} is reachable then`,
                resource,
            );
            return {};
        }
        pulumi.log.warn(`could not check whether ${uri} is already in the registry: ${cause}; building it`, resource);
        return {};
    }
}

/** "the registry at <host> refused the connection ...; what to do". */
export function registryDownMessage(uri: string, code: string, cause: string): string {
    const registry = parseReference(uri).registry;
    return (
        `the registry at ${registry} ${unreachableBecause(code) ?? `cannot be reached (${cause})`}; nothing was built or pushed for ${uri}. ` +
        "Start the registry (or fix the network to it), or set flyte:registry (or the image's registry) to one that runs, then run `pulumi up` again"
    );
}

/** The Docker daemon the docker-build provider uses: `docker-build:host`, else DOCKER_HOST, else docker's default. */
function dockerBuildHost(): string | undefined {
    try {
        return new pulumi.Config("docker-build").get("host");
    } catch {
        return undefined;
    }
}

/**
 * Before the provider builds: the Docker daemon answers, and (when the provider runs
 * the docker-buildx plugin, which drops the log of a failed build) the build's steps
 * succeed, run once with the same plugin and settings (see build/check-build.ts).
 */
export async function preflight(
    uri: string,
    resource: pulumi.Resource,
    contextDir: string,
    dockerfile: string,
    settings: ImageBuildSettings,
): Promise<void> {
    const configuredHost = dockerBuildHost();
    const endpoint = dockerEndpoint(configuredHost);
    if (endpoint) {
        const down = await pingDocker(endpoint);
        if (down) throw new BuildFault(dockerDownMessage(uri, endpoint, down));
    }
    if (!settings.exec) return; // the provider's own client reports the failing step
    const plugin = findBuildxPlugin();
    if (!plugin) return; // the provider says it cannot find the plugin
    const secrets = await resolveSecrets(settings.secretValues);
    pulumi.log.info(`building ${uri}: running the build steps`, resource);
    const run = await runCheckBuild({
        plugin,
        contextDir,
        dockerfile,
        builder: settings.builder,
        network: settings.network,
        platform: settings.platform,
        secrets,
        dockerHost: configuredHost,
    });
    if (run.code !== 0) {
        // a step may print a secret it was given: its output never carries the values
        const log = Object.values(secrets)
            .filter((v) => v.length >= 4)
            .reduce((text, v) => text.split(v).join("[secret]"), run.log);
        throw new BuildFault(buildFailureMessage(uri, explainBuildLog(log)));
    }
}

/** The build secrets' values (known in a `pulumi up`). */
function resolveSecrets(values: Record<string, pulumi.Output<string>>): Promise<Record<string, string>> {
    return new Promise((resolve) => pulumi.all(values).apply((v) => resolve(v)));
}

/**
 * `digest` when the registry serves it whole (its manifest, every platform's, and every
 * blob) before anything uses it; otherwise the deployment stops with the registry's
 * answer, an error on the ImageBuild. A registry that cannot be asked is no reason to
 * stop (the lookup said so already). Two pushes of one tag at once made a registry serve
 * a digest one stack deployed with HTTP 500.
 */
export async function pullableDigest(
    uri: string,
    digest: string,
    name: string,
    settings: ImageBuildSettings,
    resource: pulumi.Resource,
): Promise<string> {
    let problem: string | undefined;
    for (let attempt = 0; attempt < 3; attempt++) {
        try {
            problem = await checkPullable(uri, digest, { credentials: settings.registryCredentials });
        } catch {
            return digest;
        }
        if (!problem) return digest;
        await new Promise((res) => setTimeout(res, 1000));
    }
    pulumi.log.error(
        `${repositoryOf(uri)}@${digest} (${uri}) cannot be pulled: ${problem}. Nothing was deployed with it. ` +
            `Push the image again: \`pulumi up --replace\` with the URN of the ImageBuild's docker-build:index:Image child ("${name}-build")`,
        resource,
    );
    throw new pulumi.RunError(`${uri} cannot be pulled: see the error on ImageBuild "${name}"`);
}
