import * as fs from "fs";
import { ValidationError } from "../errors";
import { compareCodePoints, joinPosix, normPath, pathParent } from "./pycompat";

/** Decides whether a path (as walked, e.g. "src/pkg/a.py") is excluded. */
export interface IgnoreLike {
    isIgnored(path: string): boolean;
}

/** One file of a source layer: where it is read from and its path relative to the layer's source. */
export interface SourceFile {
    /** Path to read, as walked (relative to the working directory when the source was). */
    readonly path: string;
    /** Relative to the source folder ("/"-separated); the file's own name for a single file. */
    readonly rel: string;
}

/**
 * The files of a source file or folder, in the exact order flyte-sdk hashes them
 * (`update_hasher_for_source`): a pre-order walk where each directory's files come
 * first, sorted by name, then its subdirectories in directory-listing order
 * (`os.walk`, which does not sort them). Ignored directories are pruned, symlinked
 * directories are listed but not entered, and files that do not exist (broken
 * links) or are sockets are skipped. The same list is copied into build contexts,
 * so what is hashed is exactly what is built.
 */
export function listSourceFiles(source: string, ignore?: IgnoreLike): SourceFile[] {
    const src = normPath(source);
    const out: SourceFile[] = [];
    if (isDir(src)) walk(src, "", ignore, out);
    else addFile(src, baseNameOf(src), ignore, out);
    return out;
}

function baseNameOf(p: string): string {
    const i = p.lastIndexOf("/");
    return i < 0 ? p : p.slice(i + 1);
}

function addFile(path: string, rel: string, ignore: IgnoreLike | undefined, out: SourceFile[]): void {
    let st: fs.Stats;
    try {
        st = fs.statSync(path);
    } catch {
        return; // os.path.exists() is False: broken link or vanished file
    }
    if (st.isSocket()) return;
    if (ignore && ignore.isIgnored(normPath(path))) return;
    out.push(Object.freeze({ path, rel }));
}

function walk(top: string, relTop: string, ignore: IgnoreLike | undefined, out: SourceFile[]): void {
    const dirs: string[] = [];
    const files: string[] = [];
    let dir: fs.Dir;
    try {
        dir = fs.opendirSync(top);
    } catch {
        return; // os.walk skips directories it cannot list
    }
    try {
        for (let e = dir.readSync(); e !== null; e = dir.readSync()) {
            (entryIsDir(top, e) ? dirs : files).push(e.name);
        }
    } finally {
        dir.closeSync();
    }
    const kept = ignore ? dirs.filter((d) => !ignore.isIgnored(normPath(joinPosix(top, d)))) : dirs;
    files.sort(compareCodePoints);
    for (const f of files) addFile(joinPosix(top, f), relTop ? `${relTop}/${f}` : f, ignore, out);
    for (const d of kept) {
        const next = joinPosix(top, d);
        if (isSymlink(next)) continue;
        walk(next, relTop ? `${relTop}/${d}` : d, ignore, out);
    }
}

/** `DirEntry.is_dir()`: follows symlinks, false on error. */
function entryIsDir(top: string, e: fs.Dirent): boolean {
    if (e.isDirectory()) return true;
    if (e.isFile() || e.isSocket() || e.isFIFO() || e.isBlockDevice() || e.isCharacterDevice()) return false;
    return isDir(joinPosix(top, e.name));
}

export function isDir(p: string): boolean {
    try {
        return fs.statSync(p).isDirectory();
    } catch {
        return false;
    }
}

export function isFile(p: string): boolean {
    try {
        return fs.statSync(p).isFile();
    } catch {
        return false;
    }
}

function isSymlink(p: string): boolean {
    try {
        return fs.lstatSync(p).isSymbolicLink();
    } catch {
        return false;
    }
}

/**
 * The `*.whl` files directly in a folder, in directory-listing order, as
 * `Path.glob("*.whl")` yields them (flyte's PythonWheels hash order).
 */
export function listWheels(dir: string): string[] {
    const out: string[] = [];
    let d: fs.Dir;
    try {
        d = fs.opendirSync(dir);
    } catch {
        return out;
    }
    try {
        for (let e = d.readSync(); e !== null; e = d.readSync()) {
            if (!e.name.endsWith(".whl")) continue;
            const p = joinPosix(normPath(dir), e.name);
            if (isFile(p)) out.push(p);
        }
    } finally {
        d.closeSync();
    }
    return out;
}

/** Reads a file the tag depends on, or throws ValidationError naming the field. */
export function readInput(field: string, file: string): Buffer {
    try {
        return fs.readFileSync(file);
    } catch (err) {
        throw new ValidationError(
            field,
            file,
            `an existing, readable file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
        );
    }
}

export { pathParent };
