/**
 * Network errors in the user's terms: one row per error code, the one table the
 * registry lookup, the Docker daemon check, the API server check and the build's
 * preflight read. A row says whether the code means the peer cannot be reached at all
 * (nothing was exchanged: the error that ends a `pulumi up` before it builds or
 * deploys) and how the failure is said in each of the sentences we write:
 * - `phrase`: after the peer's name ("the registry at 127.0.0.1:30000 refused the
 *   connection (nothing listens there)", "the API server ... is unreachable: it ...");
 * - `request`: a failed HTTP request, as a sentence naming the peer;
 * - `socket`: a failed connection to a local daemon's socket or port.
 * Imports nothing: any layer may use it.
 */

/** The peer of a failed connection as the sentences name it. */
export interface Peer {
    /** How it is named: `127.0.0.1:30000`, `unix:///var/run/docker.sock`. */
    name: string;
    /** Its host name, for DNS errors (default: `name` up to a colon). */
    host?: string;
    /** What it is, for advice ("is the registry running?"); default "server". */
    service?: string;
    /** The request's or connection's time limit, for timeouts. */
    timeoutMs?: number;
}

interface Cause {
    /** The peer cannot be reached at all. */
    unreachable: boolean;
    phrase?: string;
    request?: (p: Required<Peer>, code: string) => string;
    socket?: (p: Required<Peer>, code: string) => string;
}

const tls: Cause = {
    unreachable: false,
    request: (p, code) => `TLS: the certificate of ${p.name} was not accepted (${code})`,
};
/** A TLS client met a server that does not speak TLS there (OpenSSL's "wrong version number"). */
const notTls: Cause = {
    unreachable: false,
    request: (p, code) => `TLS: ${p.name} did not answer with TLS (${code}: a plain-HTTP server?)`,
};
const unreachableHost: Cause = {
    unreachable: true,
    phrase: "is unreachable from this machine",
    request: (p, code) => `${p.name} is unreachable from this machine (${code})`,
};
const timedOut: Cause = {
    unreachable: true,
    phrase: "did not answer in time",
    request: (p) => `connecting to ${p.name} timed out`,
    socket: (p) => `${p.name} did not answer within ${p.timeoutMs / 1000}s`,
};

const CAUSES: Readonly<Record<string, Cause>> = {
    ECONNREFUSED: {
        unreachable: true,
        phrase: "refused the connection (nothing listens there)",
        request: (p) => `connection refused by ${p.name} (nothing listens there: is the ${p.service} running?)`,
        socket: (p) => `${p.name} refused the connection`,
    },
    ENOTFOUND: {
        unreachable: true,
        phrase: "cannot be found (DNS: no such host)",
        request: (p) => `DNS: the host ${p.host} was not found`,
    },
    EAI_AGAIN: {
        unreachable: true,
        phrase: "cannot be resolved now (DNS: temporary failure)",
        request: (p) => `DNS: the host ${p.host} could not be resolved now (temporary failure)`,
    },
    EHOSTUNREACH: unreachableHost,
    ENETUNREACH: unreachableHost,
    ETIMEDOUT: timedOut,
    UND_ERR_CONNECT_TIMEOUT: timedOut,
    ECONNRESET: {
        unreachable: true,
        phrase: "reset the connection",
        request: (p) => `the connection to ${p.name} was reset`,
    },
    ENOENT: {
        unreachable: true,
        socket: (p) => `nothing listens at ${p.name} (the socket does not exist)`,
    },
    EACCES: {
        unreachable: false,
        socket: (p) => `permission denied on ${p.name} (is this user in the docker group?)`,
    },
    CERT_HAS_EXPIRED: tls,
    DEPTH_ZERO_SELF_SIGNED_CERT: tls,
    SELF_SIGNED_CERT_IN_CHAIN: tls,
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: tls,
    ERR_TLS_CERT_ALTNAME_INVALID: tls,
    UNABLE_TO_GET_ISSUER_CERT_LOCALLY: tls,
    UNABLE_TO_GET_ISSUER_CERT: tls,
    CERT_UNTRUSTED: tls,
    EPROTO: notTls,
    ERR_SSL_WRONG_VERSION_NUMBER: notTls,
};

function peer(p: Peer): Required<Peer> {
    return { host: p.name.split(":")[0], service: "server", timeoutMs: 10_000, ...p };
}

/** The network error's code of a failed request or connection (a timeout or an abort is ETIMEDOUT); undefined when it has none. */
export function networkErrorCode(err: unknown): string | undefined {
    const e = err as { name?: string; code?: unknown; cause?: { code?: unknown } } | undefined;
    if (e?.name === "TimeoutError" || e?.name === "AbortError") return "ETIMEDOUT";
    const code = e?.cause?.code ?? e?.code;
    return typeof code === "string" ? code : undefined;
}

/** For a code that means the peer cannot be reached at all, what it did ("refused the connection (nothing listens there)"). */
export function unreachableBecause(code: string | undefined): string | undefined {
    const cause = code === undefined ? undefined : CAUSES[code];
    return cause?.unreachable ? cause.phrase : undefined;
}

/** True for the codes of a TLS failure (a certificate refused, or a peer that does not speak TLS). */
export function isTlsFailure(code: string | undefined): boolean {
    const cause = code === undefined ? undefined : CAUSES[code];
    return cause === tls || cause === notTls;
}

/** The cause of a failed HTTP request to `to`, as a person would name it (connection refused, DNS, TLS, timeout). */
export function explainRequestFailure(err: unknown, to: Peer): string {
    const p = peer(to);
    const e = err as { name?: string; message?: string; cause?: { message?: string } } | undefined;
    if (e?.name === "TimeoutError" || e?.name === "AbortError")
        return `${p.name} did not answer within ${p.timeoutMs / 1000}s`;
    const code = networkErrorCode(err);
    const say = code === undefined ? undefined : CAUSES[code]?.request;
    if (say) return say(p, code!);
    const detail = e?.cause?.message ?? e?.message ?? String(err);
    return `${detail}${code ? ` (${code})` : ""}`;
}

/** A failed connection to a daemon at `to` (its socket or port), in the user's terms. */
export function explainSocketFailure(err: { code?: string; message: string }, to: Peer): string {
    const p = peer(to);
    const say = err.code === undefined ? undefined : CAUSES[err.code]?.socket;
    return say ? say(p, err.code!) : `${p.name}: ${err.message}`;
}
