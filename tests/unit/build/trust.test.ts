/**
 * Registry lookups over HTTPS with the trust of the Docker provider's refresh: a server
 * whose certificate comes from a private CA (made here with openssl) is trusted once the
 * CA is in SSL_CERT_DIR or SSL_CERT_FILE, and refused otherwise; a plain-HTTP server is
 * refused; redirects are followed without carrying credentials to another host.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { trustedCertificates, trustedFetch } from "../../../sdk/src/build/trust";
import { inspectRemoteImage } from "../../../sdk/src/build/registry";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pf-trust-"));
const caDir = path.join(dir, "ca");
fs.mkdirSync(caDir);
const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });

function makeCa(name: string): void {
    openssl(
        "req", "-x509", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", `${name}.key`, "-subj", `/CN=${name}`,
        "-days", "2", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign",
        "-out", `${name}.crt`,
    ); // prettier-ignore
}

function makeServerCert(ca: string, name: string): void {
    fs.writeFileSync(
        path.join(dir, `${name}.ext`),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n",
    );
    openssl(
        "req",
        "-new",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        `${name}.key`,
        "-subj",
        `/CN=${name}`,
        "-out",
        `${name}.csr`,
    );
    openssl(
        "x509", "-req", "-in", `${name}.csr`, "-CA", `${ca}.crt`, "-CAkey", `${ca}.key`, "-CAcreateserial", "-days", "2",
        "-extfile", `${name}.ext`, "-out", `${name}.crt`,
    ); // prettier-ignore
}

let server: https.Server;
let other: https.Server;
let plain: http.Server;
let port: number;
let otherPort: number;
let plainPort: number;
const seen: { url: string; auth?: string }[] = [];

function listen(s: net.Server): Promise<number> {
    return new Promise((resolve) => s.listen(0, "127.0.0.1", () => resolve((s.address() as net.AddressInfo).port)));
}

beforeAll(async () => {
    makeCa("ca");
    makeCa("stranger-ca");
    makeServerCert("ca", "server");
    fs.copyFileSync(path.join(dir, "ca.crt"), path.join(caDir, "ca.crt"));
    const creds = {
        key: fs.readFileSync(path.join(dir, "server.key")),
        cert: fs.readFileSync(path.join(dir, "server.crt")),
    };
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
        seen.push({ url: `${req.headers.host}${req.url}`, auth: req.headers.authorization });
        if (req.url === "/redirect-same") return res.writeHead(307, { location: "/v2/" }).end();
        if (req.url === "/redirect-other")
            return res.writeHead(307, { location: `https://localhost:${otherPort}/v2/` }).end();
        if (req.url?.startsWith("/v2/app/manifests/"))
            return res
                .writeHead(200, {
                    "docker-content-digest": "sha256:" + "d".repeat(64),
                    "content-type": "application/json",
                })
                .end(JSON.stringify({ schemaVersion: 2 }));
        return res.writeHead(200, { "content-type": "application/json" }).end("{}");
    };
    server = https.createServer(creds, handler);
    other = https.createServer(creds, handler);
    plain = http.createServer(handler);
    [port, otherPort, plainPort] = await Promise.all([listen(server), listen(other), listen(plain)]);
});

afterAll(async () => {
    await Promise.all([server, other, plain].map((s) => new Promise((r) => s.close(r))));
    fs.rmSync(dir, { recursive: true, force: true });
});

const noSystem = { SSL_CERT_FILE: "/nonexistent" };
const errorCode = (p: Promise<unknown>) => p.then(() => "ok", (e) => e.code ?? e.cause?.code ?? e.name); // prettier-ignore

describe("trusted registry fetch", () => {
    it("trusts a private CA given in SSL_CERT_DIR (as Go reads it), with the system bundle kept", async () => {
        const fetch = trustedFetch({ SSL_CERT_DIR: `/nonexistent:${caDir}` });
        expect((await fetch(`https://127.0.0.1:${port}/v2/`)).status).toBe(200);
        expect((await fetch(`https://localhost:${port}/v2/`)).status).toBe(200);
        const certs = trustedCertificates({ SSL_CERT_DIR: caDir });
        expect(certs).toContain(fs.readFileSync(path.join(caDir, "ca.crt"), "utf8").trim());
    });

    it("trusts a private CA given in SSL_CERT_FILE or NODE_EXTRA_CA_CERTS", async () => {
        const file = path.join(dir, "ca.crt");
        expect((await trustedFetch({ SSL_CERT_FILE: file })(`https://127.0.0.1:${port}/v2/`)).status).toBe(200);
        const extra = trustedFetch({ ...noSystem, NODE_EXTRA_CA_CERTS: file });
        expect((await extra(`https://127.0.0.1:${port}/v2/`)).status).toBe(200);
    });

    it("refuses a certificate of a CA it was not given, and a server that speaks plain HTTP", async () => {
        expect(await errorCode(trustedFetch(noSystem)(`https://127.0.0.1:${port}/v2/`))).toBe(
            "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
        );
        const stranger = trustedFetch({ SSL_CERT_FILE: path.join(dir, "stranger-ca.crt") });
        expect(await errorCode(stranger(`https://127.0.0.1:${port}/v2/`))).toBe("UNABLE_TO_VERIFY_LEAF_SIGNATURE");
        expect(await errorCode(trustedFetch({ SSL_CERT_DIR: caDir })(`https://127.0.0.1:${plainPort}/v2/`))).toBe(
            "EPROTO",
        );
    });

    it("follows redirects, dropping the credentials when one leaves the host", async () => {
        const fetch = trustedFetch({ SSL_CERT_DIR: caDir });
        seen.length = 0;
        const headers = { Authorization: "Bearer t0k" };
        expect((await fetch(`https://127.0.0.1:${port}/redirect-same`, { headers })).status).toBe(200);
        expect((await fetch(`https://127.0.0.1:${port}/redirect-other`, { headers })).status).toBe(200);
        expect(seen.map((s) => s.auth)).toEqual(["Bearer t0k", "Bearer t0k", "Bearer t0k", undefined]);
    });

    it("gives up when its signal aborts (a timeout)", async () => {
        const sockets: net.Socket[] = [];
        const silent = net.createServer((socket) => void sockets.push(socket));
        const silentPort = await listen(silent);
        const fetch = trustedFetch({ SSL_CERT_DIR: caDir });
        const name = await fetch(`https://127.0.0.1:${silentPort}/v2/`, { signal: AbortSignal.timeout(200) }).then(
            () => "ok",
            (e) => e.name,
        );
        expect(name).toBe("TimeoutError");
        sockets.forEach((socket) => socket.destroy());
        await new Promise((r) => silent.close(r));
    });

    it("is what the registry lookup uses: over HTTPS, loopback registries too", async () => {
        const saved = process.env.SSL_CERT_DIR;
        process.env.SSL_CERT_DIR = caDir;
        try {
            const info = await inspectRemoteImage(`127.0.0.1:${port}/app:v1`, { dockerConfigDir: dir });
            expect(info?.digest).toBe("sha256:" + "d".repeat(64));
            await expect(inspectRemoteImage(`127.0.0.1:${plainPort}/app:v1`, { dockerConfigDir: dir })).rejects.toThrow(
                /^TLS: 127\.0\.0\.1:\d+ did not answer with TLS \(EPROTO: a plain-HTTP server\?\); registries are read over HTTPS, checked against this machine's trust store/,
            );
            process.env.SSL_CERT_DIR = "/nonexistent";
            await expect(inspectRemoteImage(`127.0.0.1:${port}/app:v1`, { dockerConfigDir: dir })).rejects.toThrow(
                /^TLS: the certificate of 127\.0\.0\.1:\d+ was not accepted \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\); .*add its CA there \(README: Private registries\)$/,
            );
        } finally {
            if (saved === undefined) delete process.env.SSL_CERT_DIR;
            else process.env.SSL_CERT_DIR = saved;
        }
    });
});
