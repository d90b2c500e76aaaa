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
    const explicitRegistry = name.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost");
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

function baseUrl(registry: string): string {
    const host = registry.split(":")[0];
    const loopback = host === "localhost" || host === "127.0.0.1" || host === "::1";
    return `${loopback ? "http" : "https"}://${registry}`;
}

export interface RegistryClientOptions {
    credentials?: RegistryCredentials;
    timeoutMs?: number;
    fetchImpl?: typeof fetch;
}

/**
 * Looks up a tag. Returns undefined when the tag does not exist; throws on
 * network or authentication failures (callers decide to build instead).
 */
export async function inspectRemoteImage(uri: string, options: RegistryClientOptions = {}): Promise<RemoteImageInfo | undefined> {
    const ref = parseReference(uri);
    const doFetch = options.fetchImpl ?? fetch;
    const timeoutMs = options.timeoutMs ?? 10_000;
    let token: string | undefined;

    const request = async (path: string, accept?: string): Promise<Response> => {
        const headers: Record<string, string> = {};
        if (accept) headers.Accept = accept;
        if (token) headers.Authorization = `Bearer ${token}`;
        else if (options.credentials) headers.Authorization = `Basic ${basic(options.credentials)}`;
        let res = await doFetch(`${baseUrl(ref.registry)}${path}`, { headers, signal: AbortSignal.timeout(timeoutMs) });
        const challenge = res.headers.get("www-authenticate");
        if (res.status === 401 && challenge && /^bearer/i.test(challenge) && !token) {
            token = await fetchToken(challenge, ref, doFetch, timeoutMs, options.credentials);
            headers.Authorization = `Bearer ${token}`;
            res = await doFetch(`${baseUrl(ref.registry)}${path}`, { headers, signal: AbortSignal.timeout(timeoutMs) });
        }
        return res;
    };

    const manifestRes = await request(`/v2/${ref.repository}/manifests/${ref.tag}`, MANIFEST_TYPES);
    if (manifestRes.status === 404) return undefined;
    if (!manifestRes.ok) throw new Error(`registry ${ref.registry} answered ${manifestRes.status} for ${uri}`);
    const digest = manifestRes.headers.get("docker-content-digest") ?? "";
    let manifest = (await manifestRes.json()) as any;
    if (Array.isArray(manifest.manifests)) {
        const first = manifest.manifests.find((m: any) => m.platform?.os !== "unknown") ?? manifest.manifests[0];
        const res = await request(`/v2/${ref.repository}/manifests/${first.digest}`, MANIFEST_TYPES);
        if (!res.ok) throw new Error(`registry ${ref.registry} answered ${res.status} for ${first.digest}`);
        manifest = await res.json();
    }
    let labels: Record<string, string> = {};
    if (manifest.config?.digest) {
        const res = await request(`/v2/${ref.repository}/blobs/${manifest.config.digest}`);
        if (res.ok) labels = ((await res.json()) as any)?.config?.Labels ?? {};
    }
    return { digest, labels };
}

async function fetchToken(challenge: string, ref: ImageReference, doFetch: typeof fetch, timeoutMs: number, credentials?: RegistryCredentials): Promise<string> {
    const params: Record<string, string> = {};
    for (const m of challenge.matchAll(/(\w+)="([^"]*)"/g)) params[m[1].toLowerCase()] = m[2];
    if (!params.realm) throw new Error(`registry ${ref.registry} sent an unusable auth challenge`);
    const url = new URL(params.realm);
    if (params.service) url.searchParams.set("service", params.service);
    url.searchParams.set("scope", params.scope ?? `repository:${ref.repository}:pull`);
    const headers: Record<string, string> = credentials ? { Authorization: `Basic ${basic(credentials)}` } : {};
    const res = await doFetch(url.toString(), { headers, signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) throw new Error(`registry token endpoint answered ${res.status}`);
    const body = (await res.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new Error("registry token endpoint sent no token");
    return token;
}

function basic(c: RegistryCredentials): string {
    return Buffer.from(`${c.username}:${c.password}`).toString("base64");
}
