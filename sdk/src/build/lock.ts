import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { createHash } from "crypto";

/*
 * One build of an image tag at a time on this machine: stacks updated at once that need
 * the same image take turns for the registry lookup, the build and the push, so the
 * second finds the image the first pushed instead of pushing the same tag at the same
 * time (the registry then served a digest one of them deployed with HTTP 500). The lock
 * is a file created exclusively (O_EXCL) in a directory every program of this machine
 * shares; it names its holder, and a holder that died (its process is gone) loses it.
 */

/** Who holds a lock: written into the lock file. */
export interface LockHolder {
    /** What holds it, in the user's terms ("stack quickstart/prod"). */
    owner: string;
    pid: number;
    host: string;
    /** When it was taken (ms since the epoch). */
    since: number;
}

export interface LockOptions {
    /** Where lock files live (default: $PULUMI_FLYTE_LOCK_DIR, else <tmpdir>/pulumi-flyte/locks). */
    dir?: string;
    /** How long to wait for another holder before giving up (default 30 minutes). */
    timeoutMs?: number;
    /** Polling interval (default 250 ms). */
    pollMs?: number;
    /** Called once when the lock is held by another holder (to say who we wait for). */
    onWait?: (holder: LockHolder) => void;
}

/** A held lock: `release()` removes it (idempotent); it is also removed when the process exits. */
export interface HeldLock {
    readonly file: string;
    /** How long acquiring took (ms), waiting included. */
    readonly waitedMs: number;
    release(): void;
}

/** The lock directory every program of this machine shares. */
export function lockDirectory(): string {
    return process.env.PULUMI_FLYTE_LOCK_DIR ?? path.join(os.tmpdir(), "pulumi-flyte", "locks");
}

/** The lock file of a key (an image reference): a hash, so any reference makes a file name. */
export function lockFile(dir: string, key: string): string {
    return path.join(dir, `${createHash("sha256").update(key).digest("hex").slice(0, 32)}.lock`);
}

/** Is the holder's process gone (on this machine)? A holder of another machine is never presumed dead. */
function holderGone(holder: LockHolder | undefined): boolean {
    if (!holder) return true;
    if (holder.host !== os.hostname()) return false;
    if (holder.pid === process.pid) return false;
    try {
        process.kill(holder.pid, 0);
        return false;
    } catch (err) {
        return (err as NodeJS.ErrnoException).code === "ESRCH";
    }
}

function readHolder(file: string): LockHolder | undefined {
    try {
        return JSON.parse(fs.readFileSync(file, "utf8")) as LockHolder;
    } catch {
        return undefined; // being written, or gone
    }
}

/** A lock that could not be had in time: names who holds it. */
export class LockTimeoutError extends Error {
    constructor(
        readonly key: string,
        readonly holder: LockHolder | undefined,
        timeoutMs: number,
    ) {
        super(
            `${key} is still locked after ${Math.round(timeoutMs / 1000)}s` +
                (holder
                    ? ` by ${holder.owner} (pid ${holder.pid} on ${holder.host}, since ${new Date(holder.since).toISOString()})`
                    : ""),
        );
        this.name = "LockTimeoutError";
    }
}

/**
 * Takes the lock of `key` for `owner`, waiting while another live holder has it. A lock
 * whose holder died is taken over; a lock file without a readable holder for longer than
 * a poll (a writer that died between create and write) too.
 */
export async function acquireLock(key: string, owner: string, options: LockOptions = {}): Promise<HeldLock> {
    const dir = options.dir ?? lockDirectory();
    const timeoutMs = options.timeoutMs ?? 30 * 60_000;
    const pollMs = options.pollMs ?? 250;
    fs.mkdirSync(dir, { recursive: true });
    const file = lockFile(dir, key);
    const start = Date.now();
    let told = false;
    let unreadableSince: number | undefined;
    for (;;) {
        const me: LockHolder = { owner, pid: process.pid, host: os.hostname(), since: Date.now() };
        try {
            const fd = fs.openSync(file, "wx", 0o644);
            try {
                fs.writeSync(fd, JSON.stringify({ key, ...me }));
            } finally {
                fs.closeSync(fd);
            }
            let released = false;
            const release = () => {
                if (released) return;
                released = true;
                process.removeListener("exit", release);
                process.setMaxListeners(Math.max(10, process.getMaxListeners() - 1));
                // only our own lock file (a taken-over one is another holder's now)
                if (readHolder(file)?.pid === process.pid) fs.rmSync(file, { force: true });
            };
            // a preview, a failed or an interrupted run leaves no lock behind
            process.setMaxListeners(process.getMaxListeners() + 1);
            process.on("exit", release);
            return { file, waitedMs: Date.now() - start, release };
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
        }
        const holder = readHolder(file);
        if (holder === undefined) unreadableSince ??= Date.now();
        else unreadableSince = undefined;
        const stale = holder ? holderGone(holder) : Date.now() - (unreadableSince ?? Date.now()) > pollMs * 4;
        if (stale) {
            // take over: remove it only if it is still the file we judged
            if (JSON.stringify(readHolder(file)) === JSON.stringify(holder)) fs.rmSync(file, { force: true });
            continue;
        }
        if (holder && !told) {
            told = true;
            options.onWait?.(holder);
        }
        if (Date.now() - start >= timeoutMs) throw new LockTimeoutError(key, holder, timeoutMs);
        await new Promise((res) => setTimeout(res, pollMs));
    }
}
