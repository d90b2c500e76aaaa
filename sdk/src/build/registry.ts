import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { explainRequestFailure, isTlsFailure, networkErrorCode } from "../net/causes";
import { trustedFetch } from "./trust";
/**
 * A minimal Docker Registry HTTP API v2 client: is a tag there, what is its digest,
 * and which labels does its image config carry. Used to skip builds whose
 * content-addressed tag already exists (built by another stack or by flyte-sdk).
 */
export interface ImageReference {
    registry: string;
    repository: string;
    tag: string;
}

export interface RemoteImageInfo {
    digest: string;
    labels: Record<string, string>;
}

export interface RegistryCredentials {
    username: string;
    password: string;
}

const MANIFEST_TYPES = [
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

/** Splits "host[:port]/repo/name:tag" (Docker Hub names get registry-1.docker.io). */
export function parseReference(uri: string): ImageReference {
    const at = uri.indexOf("@");
    const withoutDigest = at >= 0 ? uri.slice(0, at) : uri;
    const slash = withoutDigest.indexOf("/");
    const colon = withoutDigest.lastIndexOf(":");
    const hasTag = colon > slash;
    const name = hasTag ? withoutDigest.slice(0, colon) : withoutDigest;
    const tag = hasTag ? withoutDigest.slice(colon + 1) : "latest";
    const first = name.split("/")[0];
    const explicitRegistry =
        name.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost");
    const registry = explicitRegistry ? first : "registry-1.docker.io";
    let repository = explicitRegistry ? name.slice(first.length + 1) : name;
    if (!explicitRegistry && !repository.includes("/")) repository = `library/${repository}`;
    return { registry, repository, tag };
}

/** The repository part of a reference, for `repo@sha256:...` digest references. */
export function repositoryOf(uri: string): string {
    const at = uri.indexOf("@");
    const withoutDigest = at >= 0 ? uri.slice(0, at) : uri;
    const slash = withoutDigest.lastIndexOf("/");
    const colon = withoutDigest.lastIndexOf(":");
    return colon > slash ? withoutDigest.slice(0, colon) : withoutDigest;
}

/** What to do when a registry's TLS is refused: where the Docker provider's refresh, and so our lookups, find CAs. */
export const TLS_ADVICE =
    "registries are read over HTTPS, checked against this machine's trust store (the system's CA bundle, SSL_CERT_FILE, SSL_CERT_DIR), " +
    "as the Docker provider's `pulumi refresh` checks them: serve the registry with TLS and add its CA there (README: Private registries)";

/** Registries are read over HTTPS only, loopback ones too (no plain-HTTP fallback). */
function baseUrl(registry: string): string {
    return `https://${registry}`;
}

export interface RegistryClientOptions {
    /** Credentials; default: what docker uses for the registry (~/.docker/config.json). */
    credentials?: RegistryCredentials;
    timeoutMs?: number;
    /** Default: HTTPS with the system's trust store, as the Docker provider's refresh checks it (./trust.ts). */
    fetchImpl?: typeof fetch;
    /** Where docker's config.json is (default: $DOCKER_CONFIG, else ~/.docker). */
    dockerConfigDir?: string;
}

/** A registry lookup that failed, with what went wrong in a user's terms. */
export class RegistryLookupError extends Error {
    /** Set when the registry could not be reached at all: the network error's code (ECONNREFUSED, ENOTFOUND, ETIMEDOUT, ...). */
    readonly unreachable?: string;
    constructor(message: string, unreachable?: string) {
        super(message);
        this.name = "RegistryLookupError";
        if (unreachable) this.unreachable = unreachable;
    }
}

/**
 * Credentials for `registry` the way docker finds them: `auths` of config.json
 * (`auth` = base64 "user:password", or `username`/`password`), then the registry's
 * `credHelpers` entry or the `credsStore`, by running `docker-credential-<helper> get`.
 */
export function dockerCredentials(registry: string, configDir?: string): RegistryCredentials | undefined {
    const dir = configDir ?? process.env.DOCKER_CONFIG ?? path.join(os.homedir(), ".docker");
    let config: {
        auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
        credHelpers?: Record<string, string>;
        credsStore?: string;
    };
    try {
        config = JSON.parse(fs.readFileSync(path.join(dir, "config.json"), "utf8"));
    } catch {
        return undefined;
    }
    const keys =
        registry === "registry-1.docker.io"
            ? ["https://index.docker.io/v1/", "index.docker.io", "docker.io", registry]
            : [registry, `https://${registry}`, `http://${registry}`];
    for (const key of keys) {
        const entry = config.auths?.[key];
        if (!entry) continue;
        if (entry.auth) {
            const decoded = Buffer.from(entry.auth, "base64").toString("utf8");
            const colon = decoded.indexOf(":");
            if (colon > 0) return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
        }
        if (entry.username && entry.password) return { username: entry.username, password: entry.password };
    }
    const helper = keys.map((k) => config.credHelpers?.[k]).find((h) => h) ?? config.credsStore;
    if (!helper || !/^[A-Za-z0-9._-]+$/.test(helper)) return undefined;
    const result = spawnSync(`docker-credential-${helper}`, ["get"], {
        input: keys[0],
        encoding: "utf8",
        timeout: 10_000,
    });
    if (result.status !== 0 || !result.stdout) return undefined;
    try {
        const { Username, Secret } = JSON.parse(result.stdout) as { Username?: string; Secret?: string };
        return Username && Secret ? { username: Username, password: Secret } : undefined;
    } catch {
        return undefined;
    }
}

/** Requests to one registry for one repository, with its credentials and token. */
function registrySession(ref: ImageReference, options: RegistryClientOptions) {
    const timeoutMs = options.timeoutMs ?? 10_000;
    const rawFetch = options.fetchImpl ?? trustedFetch();
    // network failures are reported with their cause (connection refused, DNS, TLS, timeout)
    const doFetch: typeof fetch = async (input, init) => {
        try {
            return await rawFetch(input, init);
        } catch (err) {
            const code = networkErrorCode(err);
            const cause = explainRequestFailure(err, { name: ref.registry, service: "registry", timeoutMs });
            throw new RegistryLookupError(isTlsFailure(code) ? `${cause}; ${TLS_ADVICE}` : cause, code ?? "EUNKNOWN");
        }
    };
    const credentials = options.credentials ?? dockerCredentials(ref.registry, options.dockerConfigDir);
    let token: string | undefined;
    const request = async (path: string, accept?: string, method = "GET"): Promise<Response> => {
        const headers: Record<string, string> = {};
        if (accept) headers.Accept = accept;
        if (token) headers.Authorization = `Bearer ${token}`;
        else if (credentials) headers.Authorization = `Basic ${basic(credentials)}`;
        const url = `${baseUrl(ref.registry)}${path}`;
        let res = await doFetch(url, { method, headers, signal: AbortSignal.timeout(timeoutMs) });
        const challenge = res.headers.get("www-authenticate");
        if (res.status === 401 && challenge && /^bearer/i.test(challenge) && !token) {
            token = await fetchToken(challenge, ref, doFetch, timeoutMs, credentials);
            headers.Authorization = `Bearer ${token}`;
            res = await doFetch(url, { method, headers, signal: AbortSignal.timeout(timeoutMs) });
        }
        return res;
    };
    const refused = (status: number) =>
        new RegistryLookupError(
            credentials
                ? `${ref.registry} refused the credentials for ${ref.repository} (${status})`
                : `${ref.registry} needs credentials to read ${ref.repository} (${status}); log in with \`docker login ${ref.registry}\` or pass registryCredentials`,
        );
    return { request, refused };
}

/**
 * Looks up a tag. Returns undefined when the tag does not exist; throws on
 * network or authentication failures (callers decide to build instead).
 */
export async function inspectRemoteImage(
    uri: string,
    options: RegistryClientOptions = {},
): Promise<RemoteImageInfo | undefined> {
    const ref = parseReference(uri);
    const { request, refused } = registrySession(ref, options);
    const manifestRes = await request(`/v2/${ref.repository}/manifests/${ref.tag}`, MANIFEST_TYPES);
    if (manifestRes.status === 404) return undefined;
    if (manifestRes.status === 401 || manifestRes.status === 403) throw refused(manifestRes.status);
    if (!manifestRes.ok) throw new RegistryLookupError(`${ref.registry} answered ${manifestRes.status} for ${uri}`);
    const digest = manifestRes.headers.get("docker-content-digest") ?? "";
    let manifest = (await manifestRes.json()) as ManifestJson;
    if (Array.isArray(manifest.manifests) && manifest.manifests.length) {
        const first = manifest.manifests.find((m) => m.platform?.os !== "unknown") ?? manifest.manifests[0];
        const res = await request(`/v2/${ref.repository}/manifests/${first.digest}`, MANIFEST_TYPES);
        if (!res.ok) throw new Error(`registry ${ref.registry} answered ${res.status} for ${first.digest}`);
        manifest = (await res.json()) as ManifestJson;
    }
    let labels: Record<string, string> = {};
    if (manifest.config?.digest) {
        const res = await request(`/v2/${ref.repository}/blobs/${manifest.config.digest}`);
        if (res.ok) labels = ((await res.json()) as ImageConfigJson)?.config?.Labels ?? {};
    }
    return { digest, labels };
}

/**
 * Can `<repository>@<digest>` be pulled: the registry serves its manifest (each platform's
 * of an index) and has every blob they name (config and layers). Returns what the
 * registry answered otherwise (`HTTP 500 for the manifest sha256:...`); throws when the
 * registry cannot be asked (network, credentials).
 */
export async function checkPullable(
    uri: string,
    digest: string,
    options: RegistryClientOptions = {},
): Promise<string | undefined> {
    const ref = parseReference(uri);
    const { request, refused } = registrySession(ref, options);
    const manifests = [digest];
    const blobs = new Set<string>();
    for (let i = 0; i < manifests.length; i++) {
        const res = await request(`/v2/${ref.repository}/manifests/${manifests[i]}`, MANIFEST_TYPES);
        if (res.status === 401 || res.status === 403) throw refused(res.status);
        if (!res.ok) return `${ref.registry} answered HTTP ${res.status} for the manifest ${manifests[i]}`;
        const manifest = (await res.json()) as ManifestJson & { layers?: { digest: string }[] };
        for (const m of manifest.manifests ?? []) manifests.push(m.digest);
        if (manifest.config?.digest) blobs.add(manifest.config.digest);
        for (const layer of manifest.layers ?? []) blobs.add(layer.digest);
    }
    for (const blob of blobs) {
        const res = await request(`/v2/${ref.repository}/blobs/${blob}`, undefined, "HEAD");
        if (res.status === 401 || res.status === 403) throw refused(res.status);
        if (!res.ok) return `${ref.registry} answered HTTP ${res.status} for the blob ${blob} of ${digest}`;
    }
    return undefined;
}

/** What we read of an image manifest or index (OCI / Docker distribution). */
interface ManifestJson {
    manifests?: { digest: string; platform?: { os?: string } }[];
    config?: { digest?: string };
}

/** What we read of an image's config blob. */
interface ImageConfigJson {
    config?: { Labels?: Record<string, string> };
}

async function fetchToken(
    challenge: string,
    ref: ImageReference,
    doFetch: typeof fetch,
    timeoutMs: number,
    credentials?: RegistryCredentials,
): Promise<string> {
    const params: Record<string, string> = {};
    for (const m of challenge.matchAll(/(\w+)="([^"]*)"/g)) params[m[1].toLowerCase()] = m[2];
    if (!params.realm) throw new Error(`registry ${ref.registry} sent an unusable auth challenge`);
    const url = new URL(params.realm);
    if (params.service) url.searchParams.set("service", params.service);
    url.searchParams.set("scope", params.scope ?? `repository:${ref.repository}:pull`);
    const headers: Record<string, string> = credentials ? { Authorization: `Basic ${basic(credentials)}` } : {};
    const res = await doFetch(url.toString(), { headers, signal: AbortSignal.timeout(timeoutMs) });
    if (res.status === 401 || res.status === 403) {
        throw new RegistryLookupError(
            credentials
                ? `${ref.registry} refused the credentials for ${ref.repository} (token endpoint answered ${res.status})`
                : `${ref.registry} needs credentials to read ${ref.repository} (token endpoint answered ${res.status}); log in with \`docker login ${ref.registry}\` or pass registryCredentials`,
        );
    }
    if (!res.ok) throw new RegistryLookupError(`the token endpoint of ${ref.registry} answered ${res.status}`);
    const body = (await res.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new Error("registry token endpoint sent no token");
    return token;
}

function basic(c: RegistryCredentials): string {
    return Buffer.from(`${c.username}:${c.password}`).toString("base64");
}
