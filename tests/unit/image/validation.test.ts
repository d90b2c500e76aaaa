import { Image, init } from "../../../sdk/src/core/image";
import { ValidationError } from "../../../sdk/src/core/errors";
import { FIX, validationError, useImageFixtures } from "./helpers";

describe("Image validation", () => {
    useImageFixtures();
    const base = () => Image.fromDebianBase({ installFlyte: false, name: "v" });

    /** Asserts a ValidationError at `field` whose message quotes the value given. */
    function rejects(fn: () => unknown, field: string, given: unknown) {
        const e = validationError(fn);
        expect(e).toBeInstanceOf(ValidationError);
        expect(e.field).toBe(field);
        expect(e.given).toEqual(given);
        expect(e.message.startsWith(`${field}: got `)).toBe(true);
        if (typeof given === "string") expect(e.message).toContain(JSON.stringify(given));
        return e;
    }

    describe("pip requirements (PEP 508 subset)", () => {
        const good = [
            "pandas",
            "pandas==2.2.2",
            "pandas>=2,<3",
            "Django~=5.0",
            "torch===2.4.1",
            "numpy!=1.26.0",
            "pyarrow[s3,gcs]>=15",
            "requests [socks] (>=2.31)",
            "flyte==2.12.1rc1",
            'tomli; python_version < "3.11"',
            "pywin32; sys_platform == 'win32' and platform_machine == \"AMD64\"",
            "a.b-c_d",
            "mypkg @ https://example.com/mypkg-1.0.tar.gz",
            "pkg[extra] @ git+https://github.com/org/repo.git@v1.2#subdirectory=pkg&egg=pkg",
            "git+https://github.com/org/repo.git@main",
            "uvloop; (sys_platform != 'win32') or extra == \"fast\"",
            "pkg==1.*",
        ];
        it.each(good)("accepts %s", (spec) => {
            expect(() => base().withPipPackages(spec)).not.toThrow();
        });

        const bad = [
            "pandas; rm -rf /",
            "pandas && curl evil.sh | sh",
            "pandas|cat",
            "$(curl evil)",
            "`id`",
            "pandas\nRUN evil",
            "pandas'",
            'pandas"',
            "pandas>=2 ; os_name == 'x'; y",
            "-e .",
            "./local/path",
            "--index-url=https://x",
            " pandas",
            "pandas==",
            "pandas @ http://x.example.com/a b",
            "pkg @ https://example.com/$HOME",
            "pkg;python_version<'3'`x`",
            "name @ https://x.example.com/a;python_version>'3'",
            "pkg; unknown_var == '1'",
            "",
        ];
        it.each(bad)("rejects %j", (spec) => {
            rejects(() => base().withPipPackages("ok", spec), "withPipPackages.packages[1]", spec);
        });

        it("names the offending index in an options object", () => {
            rejects(
                () => base().withPipPackages({ packages: ["a", "b", "c;d"] }),
                "withPipPackages.packages[2]",
                "c;d",
            );
        });
    });

    describe("apt packages", () => {
        it.each([
            "git",
            "libpq-dev",
            "g++",
            "libc6:amd64",
            "libgomp1=12.2.0-14",
            "curl=7.88.1-10+deb12u5",
            "python3.11",
            "tzdata/bookworm-backports",
        ])("accepts %s", (p) => {
            expect(() => base().withAptPackages(p)).not.toThrow();
        });
        it.each(["Git", "git; rm -rf /", "git && curl x", "a", "-y", "git\nRUN x", "$(id)", "pkg=1.0 other", "pkg'"])(
            "rejects %j",
            (p) => {
                rejects(() => base().withAptPackages("curl", p), "withAptPackages.packages[1]", p);
            },
        );
        it("requires at least one package, as separate strings", () => {
            rejects(() => base().withAptPackages(), "withAptPackages.packages", []);
            expect(
                rejects(() => base().withAptPackages(["git"] as any), "withAptPackages.packages[0]", ["git"]).message,
            ).toContain("separate arguments");
        });
    });

    describe("pip options", () => {
        it("rejects injecting index URLs and extra args", () => {
            rejects(
                () => base().withPipPackages({ packages: ["x"], indexUrl: "https://x.example.com/simple; curl evil" }),
                "withPipPackages.indexUrl",
                "https://x.example.com/simple; curl evil",
            );
            rejects(
                () => base().withPipPackages({ packages: ["x"], indexUrl: "ftp://x.com" }),
                "withPipPackages.indexUrl",
                "ftp://x.com",
            );
            rejects(
                () =>
                    base().withPipPackages({
                        packages: ["x"],
                        extraIndexUrls: ["https://ok.example.com", "https://x.example.com/$(id)"],
                    }),
                "withPipPackages.extraIndexUrls[1]",
                "https://x.example.com/$(id)",
            );
            rejects(
                () => base().withPipPackages({ packages: ["x"], extraIndexUrls: "https://a.example.com/x&&id" }),
                "withPipPackages.extraIndexUrls",
                "https://a.example.com/x&&id",
            );
            rejects(
                () => base().withPipPackages({ packages: ["x"], extraArgs: "--no-cache-dir; curl evil" }),
                "withPipPackages.extraArgs",
                "--no-cache-dir; curl evil",
            );
            rejects(
                () => base().withPipPackages({ packages: ["x"], extraArgs: "--x\n RUN evil" }),
                "withPipPackages.extraArgs",
                "--x\n RUN evil",
            );
            rejects(
                () => base().withPipPackages({ packages: ["x"], extraArgs: "'--quoted'" }),
                "withPipPackages.extraArgs",
                "'--quoted'",
            );
            rejects(() => base().withPipPackages({ packages: ["x"], pre: "yes" as any }), "withPipPackages.pre", "yes");
            expect(
                validationError(() => base().withPipPackages({ packages: ["x"], indxUrl: "https://x" } as any)).message,
            ).toBe(
                'withPipPackages.indxUrl: unknown field "indxUrl"; did you mean "indexUrl"? allowed fields: packages, indexUrl, extraIndexUrls, pre, extraArgs, secretMounts',
            );
        });
        it("validates secret mounts", () => {
            rejects(
                () => base().withPipPackages({ packages: ["x"], secretMounts: ["ok", "bad key!"] }),
                "withPipPackages.secretMounts[1].key",
                "bad key!",
            );
            rejects(
                () => base().withCommands(["x"], { secretMounts: [{ key: "k", mount: "/tmp" }] }),
                "withCommands.secretMounts[0].mount",
                "/tmp",
            );
        });
    });

    describe("environment variables", () => {
        it("rejects bad names and values with control characters", () => {
            rejects(() => base().withEnvVars({ "1ABC": "x" }), "withEnvVars.1ABC", "1ABC");
            rejects(() => base().withEnvVars({ "A B": "x" }), "withEnvVars.A B", "A B");
            rejects(() => base().withEnvVars({ "A=B": "x" }), "withEnvVars.A=B", "A=B");
            rejects(() => base().withEnvVars({ OK: "line\nRUN evil" }), "withEnvVars.OK", "line\nRUN evil");
            rejects(() => base().withEnvVars({ OK: "nul\u0000" }), "withEnvVars.OK", "nul\u0000");
            rejects(() => base().withEnvVars({ OK: 3 as any }), "withEnvVars.OK", 3);
        });
        it("accepts quotes, spaces and unicode, quoting them in the Dockerfile", () => {
            const d = base().withEnvVars({ MSG: 'say "hi" \\ bye', U: "héllo" }).dockerfile;
            expect(d).toContain('ENV MSG="say \\"hi\\" \\\\ bye"');
            expect(d).toContain('ENV U="héllo"');
        });
    });

    describe("commands", () => {
        it.each([
            "echo a\nRUN evil",
            "echo a\r\nx",
            "echo \u0000",
            "echo a \\",
            "echo a \\  ",
            "cat <<EOF",
            "cat <<-'EOF'",
            "--network=host curl x",
            "  -x",
            "",
            "   ",
        ])("rejects %j", (c) => {
            rejects(() => base().withCommands("ok", c), "withCommands.commands[1]", c);
        });
        it("accepts ordinary shell, including pipes, quotes and here-strings", () => {
            expect(() =>
                base().withCommands(
                    "curl -fsSL https://x | sh",
                    "echo 'a' && echo \"b\"",
                    "cat <<< 'x'",
                    "[ -f /x ] || touch /x",
                    "echo $HOME\tdone",
                ),
            ).not.toThrow();
        });
    });

    describe("paths", () => {
        it("workdir and destinations", () => {
            rejects(() => base().withWorkdir("/app\nRUN evil"), "withWorkdir.workdir", "/app\nRUN evil");
            rejects(() => base().withWorkdir("/my app"), "withWorkdir.workdir", "/my app");
            rejects(() => base().withWorkdir("$HOME/x"), "withWorkdir.workdir", "$HOME/x");
            rejects(() => base().withWorkdir("--flag"), "withWorkdir.workdir", "--flag");
            rejects(() => base().withSourceFile(`${FIX}/app.py`, '/app"]'), "withSourceFile.dst", '/app"]');
            rejects(() => base().withSourceFolder(`${FIX}/proj`, "/a*"), "withSourceFolder.dst", "/a*");
        });
        it("local sources must exist, be of the right kind and have plain names", () => {
            rejects(() => base().withSourceFile(`${FIX}/missing.py`), "withSourceFile.src", `${FIX}/missing.py`);
            rejects(() => base().withSourceFile(`${FIX}/proj`), "withSourceFile.src", `${FIX}/proj`);
            rejects(() => base().withSourceFile([`${FIX}/app.py`, `${FIX}/$x`]), "withSourceFile.src[1]", `${FIX}/$x`);
            rejects(() => base().withSourceFolder(`${FIX}/app.py`), "withSourceFolder.src", `${FIX}/app.py`);
            rejects(() => base().withSourceFolder(`${FIX}/*`), "withSourceFolder.src", `${FIX}/*`);
            rejects(() => base().withRequirements(`${FIX}/config.yaml`), "withRequirements.file", `${FIX}/config.yaml`);
            rejects(() => base().withRequirements(`${FIX}/nope.txt`), "withRequirements.file", `${FIX}/nope.txt`);
            rejects(
                () => base().withDockerignore(`${FIX}/requirements.txt`),
                "withDockerignore.path",
                `${FIX}/requirements.txt`,
            );
            rejects(
                () => base().withDockerignore(`${FIX}/nope/.dockerignore`),
                "withDockerignore.path",
                `${FIX}/nope/.dockerignore`,
            );
        });
    });

    describe("constructors", () => {
        it("checks versions, names, registries, platforms and unknown options", () => {
            rejects(() => Image.fromDebianBase({ python: "3.9" }), "fromDebianBase.python", "3.9");
            rejects(() => Image.fromDebianBase({ python: 3.11 as any }), "fromDebianBase.python", 3.11);
            rejects(
                () => Image.fromDebianBase({ flyteVersion: "2.12; rm" }),
                "fromDebianBase.flyteVersion",
                "2.12; rm",
            );
            rejects(() => Image.fromDebianBase({ name: "My_App" }), "fromDebianBase.name", "My_App");
            rejects(
                () => Image.fromDebianBase({ registry: "https://ghcr.io" }),
                "fromDebianBase.registry",
                "https://ghcr.io",
            );
            rejects(
                () => Image.fromDebianBase({ platform: "linux/s390x" as any }),
                "fromDebianBase.platform",
                "linux/s390x",
            );
            rejects(
                () => Image.fromDebianBase({ platform: ["linux/amd64", "windows" as any] }),
                "fromDebianBase.platform[1]",
                "windows",
            );
            expect(validationError(() => Image.fromDebianBase({ pyhton: "3.11" } as any)).message).toBe(
                'fromDebianBase.pyhton: unknown field "pyhton"; did you mean "python"? allowed fields: python, flyteVersion, installFlyte, registry, name, platform',
            );
            rejects(() => Image.fromBase("python:3.11 AS x"), "fromBase.uri", "python:3.11 AS x");
            rejects(() => Image.fromBase("python:3.11\nRUN evil"), "fromBase.uri", "python:3.11\nRUN evil");
            rejects(() => Image.fromBase(""), "fromBase.uri", "");
            rejects(
                () => Image.fromDockerfile(`${FIX}/dockerfile/Dockerfile`, { name: "UPPER" }),
                "fromDockerfile.name",
                "UPPER",
            );
            rejects(
                () => Image.fromUvScript(`${FIX}/scripts/uv_min.py`, { name: "x", registry: "bad registry" }),
                "fromUvScript.registry",
                "bad registry",
            );
            rejects(() => init({ registry: "no spaces allowed" }), "init.registry", "no spaces allowed");
            expect(validationError(() => init({ endpont: "x" } as any)).message).toBe(
                'init.endpont: unknown field "endpont"; did you mean "endpoint"? allowed fields: endpoint, registry, rootDir',
            );
        });
    });
});

describe("build secrets and index URLs (issue 8)", () => {
    useImageFixtures();
    const base = () => Image.fromDebianBase({ installFlyte: false, name: "v" });

    it("two secrets that collapse to one BuildKit id are refused", () => {
        const e = validationError(() =>
            base()
                .withPipPackages({ packages: ["x"], secretMounts: [{ group: "a", key: "b_c" }] })
                .withCommands(["echo"], { secretMounts: [{ key: "A_B_C", asEnvVar: "C" }] }),
        );
        expect(e.field).toBe("withCommands.secretMounts");
        expect(e.message).toContain("BuildKit secret id A_B_C");
        expect(
            validationError(() => base().withPipPackages({ packages: ["x"], secretMounts: ["token", "TOKEN"] }))
                .message,
        ).toContain("id TOKEN");
        // the same secret twice is one secret
        expect(
            base()
                .withPipPackages({ packages: ["x"], secretMounts: ["token"] })
                .withAptPackages({ packages: ["curl"], secretMounts: ["token"] })
                .buildSecrets.map((s) => s.id),
        ).toEqual(["TOKEN"]);
    });

    it("credentials in an index URL are refused with a hint to use a build secret, never printed", () => {
        for (const url of ["https://user:s3cr3t@pypi.example.com/simple", "https://s3cr3t@pypi.example.com/simple"]) {
            const e = validationError(() => base().withPipPackages({ packages: ["x"], indexUrl: url }));
            expect(e.field).toBe("withPipPackages.indexUrl");
            expect(e.message).toContain("build secret");
            expect(e.message).not.toContain("s3cr3t");
        }
        expect(
            validationError(() =>
                base().withPipPackages({ packages: ["x"], extraIndexUrls: ["https://u:s3cr3t@x.example.com/simple"] }),
            ).field,
        ).toBe("withPipPackages.extraIndexUrls[0]");
        expect(
            base().withPipPackages({ packages: ["x"], indexUrl: "https://pypi.example.com/simple?x=a@b" }).layers
                .length,
        ).toBeGreaterThan(0);
    });
});
