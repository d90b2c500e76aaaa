import * as fs from "fs";
import * as path from "path";
import { ValidationError } from "../core/errors";
import { atExit, programSlot } from "../runtime/program-state";
import { BuildSecret, DockerfileIgnore, DockerfileOptions, Image, entryFiles, renderDockerfile } from "../core/image";
import { listSourceFiles } from "../core/image/sources";

/** Marks a directory as one we assembled, so re-assembling may empty it. */
export const CONTEXT_MARKER = ".pulumi-flyte-context";

export interface AssembledContext {
    /** The build context directory (absolute). */
    readonly dir: string;
    /** The Dockerfile to build with (absolute; inside `dir`). */
    readonly dockerfile: string;
    /** The Dockerfile text written. */
    readonly dockerfileText: string;
    /** Secrets to pass as `--secret id=<id>,...`. */
    readonly secrets: readonly BuildSecret[];
    /** Files written into the context (relative, "/"-separated, sorted), the Dockerfile included. */
    readonly files: readonly string[];
}

/**
 * Assembles the build context of an image in `dir`: the generated Dockerfile plus
 * each local input under `layer-<n>/` (folders with their .dockerignore applied, the
 * same files the tag was computed from), hard-linked rather than copied where the file
 * system allows (a 1 GiB folder is not duplicated at every preview: bench B4). For a
 * fromDockerfile image, the Dockerfile's folder is put in the same way (honouring its
 * .dockerignore) and the Dockerfile written with base
 * image mirrors applied. `dir` must be absent, empty, or a context assembled before
 * (it is emptied first).
 */
export function assembleBuildContext(image: Image, dir: string, options: DockerfileOptions = {}): AssembledContext {
    const root = path.resolve(dir);
    prepare(root);
    const written: string[] = [];
    const made = new Set<string>([root]);
    const copy = (from: string, rel: string) => {
        const to = path.join(root, ...rel.split("/"));
        const dir = path.dirname(to);
        if (!made.has(dir)) {
            fs.mkdirSync(dir, { recursive: true });
            made.add(dir);
        }
        linkOrCopy(from, to);
        written.push(rel);
    };
    const text = renderDockerfile(image, options);
    let dockerfileRel = "Dockerfile";
    if (image.dockerfilePath !== undefined) {
        const source = path.dirname(image.dockerfilePath);
        for (const f of listSourceFiles(source, new DockerfileIgnore(source))) copy(f.path, f.rel);
        dockerfileRel = path.basename(image.dockerfilePath);
        appendIgnore(root, CONTEXT_MARKER);
    } else {
        for (const entry of image.buildContext) {
            if (entry.kind === "file") {
                copy(entry.src, entry.contextPath);
                continue;
            }
            fs.mkdirSync(path.join(root, ...entry.contextPath.split("/")), { recursive: true });
            for (const f of entryFiles(entry, image.layers, image.initRootDir))
                copy(f.path, `${entry.contextPath}/${f.rel}`);
        }
    }
    const dockerfile = path.join(root, dockerfileRel);
    writeFresh(dockerfile, text); // never through a link to the user's own Dockerfile
    if (!written.includes(dockerfileRel)) written.push(dockerfileRel);
    return Object.freeze({
        dir: root,
        dockerfile,
        dockerfileText: text,
        secrets: image.buildSecrets,
        files: Object.freeze(written.sort()),
    });
}

/**
 * Puts a source file into the context without copying its data when it can: a hard
 * link (same file system), else a copy-on-write clone where the file system has them,
 * else a copy. The context holds the same bytes and mode either way; a link also keeps
 * the file's mtime, as building from the folder itself would. Files the context writes
 * itself (the Dockerfile, .dockerignore) are written with `writeFresh`, so a link never
 * carries a write back to the user's file.
 */
function linkOrCopy(from: string, to: string): void {
    // link(2) does not follow a symbolic link: link its target, so the context holds the
    // file's bytes (as a copy did), never a link that may point outside the context
    const target = fs.lstatSync(from).isSymbolicLink() ? fs.realpathSync(from) : from;
    for (let attempt = 0; attempt < 2; attempt++) {
        try {
            fs.linkSync(target, to);
            return;
        } catch (err) {
            // the same entry twice: the last one wins, as with a copy
            if ((err as NodeJS.ErrnoException).code === "EEXIST" && attempt === 0) fs.rmSync(to, { force: true });
            else break; // EXDEV (another file system), EPERM (protected_hardlinks: a file of another user), ...
        }
    }
    fs.copyFileSync(target, to, fs.constants.COPYFILE_FICLONE);
}

/** Writes `file` as a new file (an existing entry, possibly a link to a source file, is replaced, not written through). */
function writeFresh(file: string, text: string): void {
    fs.rmSync(file, { force: true });
    fs.writeFileSync(file, text);
}

function prepare(root: string): void {
    if (fs.existsSync(root)) {
        if (!fs.statSync(root).isDirectory())
            throw new ValidationError("contextDir", root, "a directory path for the build context");
        const entries = fs.readdirSync(root);
        if (entries.length > 0 && !entries.includes(CONTEXT_MARKER)) {
            throw new ValidationError(
                "contextDir",
                root,
                "an empty directory or one assembled before (it holds other files; refusing to empty it)",
            );
        }
        for (const e of entries) fs.rmSync(path.join(root, e), { recursive: true, force: true });
    }
    fs.mkdirSync(root, { recursive: true });
    fs.writeFileSync(path.join(root, CONTEXT_MARKER), "build context assembled by pulumi-flyte\n");
}

/** Keeps the marker out of user Dockerfiles' `COPY . ...`. */
function appendIgnore(root: string, pattern: string): void {
    const file = path.join(root, ".dockerignore");
    const existing = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
    writeFresh(file, `${existing}${existing && !existing.endsWith("\n") ? "\n" : ""}${pattern}\n`);
}

/** The build contexts this program assembled, and whether the provider took each (the state refers to it). */
const assembled = programSlot("assembled build contexts", () => new Map<string, { kept: boolean }>());

/**
 * Contexts the provider did not take (an image built elsewhere, a failed or interrupted
 * run) are removed when the program ends.
 */
export function removeContextAtExit(dir: string): void {
    atExit("remove build contexts", () => assembled().forEach((c, d) => c.kept || removeContext(d)));
    assembled().set(dir, { kept: false });
}

/** The provider hashed the context: its state refers to it, and a refresh hashes it again. */
export function keepContext(dir: string): void {
    const entry = assembled().get(dir);
    if (entry) entry.kept = true;
}

/** Removes a build context we assembled (its folder only). */
export function removeContext(dir: string): void {
    try {
        fs.rmSync(dir, { recursive: true, force: true });
    } catch {
        // a context left behind is re-assembled in place by the next run
    }
}
