/**
 * The build lock: one holder per image reference on this machine, across processes; a
 * holder that died loses it; a wait that lasts too long names the holder.
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LockHolder, LockTimeoutError, acquireLock, lockFile } from "../../../sdk/src/build/lock";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pf-lock-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const KEY = "localhost:30000/app:0123";

describe("build lock", () => {
    it("is held by one at a time: the second waits for the release and is told who holds it", async () => {
        const first = await acquireLock(KEY, "stack p/dev", { dir, pollMs: 20 });
        const told: LockHolder[] = [];
        let secondHas = false;
        const second = acquireLock(KEY, "stack p/prod", { dir, pollMs: 20, onWait: (h) => told.push(h) }).then((l) => {
            secondHas = true;
            return l;
        });
        await new Promise((r) => setTimeout(r, 150));
        expect(secondHas).toBe(false);
        expect(told.map((h) => [h.owner, h.pid])).toEqual([["stack p/dev", process.pid]]);
        first.release();
        const lock = await second;
        expect(lock.waitedMs).toBeGreaterThanOrEqual(100);
        expect(JSON.parse(fs.readFileSync(lock.file, "utf8")).owner).toBe("stack p/prod");
        lock.release();
        expect(fs.existsSync(lock.file)).toBe(false);
    });

    it("locks across processes, and a lock whose holder died is taken over", async () => {
        // another process takes the lock and holds it for a second
        const script = `
            const { acquireLock } = require(${JSON.stringify(path.resolve(__dirname, "../../../sdk/src/build/lock.ts"))});
            acquireLock(${JSON.stringify(KEY)}, "stack p/other", { dir: ${JSON.stringify(dir)} }).then((l) => {
                console.log("held");
                setTimeout(() => { l.release(); process.exit(0); }, 1000);
            });`;
        const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], {
            cwd: path.resolve(__dirname, "../../.."),
            stdio: ["ignore", "pipe", "inherit"],
        });
        await new Promise<void>((r) => child.stdout!.on("data", (d) => String(d).includes("held") && r()));
        const t0 = Date.now();
        const lock = await acquireLock(KEY, "stack p/dev", { dir, pollMs: 20 });
        expect(Date.now() - t0).toBeGreaterThan(500);
        lock.release();

        // a holder that died without releasing: its lock file names a pid that is gone
        const dead = spawnSync(process.execPath, ["-e", "0"]).pid!;
        fs.writeFileSync(
            lockFile(dir, KEY),
            JSON.stringify({ owner: "stack p/killed", pid: dead, host: os.hostname(), since: Date.now() }),
        );
        const taken = await acquireLock(KEY, "stack p/dev", { dir, pollMs: 20, timeoutMs: 2000 });
        expect(JSON.parse(fs.readFileSync(taken.file, "utf8")).owner).toBe("stack p/dev");
        taken.release();
    });

    it("gives up after its timeout, naming the holder", async () => {
        const held = await acquireLock(KEY, "stack p/dev", { dir });
        const err = await acquireLock(KEY, "stack p/prod", { dir, pollMs: 20, timeoutMs: 100 }).catch((e) => e);
        expect(err).toBeInstanceOf(LockTimeoutError);
        expect(err.message).toMatch(
            new RegExp(`^${KEY} is still locked after 0s by stack p/dev \\(pid ${process.pid} on .*, since .*\\)$`),
        );
        held.release();
    });

    it("keys are image references: another tag is another lock", async () => {
        const a = await acquireLock(KEY, "a", { dir });
        const b = await acquireLock(`${KEY}x`, "b", { dir, timeoutMs: 100 });
        expect(a.file).not.toBe(b.file);
        a.release();
        b.release();
    });
});
