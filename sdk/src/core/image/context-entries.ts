import { IgnoreLike, listSourceFiles, listWheels, SourceFile } from "./sources";
import { imageIgnore, sourceIgnore } from "./tag";
import { Layer } from "./layers";
import { baseName, normPath } from "./pycompat";

/**
 * One local file or folder an image build needs in its build context. The build
 * context holds nothing else: each entry lives under `layer-<index>/`, so entries
 * never collide and the Dockerfile never names a local path.
 */
export interface ContextEntry {
    /** "file": one file; "folder": a tree (ignore rules applied); "wheels": the *.whl files of a folder. */
    readonly kind: "file" | "folder" | "wheels";
    /** Index of the layer this entry belongs to. */
    readonly layer: number;
    /** Local path, as given to the Image method. */
    readonly src: string;
    /**
     * Path inside the build context: the file itself ("layer-3/app.py"), or the folder
     * that receives the tree's contents or the wheels ("layer-5").
     */
    readonly contextPath: string;
    /** Destination in the image, for entries that are COPY'd (source files and folders). */
    readonly dst?: string;
    /** The .dockerignore applied (folders only): the directory it is relative to and its patterns. */
    readonly ignore?: { readonly root: string; readonly patterns: readonly string[] };
}

/** Where a layer's local input lives inside the build context. */
export function contextPathFor(l: Layer, index: number): string | undefined {
    switch (l.kind) {
        case "copy":
            return l.pathType === "file" ? `layer-${index}/${baseName(normPath(l.src))}` : `layer-${index}`;
        case "requirements":
            return `layer-${index}/requirements.txt`;
        case "pythonWheels":
            return `layer-${index}`;
        default:
            return undefined;
    }
}

export function contextEntries(layers: readonly Layer[], rootDir?: string): ContextEntry[] {
    const imageLevel = imageIgnore(layers, rootDir);
    const out: ContextEntry[] = [];
    layers.forEach((l, i) => {
        const contextPath = contextPathFor(l, i);
        if (contextPath === undefined) return;
        if (l.kind === "copy") {
            const ig = l.pathType === "folder" ? sourceIgnore(l, imageLevel) : undefined;
            out.push(
                Object.freeze({
                    kind: l.pathType,
                    layer: i,
                    src: l.src,
                    contextPath,
                    dst: l.dst,
                    ...(ig ? { ignore: Object.freeze({ root: ig.root, patterns: ig.patterns }) } : {}),
                }),
            );
        } else if (l.kind === "requirements") {
            out.push(Object.freeze({ kind: "file" as const, layer: i, src: l.file, contextPath }));
        } else if (l.kind === "pythonWheels") {
            out.push(Object.freeze({ kind: "wheels" as const, layer: i, src: l.wheelDir, contextPath }));
        }
    });
    return out;
}

/**
 * The files to copy for one entry (relative paths inside `contextPath` for folders and
 * wheels). Folders use the same walk and ignore rules as the tag, so the context holds
 * exactly the files that were hashed. `layers` and `rootDir` select the image-wide ignore.
 */
export function entryFiles(entry: ContextEntry, layers: readonly Layer[], rootDir?: string): SourceFile[] {
    switch (entry.kind) {
        case "file":
            return [Object.freeze({ path: entry.src, rel: baseName(entry.contextPath) })];
        case "wheels":
            return listWheels(entry.src).map((p) => Object.freeze({ path: p, rel: baseName(p) }));
        case "folder": {
            const l = layers[entry.layer];
            const ig: IgnoreLike | undefined =
                l.kind === "copy" ? sourceIgnore(l, imageIgnore(layers, rootDir)) : undefined;
            return listSourceFiles(entry.src, ig);
        }
    }
}
