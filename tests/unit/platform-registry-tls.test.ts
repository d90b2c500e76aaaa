import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/*
 * The platform registry's TLS material (scripts/platform/pki.sh): a serving certificate
 * of the platform CA for every name the registry is reached by, made once and kept; the
 * CA where each client looks for it (an OpenSSL-hashed trust directory for SSL_CERT_DIR,
 * Docker's certs.d per registry address), world-readable; a change of the CA is what
 * tells `platform up` to restart dockerd (its BuildKit reads certs.d when it starts).
 */
const ROOT = path.resolve(__dirname, "../..");

function bash(script: string, cache: string, certs: string): string {
    return execFileSync(
        "bash",
        ["-c", `set -euo pipefail; source scripts/platform/lib.sh; source scripts/platform/pki.sh; ${script}`],
        {
            cwd: ROOT,
            env: { ...process.env, PULUMI_FLYTE_CACHE: cache, PULUMI_FLYTE_DOCKER_CERTS_DIR: certs },
            encoding: "utf8",
        },
    ).trim();
}

describe("platform registry TLS", () => {
    let cache: string;
    let certs: string;
    beforeEach(() => {
        cache = fs.mkdtempSync(path.join(os.tmpdir(), "pf-tls-"));
        certs = path.join(cache, "certs.d");
    });
    afterEach(() => fs.rmSync(cache, { recursive: true, force: true }));

    test("the registry's certificate is the CA's, for 127.0.0.1, localhost and ::1, and made once", () => {
        const out = bash(
            [
                "pf_registry_pki 2>/dev/null",
                'first="$(openssl x509 -in "$PF_PKI/registry.crt" -noout -fingerprint)"',
                "pf_registry_pki 2>/dev/null",
                'openssl verify -CAfile "$PF_PKI/ca.crt" "$PF_PKI/registry.crt"',
                '_pf_cert_sans "$PF_PKI/registry.crt"',
                '[ "$first" = "$(openssl x509 -in "$PF_PKI/registry.crt" -noout -fingerprint)" ] && echo kept',
                'openssl x509 -in "$PF_PKI/registry.crt" -noout -ext extendedKeyUsage | tail -1',
            ].join("; "),
            cache,
            certs,
        ).split("\n");
        expect(out).toEqual([
            expect.stringMatching(/registry\.crt: OK$/),
            "DNS:localhost,IP:127.0.0.1,IP:0:0:0:0:0:0:0:1",
            "kept",
            "    TLS Web Server Authentication",
        ]);
    }, 60_000);

    test("the CA goes where clients look for it; a second run changes nothing, a new CA is a change", () => {
        const out = bash(
            [
                "pf_registry_pki 2>/dev/null",
                "pf_registry_trust && echo changed || echo unchanged",
                "pf_registry_trust && echo changed || echo unchanged",
                'ls "$PF_TRUST_DIR" | sort | tr "\\n" " "; echo',
                'openssl verify -CApath "$PF_TRUST_DIR" "$PF_PKI/registry.crt" | sed "s|.*: ||"',
                'for h in $PF_REGISTRY_HOSTS; do cmp -s "$PF_PKI/ca.crt" "$PF_DOCKER_CERTS_DIR/$h/ca.crt" && stat -c "%a" "$PF_DOCKER_CERTS_DIR/$h/ca.crt"; done | sort -u',
                'rm "$PF_PKI/ca.crt" "$PF_PKI/ca.key"; pf_registry_pki 2>/dev/null',
                "pf_registry_trust && echo changed || echo unchanged",
                "pf_registry_trust_down",
                'ls "$PF_DOCKER_CERTS_DIR" | wc -l',
            ].join("; "),
            cache,
            certs,
        ).split("\n");
        expect(out[0]).toBe("changed");
        expect(out[1]).toBe("unchanged");
        expect(out[2]).toMatch(/^[0-9a-f]{8}\.0 ca\.crt $/);
        expect(out[3]).toBe("OK");
        expect(out[4]).toBe("644");
        expect(out[5]).toBe("changed");
        expect(out[6]).toBe("0");
    }, 60_000);
});
