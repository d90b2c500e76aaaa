import * as fs from "fs";
import { DOCKERFILE_HEADER, Image, mirrorOf, normaliseReference, renderDockerfile } from "../../../sdk/src/core/image";
import { Secret } from "../../../sdk/src/core/secret";
import { FIX, validationError, useImageFixtures } from "./helpers";

const DEBIAN_PRELUDE = `FROM python:3.11-slim-bookworm
USER root
LABEL org.opencontainers.image.authors='Union.AI <info@union.ai>'
LABEL org.opencontainers.image.source=https://github.com/flyteorg/flyte
RUN if ! id -u flyte >/dev/null 2>&1; then useradd --create-home --shell /bin/bash flyte; fi && mkdir -p /home/flyte && chown -R flyte:flyte /home/flyte && chown -R flyte:flyte /root
WORKDIR /home/flyte
ENV VIRTUAL_ENV="/opt/venv"
ENV PATH="/opt/venv/bin:$PATH"
ENV PYTHONPATH="/root"
ENV UV_LINK_MODE="copy"
RUN apt-get update \\
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends build-essential ca-certificates \\
    && rm -rf /var/lib/apt/lists/*
`;

const MIRRORS = {
    "python:3.11-slim-bookworm": "127.0.0.1:30000/library/python:3.11-slim-bookworm",
};

describe("generated Dockerfile", () => {
    useImageFixtures();

    it("Flyte's Debian base without flyte, with every common layer", () => {
        const img = Image.fromDebianBase({ installFlyte: false, name: "app" })
            .withAptPackages("git")
            .withPipPackages({
                packages: ["pandas>=2,<3", 'tomli; python_version < "3.11"'],
                indexUrl: "https://example.com/simple",
                extraIndexUrls: ["https://example.com/simple?x=1"],
                pre: true,
                extraArgs: "--no-cache-dir",
                secretMounts: ["GITHUB_PAT", new Secret({ key: "netrc", group: "ci", mount: "/etc/flyte/secrets" })],
            })
            .withEnvVars({ MODE: "prod" })
            .withWorkdir("/home/flyte/app")
            .withSourceFolder(`${FIX}/proj2`)
            .withCommands("python -c 'print(1)'");
        expect(img.dockerfile).toBe(`${DOCKERFILE_HEADER}
${DEBIAN_PRELUDE}RUN apt-get update \\
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends git \\
    && rm -rf /var/lib/apt/lists/*
RUN if [ ! -x /opt/venv/bin/python ]; then python3 -m venv /opt/venv; fi
RUN --mount=type=cache,target=/root/.cache/pip,sharing=locked --mount=type=secret,id=GITHUB_PAT,target=/run/secrets/GITHUB_PAT,required=true --mount=type=secret,id=CI_NETRC,target=/etc/flyte/secrets/ci/netrc,required=true export GITHUB_PAT="$(cat /run/secrets/GITHUB_PAT)" && /opt/venv/bin/python -m pip install --index-url https://example.com/simple --extra-index-url 'https://example.com/simple?x=1' --pre --no-cache-dir 'pandas>=2,<3' 'tomli; python_version < "3.11"'
ENV MODE="prod"
RUN if [ ! -d /home/flyte/app ]; then mkdir -p /home/flyte/app && chown flyte:flyte /home/flyte/app; fi
WORKDIR /home/flyte/app
COPY --chown=flyte:flyte ["layer-9", "./proj2"]
RUN python -c 'print(1)'
USER flyte
ENV _F_IMG_ID=${img.uri}
`);
    });

    it("a workdir is created for Flyte's non-root user (WORKDIR alone would make it root's); without that user, WORKDIR as is", () => {
        const withUser = Image.fromDebianBase().withWorkdir("/app").dockerfile;
        expect(withUser).toContain(
            "RUN if [ ! -d /app ]; then mkdir -p /app && chown flyte:flyte /app; fi\nWORKDIR /app\n",
        );
        // Flyte's own home is already the user's: its WORKDIR line stays alone
        expect(withUser).toContain(
            "RUN if ! id -u flyte >/dev/null 2>&1; then useradd --create-home --shell /bin/bash flyte; fi && mkdir -p /home/flyte && chown -R flyte:flyte /home/flyte && chown -R flyte:flyte /root\nWORKDIR /home/flyte\n",
        );
        const noUser = Image.fromBase("python:3.12-slim")
            .clone({ name: "x", registry: "r.example.com", extendable: true })
            .withWorkdir("/srv/app").dockerfile;
        expect(noUser).toContain("\nWORKDIR /srv/app\n");
        expect(noUser).not.toContain("chown");
    });

    it("recreates Flyte's released default image offline (python slim + defaults + pip install flyte)", () => {
        const img = Image.fromDebianBase().withPipPackages("requests");
        expect(img.renderDockerfile({ baseImageMirrors: MIRRORS })).toBe(`${DOCKERFILE_HEADER}
${DEBIAN_PRELUDE.replace("FROM python:3.11-slim-bookworm", "FROM 127.0.0.1:30000/library/python:3.11-slim-bookworm")}RUN if [ ! -x /opt/venv/bin/python ]; then python3 -m venv /opt/venv; fi
RUN --mount=type=cache,target=/root/.cache/pip,sharing=locked /opt/venv/bin/python -m pip install flyte==2.12.1
RUN --mount=type=cache,target=/root/.cache/pip,sharing=locked /opt/venv/bin/python -m pip install requests
USER flyte
ENV _F_IMG_ID=${img.uri}
`);
    });

    it("uses a mirror of the released image when one is given", () => {
        const img = Image.fromDebianBase({ python: "3.12" }).withPipPackages("requests");
        const mirrors = { "ghcr.io/flyteorg/flyte:py3.12-v2.12.1": "127.0.0.1:30000/flyteorg/flyte:py3.12-v2.12.1" };
        expect(img.renderDockerfile({ baseImageMirrors: mirrors })).toBe(`${DOCKERFILE_HEADER}
FROM 127.0.0.1:30000/flyteorg/flyte:py3.12-v2.12.1
USER root
RUN --mount=type=cache,target=/root/.cache/pip,sharing=locked /opt/venv/bin/python -m pip install requests
USER flyte
ENV _F_IMG_ID=${img.uri}
`);
    });

    it("a cloned fromBase image: venv created before the first pip layer, no flyte user, no chown", () => {
        const img = Image.fromBase("python:3.11-slim-bookworm")
            .clone({ name: "custom", extendable: true })
            .withAptPackages({
                packages: ["curl"],
                secretMounts: [new Secret({ key: "apt-auth", mount: "/etc/flyte/secrets" })],
            })
            .withRequirements(`${FIX}/requirements.txt`, { secretMounts: "GITHUB_PAT" })
            .withSourceFile(`${FIX}/app.py`, "/app/")
            .withLocalV2({ distDir: `${FIX}/wheels` })
            .withCommands(["echo done"], { secretMounts: [new Secret({ key: "tok", group: "ci", asEnvVar: "TOKEN" })] })
            .withDockerignore(`${FIX}/.dockerignore`);
        expect(
            renderDockerfile(img, {
                baseImageMirrors: { "docker.io/library/python:3.11-slim-bookworm": "mirror.local/python:3.11" },
            }),
        ).toBe(`${DOCKERFILE_HEADER}
FROM mirror.local/python:3.11
USER root
RUN --mount=type=secret,id=APT-AUTH,target=/etc/flyte/secrets/apt-auth,required=true apt-get update \\
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends curl \\
    && rm -rf /var/lib/apt/lists/*
RUN if [ ! -x /opt/venv/bin/python ]; then python3 -m venv /opt/venv; fi
ENV VIRTUAL_ENV=/opt/venv
ENV PATH="/opt/venv/bin:$PATH"
RUN --mount=type=cache,target=/root/.cache/pip,sharing=locked --mount=type=bind,source=layer-1/requirements.txt,target=/tmp/flyte-build/layer-1/requirements.txt --mount=type=secret,id=GITHUB_PAT,target=/run/secrets/GITHUB_PAT,required=true export GITHUB_PAT="$(cat /run/secrets/GITHUB_PAT)" && /opt/venv/bin/python -m pip install --requirement /tmp/flyte-build/layer-1/requirements.txt
COPY ["layer-2/app.py", "/app/"]
RUN --mount=type=cache,target=/root/.cache/pip,sharing=locked --mount=type=bind,source=layer-3,target=/tmp/flyte-build/layer-3 /opt/venv/bin/python -m pip install --find-links /tmp/flyte-build/layer-3 flyte
RUN --mount=type=cache,target=/root/.cache/pip,sharing=locked --mount=type=bind,source=layer-3,target=/tmp/flyte-build/layer-3 /opt/venv/bin/python -m pip install --find-links /tmp/flyte-build/layer-3 --no-deps --no-index --force-reinstall flyte
RUN --mount=type=secret,id=CI_TOK,target=/run/secrets/CI_TOK,required=true export TOKEN="$(cat /run/secrets/CI_TOK)" && echo done
ENV _F_IMG_ID=${img.uri}
`);
    });

    it("a uv script installs its declared dependencies with the layer's pip options", () => {
        const img = Image.fromUvScript(`${FIX}/scripts/uv_full.py`, { name: "uvapp", extraArgs: "--no-cache-dir" });
        expect(img.dockerfile).toBe(`${DOCKERFILE_HEADER}
${DEBIAN_PRELUDE}RUN if [ ! -x /opt/venv/bin/python ]; then python3 -m venv /opt/venv; fi
RUN --mount=type=cache,target=/root/.cache/pip,sharing=locked /opt/venv/bin/python -m pip install --no-cache-dir 'httpx>=0.27' 'rich[jupyter]==13.7.1' 'tomli; python_version < "3.11"'
USER flyte
ENV _F_IMG_ID=${img.uri}
`);
    });

    it("fromDockerfile: the user's file, FROM lines rewritten to mirrors only", () => {
        const img = Image.fromDockerfile(`${FIX}/dockerfile/Dockerfile`, { name: "byod" });
        const original = fs.readFileSync(`${FIX}/dockerfile/Dockerfile`, "utf8");
        expect(img.dockerfile).toBe(original);
        expect(img.renderDockerfile({ baseImageMirrors: MIRRORS })).toBe(
            original.replace("FROM python:3.11-slim-bookworm", `FROM ${MIRRORS["python:3.11-slim-bookworm"]}`),
        );
    });

    it("never writes a secret value, ARG or secret ENV; exposes secrets as files for one step; quotes every package", () => {
        const img = Image.fromDebianBase({ installFlyte: false, name: "s" })
            .withPipPackages({ packages: ["a[b]>=1"], secretMounts: ["API_TOKEN"] })
            .withAptPackages({ packages: ["git"], secretMounts: ["API_TOKEN"] });
        const d = img.dockerfile;
        expect(d).not.toMatch(/^ARG /m);
        expect(d).not.toMatch(/^ENV API_TOKEN/m);
        expect(d).toContain("'a[b]>=1'");
        expect(
            d.match(
                /--mount=type=secret,id=API_TOKEN,target=\/run\/secrets\/API_TOKEN,required=true export API_TOKEN="\$\(cat \/run\/secrets\/API_TOKEN\)" && /g,
            ),
        ).toHaveLength(2);
        // the same secret twice in one step is mounted once
        const twice = Image.fromDebianBase({ installFlyte: false, name: "s" }).withCommands(["x"], {
            secretMounts: ["API_TOKEN", new Secret({ key: "API_TOKEN" })],
        });
        expect(twice.dockerfile).toContain(
            'RUN --mount=type=secret,id=API_TOKEN,target=/run/secrets/API_TOKEN,required=true export API_TOKEN="$(cat /run/secrets/API_TOKEN)" && x\n',
        );
    });

    it("every instruction starts a line: nothing given can open a new instruction", () => {
        const img = Image.fromDebianBase({ installFlyte: false, name: "s" })
            .withEnvVars({ A: 'x" \\ RUN evil' })
            .withCommands("echo 'RUN evil'")
            .withPipPackages("pkg");
        const instructions = img.dockerfile
            .split("\n")
            .filter((l) => l && !l.startsWith("#") && !l.startsWith("    &&"))
            .map((l) => l.split(" ")[0]);
        expect(new Set(instructions)).toEqual(new Set(["FROM", "USER", "LABEL", "RUN", "WORKDIR", "ENV"]));
    });

    it("mirror lookup matches exact or Docker Hub-normalised references", () => {
        expect(normaliseReference("python:3.11")).toBe("docker.io/library/python:3.11");
        expect(normaliseReference("bitnami/redis:7")).toBe("docker.io/bitnami/redis:7");
        expect(normaliseReference("ghcr.io/x/y:1")).toBe("ghcr.io/x/y:1");
        expect(normaliseReference("localhost/y:1")).toBe("localhost/y:1");
        expect(mirrorOf("docker.io/library/python:3.11", { "python:3.11": "m" })).toBe("m");
        expect(mirrorOf("python:3.11", { "index.docker.io/library/python:3.11": "m" })).toBe("m");
        expect(mirrorOf("python:3.12", { "python:3.11": "m" })).toBeUndefined();
        const e = validationError(() =>
            Image.fromDebianBase()
                .withPipPackages("x")
                .renderDockerfile({ baseImageMirrors: { "python:3.11": "bad mirror\nRUN x" } }),
        );
        expect(e.field).toBe("baseImageMirrors.python:3.11");
    });
});
