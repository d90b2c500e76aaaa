import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/*
 * The platform's base images take their Debian packages from the archives this
 * machine's apt sources use (no mirror is written into the scripts), with
 * PULUMI_FLYTE_DEBIAN_MIRROR / _SECURITY as overrides: both apt source formats are read.
 */
const ROOT = path.resolve(__dirname, "../..");

function bash(script: string, env: NodeJS.ProcessEnv = {}): string {
    return execFileSync(
        "bash",
        ["-c", `set -euo pipefail; source scripts/platform/lib.sh; source scripts/platform/images.sh; ${script}`],
        { cwd: ROOT, env: { ...process.env, ...env }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
    ).trim();
}

describe("the Debian archives of the platform's base images", () => {
    let etc: string;
    beforeEach(() => {
        etc = fs.mkdtempSync(path.join(os.tmpdir(), "pf-apt-"));
        fs.mkdirSync(path.join(etc, "sources.list.d"));
    });
    afterEach(() => fs.rmSync(etc, { recursive: true, force: true }));
    const uri = (suite: string) => bash(`pf_apt_suite_uri ${suite} ${etc} || echo none`);

    test("one-line sources (with options) and deb822 stanzas (disabled ones and other types skipped)", () => {
        fs.writeFileSync(
            path.join(etc, "sources.list"),
            "# comment\ndeb-src https://src.example.com/debian bookworm main\ndeb [arch=amd64 signed-by=/k.gpg] https://archive.example.com/debian bookworm main contrib\n",
        );
        fs.writeFileSync(
            path.join(etc, "sources.list.d", "debian.sources"),
            [
                "Types: deb",
                "URIs: https://off.example.com/debian-security",
                "Suites: bookworm-security",
                "Enabled: no",
                "",
                "Types: deb deb-src",
                "URIs: https://security.example.com/debian-security https://other.example.com/x",
                "Suites: bookworm-security",
                "Components: main",
                "",
            ].join("\n"),
        );
        expect(uri("bookworm")).toBe("https://archive.example.com/debian");
        expect(uri("bookworm-security")).toBe("https://security.example.com/debian-security");
        expect(uri("trixie")).toBe("none");
    });

    test("the variables win; without an archive, the platform says which variable to set", () => {
        fs.writeFileSync(
            path.join(etc, "sources.list"),
            "deb https://archive.example.com/debian bookworm main\ndeb https://archive.example.com/debian-security bookworm-security main\n",
        );
        const env = { PF_APT_ETC: etc, PULUMI_FLYTE_DEBIAN_MIRROR: "https://mirror.example.com/debian" };
        expect(bash('pf_debian_sources; echo "$PF_DEBIAN_MIRROR $PF_DEBIAN_SECURITY"', env)).toBe(
            "https://mirror.example.com/debian https://archive.example.com/debian-security",
        );
        fs.rmSync(path.join(etc, "sources.list"));
        let error = "";
        try {
            bash("pf_debian_sources", {
                PF_APT_ETC: etc,
                PULUMI_FLYTE_DEBIAN_MIRROR: "",
                PULUMI_FLYTE_DEBIAN_SECURITY: "",
            });
        } catch (e) {
            error = String((e as { stderr?: string }).stderr);
        }
        expect(error).toContain("no Debian archive for bookworm in this machine's apt sources");
        expect(error).toContain("PULUMI_FLYTE_DEBIAN_MIRROR");
    });
});
