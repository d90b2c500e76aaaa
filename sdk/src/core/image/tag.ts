import { createHash, Hash } from "crypto";
import * as fs from "fs";
import { ValidationError } from "../errors";
import { DockerfileIgnore } from "./dockerignore";
import { Layer, LAYER_METHOD, PipOptions } from "./layers";
import { joinPosix, normPath, pathParent } from "./pycompat";
import { isDir, isFile, listSourceFiles, listWheels, readInput } from "./sources";
import { uvScriptHashText } from "./uvscript";

/** The parts of an Image the tag depends on. */
export interface TagInput {
    readonly baseImage?: string;
    readonly dockerfilePath?: string;
    readonly layers: readonly Layer[];
}

/**
 * flyte-sdk's image tag (`Image._get_hash_digest`, v2.12.1): the md5 hex digest of
 * the base image string, the user Dockerfile's bytes, then every layer's
 * contribution in order (see `hashLayer`). `rootDir` plays `flyte.init(root_dir=...)`:
 * its .dockerignore applies when no withDockerignore layer is present.
 */
export function computeTag(image: TagInput, rootDir?: string): string {
    const ignore = imageIgnore(image.layers, rootDir);
    const h = createHash("md5");
    if (image.baseImage) h.update(image.baseImage, "utf8");
    if (image.dockerfilePath) h.update(readInput("fromDockerfile.file", image.dockerfilePath));
    image.layers.forEach((l, i) => hashLayer(h, l, ignore, `layers[${i}]`));
    return h.digest("hex");
}

/**
 * The image-wide ignore rules: the last withDockerignore path (else `<rootDir>/.dockerignore`);
 * when that file exists, flyte uses the `.dockerignore` *in its directory*, matched
 * against paths relative to that directory.
 */
export function imageIgnore(layers: readonly Layer[], rootDir?: string): DockerfileIgnore | undefined {
    let path: string | undefined;
    for (const l of layers) if (l.kind === "dockerignore" && l.path.trim()) path = normPath(l.path);
    if (path === undefined && rootDir !== undefined) path = joinPosix(normPath(rootDir), ".dockerignore");
    if (path === undefined || !isFile(path)) return undefined;
    return new DockerfileIgnore(pathParent(path));
}

/** The ignore rules a source layer is hashed (and copied) with. */
export function sourceIgnore(
    l: { pathType: "file" | "folder"; src: string },
    imageLevel: DockerfileIgnore | undefined,
): DockerfileIgnore | undefined {
    if (imageLevel) return imageLevel;
    if (isDir(l.src)) return new DockerfileIgnore(l.src);
    return undefined;
}

function pipOptionsText(o: PipOptions): string {
    let s = "";
    if (o.indexUrl) s += o.indexUrl;
    for (const u of o.extraIndexUrls) s += u;
    if (o.pre) s += "True";
    if (o.extraArgs) s += o.extraArgs;
    for (const m of o.secretMounts) s += m.hashText;
    return s;
}

function hashLayer(h: Hash, l: Layer, ignore: DockerfileIgnore | undefined, where: string): void {
    const field = LAYER_METHOD[l.kind];
    switch (l.kind) {
        case "dockerLines":
            h.update(l.lines.join(""), "utf8");
            return;
        case "commands":
            h.update(l.commands.join("") + l.secretMounts.map((m) => m.hashText).join(""), "utf8");
            return;
        case "apt":
            h.update(l.packages.join("") + l.secretMounts.map((m) => m.hashText).join(""), "utf8");
            return;
        case "workdir":
            h.update(l.workdir, "utf8");
            return;
        case "env":
            h.update(l.envVars.map(([k, v]) => `${k}=${v}`).join(" "), "utf8");
            return;
        case "pip":
            h.update(pipOptionsText(l), "utf8");
            h.update(l.packages.join(""), "utf8");
            return;
        case "requirements":
            h.update(pipOptionsText(l), "utf8");
            h.update(readInput(`${field}.file`, l.file));
            return;
        case "uvScript":
            h.update(uvScriptHashText(l.metadata), "utf8");
            h.update(pipOptionsText(l), "utf8");
            return;
        case "pythonWheels":
            h.update(pipOptionsText(l), "utf8");
            for (const w of listWheels(l.wheelDir)) h.update(readInput(`${field}.distDir`, w));
            return;
        case "dockerignore":
            if (fs.existsSync(l.path)) {
                if (!isFile(l.path))
                    throw new ValidationError(`${field}.path`, l.path, "a .dockerignore file, not a directory");
                h.update(readInput(`${field}.path`, l.path));
            } else h.update(l.path, "utf8");
            return;
        case "copy": {
            const method = l.pathType === "file" ? "withSourceFile" : "withSourceFolder";
            if (l.pathType === "folder" ? !isDir(l.src) : !isFile(l.src)) {
                throw new ValidationError(
                    `${method}.src`,
                    l.src,
                    `an existing ${l.pathType === "folder" ? "directory" : "file"} (${where})`,
                );
            }
            for (const f of listSourceFiles(l.src, sourceIgnore(l, ignore))) {
                h.update(readInput(`${method}.src`, f.path));
                h.update(f.rel.split("/").join(""), "utf8");
            }
            if (l.dst) h.update(l.dst, "utf8");
            return;
        }
    }
}
