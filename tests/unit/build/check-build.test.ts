/**
 * The pre-build checks' pure parts: a failed build's log explained in a user's terms,
 * the Docker daemon's endpoint and its ping (against sockets this test opens and closes).
 */
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import {
    buildFailureMessage,
    describeStep,
    dockerDownMessage,
    dockerEndpoint,
    explainBuildLog,
    isLocalDaemon,
    pingDocker,
} from "../../../sdk/src/build/check-build";

// `docker-buildx build --progress plain` with dockerd 20.10's BuildKit, a pip package that does not exist (abridged)
const PIP_FAILURE = `#0 building with "default" instance using docker driver

#4 [stage-0 1/3] FROM 127.0.0.1:30000/library/python:3.11-slim-bookworm
#4 CACHED

#5 [stage-0 2/3] RUN if [ ! -x /opt/venv/bin/python ]; then python3 -m venv /opt/venv; fi
#5 DONE 17.4s

#6 [stage-0 3/3] RUN --mount=type=cache,target=/root/.cache/pip,sharing=locked --mount=type=secret,id=PYPI_TOKEN,target=/run/secrets/PYPI_TOKEN,required=true export PYPI_TOKEN="$(cat /run/secrets/PYPI_TOKEN)" && /opt/venv/bin/python -m pip install no-such-pkg
#6 1.002 Looking in indexes: https://example.com/simple
#6 2.077 ERROR: Could not find a version that satisfies the requirement no-such-pkg (from versions: none)
#6 2.082 ERROR: No matching distribution found for no-such-pkg
#6 ERROR: executor failed running [/bin/sh -c export PYPI_TOKEN="$(cat /run/secrets/PYPI_TOKEN)" && /opt/venv/bin/python -m pip install no-such-pkg]: exit code: 1
------
 > [stage-0 3/3] RUN --mount=type=cache,target=/root/.cache/pip,sharing=locked --mount=type=secret,id=PYPI_TOKEN,target=/run/secrets/PYPI_TOKEN,required=true export PYPI_TOKEN="$(cat /run/secrets/PYPI_TOKEN)" && /opt/venv/bin/python -m pip install no-such-pkg:
1.002 Looking in indexes: https://example.com/simple
2.077 ERROR: Could not find a version that satisfies the requirement no-such-pkg (from versions: none)
2.082 ERROR: No matching distribution found for no-such-pkg
------
ERROR: failed to solve: executor failed running [/bin/sh -c export PYPI_TOKEN="$(cat /run/secrets/PYPI_TOKEN)" && /opt/venv/bin/python -m pip install no-such-pkg]: exit code: 1
`;

describe("a failed build's log", () => {
    test("names the failing step as written (our mounts, secret exports and venv path left out), its exit code and last output lines", () => {
        const f = explainBuildLog(PIP_FAILURE);
        expect(f).toMatchObject({ step: "pip install no-such-pkg", position: "3/3", exitCode: 1 });
        expect(f.lastLines).toEqual([
            "Looking in indexes: https://example.com/simple",
            "ERROR: Could not find a version that satisfies the requirement no-such-pkg (from versions: none)",
            "ERROR: No matching distribution found for no-such-pkg",
        ]);
        expect(buildFailureMessage("127.0.0.1:30000/app:abc", f)).toBe(
            [
                "the build step `pip install no-such-pkg` (step 3/3 of the Dockerfile) failed with exit code 1; its last output lines:",
                "    | Looking in indexes: https://example.com/simple",
                "    | ERROR: Could not find a version that satisfies the requirement no-such-pkg (from versions: none)",
                "    | ERROR: No matching distribution found for no-such-pkg",
                "Nothing was pushed for 127.0.0.1:30000/app:abc. Fix the step (a package name or version, an index URL, a command), then run `pulumi up` again",
            ].join("\n"),
        );
    });

    test("newer BuildKit's wording (process ... did not complete successfully) and a limit on the lines", () => {
        const log = [
            "------",
            " > [app 2/4] RUN apt-get update     && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends curl nope     && rm -rf /var/lib/apt/lists/*:",
            ...Array.from({ length: 15 }, (_, i) => `0.${i} line ${i + 1}`),
            "------",
            'ERROR: failed to solve: process "/bin/sh -c apt-get update ..." did not complete successfully: exit code: 100',
        ].join("\n");
        const f = explainBuildLog(log, 3);
        expect(f).toMatchObject({
            step: "apt-get install curl nope",
            position: "2/4",
            exitCode: 100,
            lastLines: ["line 13", "line 14", "line 15"],
        });
    });

    test("a failure outside a step (the base image) keeps BuildKit's error", () => {
        const f = explainBuildLog(
            "#3 [internal] load metadata for 127.0.0.1:30000/library/nope:1\n#3 ERROR: not found\nERROR: failed to solve: 127.0.0.1:30000/library/nope:1: not found\n",
        );
        expect(f.step).toBeUndefined();
        expect(buildFailureMessage("r/app:1", f)).toContain(
            "the build of r/app:1 failed: failed to solve: 127.0.0.1:30000/library/nope:1: not found",
        );
    });

    test.each([
        ['RUN --mount=type=secret,id=A,target=/run/secrets/A export A="$(cat /run/secrets/A)" && make all', "make all"],
        ["COPY layer-3/ /root/src", "COPY layer-3/ /root/src"],
    ])("describeStep(%j)", (instruction, expected) => {
        expect(describeStep(instruction)).toBe(expected);
    });
});

describe("the Docker daemon", () => {
    test("its endpoint: docker-build:host, then DOCKER_HOST, then docker's default unless a docker context is current", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pf-docker-config-"));
        try {
            expect(dockerEndpoint("tcp://10.0.0.1:2375", { DOCKER_HOST: "unix:///x.sock" }, dir)).toBe(
                "tcp://10.0.0.1:2375",
            );
            expect(dockerEndpoint(undefined, { DOCKER_HOST: "unix:///x.sock" }, dir)).toBe("unix:///x.sock");
            expect(dockerEndpoint(undefined, {}, dir)).toBe("unix:///var/run/docker.sock");
            expect(dockerEndpoint(undefined, { DOCKER_CONTEXT: "remote" }, dir)).toBeUndefined();
            fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify({ currentContext: "colima" }));
            expect(dockerEndpoint(undefined, {}, dir)).toBeUndefined();
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
        expect([
            isLocalDaemon("unix:///var/run/docker.sock"),
            isLocalDaemon("tcp://127.0.0.1:2375"),
            isLocalDaemon("tcp://build-host:2376"),
            isLocalDaemon("ssh://me@host"),
            isLocalDaemon(undefined),
        ]).toEqual([true, true, false, false, false]);
    });

    test("a ping: a socket that answers is up; a missing socket and a closed port say what is wrong", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pf-docker-sock-"));
        const socket = path.join(dir, "docker.sock");
        const server = http.createServer((_, res) => res.end("OK"));
        await new Promise<void>((r) => server.listen(socket, r));
        try {
            expect(await pingDocker(`unix://${socket}`)).toBeUndefined();
            expect(await pingDocker(`unix://${dir}/missing.sock`)).toBe(
                `nothing listens at unix://${dir}/missing.sock (the socket does not exist)`,
            );
            // a port that was just free
            const probe = http.createServer();
            await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
            const port = (probe.address() as any).port;
            await new Promise((r) => probe.close(r));
            expect(await pingDocker(`tcp://127.0.0.1:${port}`)).toBe(`tcp://127.0.0.1:${port} refused the connection`);
        } finally {
            await new Promise((r) => server.close(r));
            fs.rmSync(dir, { recursive: true, force: true });
        }
        expect(dockerDownMessage("r/app:1", "unix:///var/run/docker.sock", "x")).toBe(
            "the Docker daemon is not running: x; nothing was built or pushed for r/app:1. Start it (e.g. `sudo systemctl start docker`, or Docker Desktop), then run `pulumi up` again",
        );
    });
});
