import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as path from "path";
import * as tls from "tls";

/*
 * HTTPS to registries with the trust the Docker provider's `pulumi refresh` has: the
 * docker-build provider is a Go program and checks a registry's certificate against the
 * system's store (SSL_CERT_FILE or the distribution's bundle, plus SSL_CERT_DIR), so our
 * registry lookups do the same (Node's own fetch knows only Node's bundled roots).
 * A registry with its own CA is trusted by putting the CA there (see the README,
 * "Private registries"); nothing skips verification.
 */

/** Go's list of the distributions' CA bundles (crypto/x509, root_linux.go); the first that exists is read. */
const SYSTEM_BUNDLES = [
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/pki/tls/cacert.pem",
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    "/etc/ssl/cert.pem",
];

const PEM = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function pemsIn(file: string): string[] {
    try {
        return fs.readFileSync(file, "utf8").match(PEM) ?? [];
    } catch {
        return [];
    }
}

/**
 * The CA certificates a registry's certificate may chain to: Node's bundled roots,
 * NODE_EXTRA_CA_CERTS, the system bundle (SSL_CERT_FILE, else the distribution's) and
 * every certificate file in SSL_CERT_DIR's directories (colon-separated), as Go reads them.
 */
export function trustedCertificates(env: NodeJS.ProcessEnv = process.env): string[] {
    const out = [...tls.rootCertificates];
    if (env.NODE_EXTRA_CA_CERTS) out.push(...pemsIn(env.NODE_EXTRA_CA_CERTS));
    const bundles = env.SSL_CERT_FILE ? [env.SSL_CERT_FILE] : SYSTEM_BUNDLES;
    for (const file of bundles) {
        const pems = pemsIn(file);
        if (pems.length) {
            out.push(...pems);
            break;
        }
    }
    for (const dir of (env.SSL_CERT_DIR ?? "").split(":").filter(Boolean)) {
        let names: string[];
        try {
            names = fs.readdirSync(dir);
        } catch {
            continue;
        }
        for (const name of names) out.push(...pemsIn(path.join(dir, name)));
    }
    return [...new Set(out)];
}

const MAX_REDIRECTS = 5;

/**
 * `fetch` over Node's https with `trustedCertificates()`: the subset the registry client
 * uses (GET/HEAD, headers, AbortSignal, redirects followed, an Authorization header
 * dropped when a redirect leaves the host, as fetch does). Network and TLS failures
 * reject with Node's error (its `code`: ECONNREFUSED, UNABLE_TO_VERIFY_LEAF_SIGNATURE, EPROTO, ...).
 */
export function trustedFetch(env: NodeJS.ProcessEnv = process.env): typeof fetch {
    let ca: string[] | undefined;
    return async (input, init) => {
        ca ??= trustedCertificates(env);
        let url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
        const headers: Record<string, string> = { ...((init?.headers as Record<string, string> | undefined) ?? {}) };
        const method = init?.method ?? "GET";
        const signal = init?.signal ?? undefined;
        for (let hop = 0; ; hop++) {
            const res = await request(url, method, headers, ca, signal);
            const location = res.headers.location;
            if (res.status >= 300 && res.status < 400 && location && hop < MAX_REDIRECTS) {
                const next = new URL(location, url);
                if (next.host !== url.host) delete headers.Authorization;
                url = next;
                continue;
            }
            const responseHeaders = new Headers();
            for (const [k, v] of Object.entries(res.headers))
                for (const value of Array.isArray(v) ? v : v === undefined ? [] : [v]) responseHeaders.append(k, value);
            const noBody = method === "HEAD" || res.status === 204 || res.status === 304;
            return new Response(noBody ? null : res.body, { status: res.status, headers: responseHeaders });
        }
    };
}

function request(
    url: URL,
    method: string,
    headers: Record<string, string>,
    ca: string[],
    signal: AbortSignal | undefined,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
    return new Promise((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const options = { method, headers, ...(url.protocol === "https:" ? { ca } : {}) };
        const req = (url.protocol === "https:" ? https : http).request(url, options, (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () =>
                resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
            );
            res.on("error", reject);
        });
        const abort = () => req.destroy(signal!.reason);
        signal?.addEventListener("abort", abort, { once: true });
        req.on("error", reject);
        req.on("close", () => signal?.removeEventListener("abort", abort));
        req.end();
    });
}
