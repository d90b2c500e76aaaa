import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/*
 * The platform's scripts must not change the umask of the shell that runs them, and
 * its daemons must not inherit a restrictive one: on a fresh machine the kubeconfig's
 * `umask 077` once leaked into containerd, whose 0700 image-layer roots kept every
 * non-root task from loading libc ("libm.so.6: Permission denied").
 */
const ROOT = path.resolve(__dirname, "../..");

function bash(script: string, cache: string): string {
    return execFileSync(
        "bash",
        ["-c", `set -euo pipefail; source scripts/platform/lib.sh; source scripts/platform/pki.sh; ${script}`],
        {
            cwd: ROOT,
            env: { ...process.env, PULUMI_FLYTE_CACHE: cache },
            encoding: "utf8",
        },
    ).trim();
}

describe("platform scripts and umask", () => {
    let cache: string;
    beforeEach(() => {
        cache = fs.mkdtempSync(path.join(os.tmpdir(), "pf-umask-"));
    });
    afterEach(() => fs.rmSync(cache, { recursive: true, force: true }));

    test("generating the certificates and kubeconfigs leaves the caller's umask as it was (keys and kubeconfig still 0600)", () => {
        const out = bash(
            'umask 022; pf_pki 2>/dev/null; echo "umask $(umask)"; stat -c "%a" "$PF_KUBECONFIG" "$PF_PKI/ca.key"',
            cache,
        ).split("\n");
        expect(out).toEqual(["umask 0022", "600", "600"]);
    }, 60_000);

    test("daemons start with umask 022 whatever the caller's, and the caller keeps its own", () => {
        const out = bash(
            `umask 077; pf_start probe -- sh -c 'umask > "$0"' "${cache}/daemon-umask"; wait; echo "caller $(umask)"; cat "${cache}/daemon-umask"`,
            cache,
        ).split("\n");
        expect(out).toEqual(["caller 0077", "0022"]);
    });
});

test("a daemon started under a lock (`flock <file> <command>`, fd 3; platform.sh's fd 9) does not keep holding it", () => {
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), "pf-lock-"));
    const lock = path.join(cache, "lock");
    try {
        const out = execFileSync(
            "bash",
            [
                "-c",
                `flock "${lock}" bash -c 'set -euo pipefail; exec 9>"${lock}.own"; source scripts/platform/lib.sh; pf_start probe -- sleep 30; echo started'; ` +
                    `if flock -n "${lock}" true; then echo released; else echo held; fi; ` +
                    `if flock -n "${lock}.own" true; then echo released; else echo held; fi; ` +
                    `kill "$(head -1 "${cache}/platform/run/probe.pid")"`,
            ],
            { cwd: ROOT, env: { ...process.env, PULUMI_FLYTE_CACHE: cache }, encoding: "utf8" },
        )
            .trim()
            .split("\n");
        expect(out).toEqual(["started", "released", "released"]);
    } finally {
        fs.rmSync(cache, { recursive: true, force: true });
    }
});
