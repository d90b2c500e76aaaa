import * as fs from "fs";
import { ValidationError, joinPath } from "../errors";
import { checkPipRequirement } from "./checks";
import { pyListRepr, pyOptRepr } from "./pycompat";
import { TomlError, TomlTable, TomlValue, isTomlTable, parseToml } from "./toml";

/** What flyte-sdk reads from a script's PEP 723 `# /// script` block. */
export interface UvScriptMetadata {
    readonly requiresPython?: string;
    /** Requirements to install (validated PEP 508). */
    readonly dependencies: readonly string[];
    /** `[tool.uv] exclude-newer`, when a `[tool.uv]` table exists (null when it lacks the key). */
    readonly excludeNewer?: string | null;
    /** Whether a non-empty `[tool.uv]` table exists. */
    readonly hasToolUv: boolean;
}

const BLOCK = /# \/\/\/ script\s*([\s\S]*?)# \/\/\//;

/** The TOML text of the metadata block, as flyte-sdk extracts it (leading "# " stripped). */
export function extractMetadataBlock(text: string): string | undefined {
    const normalised = text.replace(/\r\n?/g, "\n");
    const m = BLOCK.exec(normalised);
    if (!m) return undefined;
    return splitLines(m[1])
        .map((l) => l.replace(/^[# ]+/, "").replace(/\s+$/, ""))
        .join("\n");
}

/** Python's str.splitlines(). */
function splitLines(s: string): string[] {
    // eslint-disable-next-line no-control-regex -- Python's str.splitlines() boundaries, byte for byte
    const parts = s.split(/\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/);
    if (parts.length > 0 && parts[parts.length - 1] === "") parts.pop();
    return parts;
}

/** Reads and validates a uv script's metadata; `field` names the script argument. */
export function readUvScript(file: string, field: string): UvScriptMetadata {
    let text: string;
    try {
        if (!fs.statSync(file).isFile()) throw new Error("not a file");
        text = fs.readFileSync(file, "utf8");
    } catch {
        throw new ValidationError(field, file, "an existing uv script file (.py) with a `# /// script` metadata block");
    }
    return parseUvScript(text, file, field);
}

export function parseUvScript(text: string, file: string, field: string): UvScriptMetadata {
    const block = extractMetadataBlock(text);
    if (block === undefined)
        throw new ValidationError(
            field,
            file,
            "a uv script with a `# /// script` ... `# ///` metadata block (PEP 723)",
        );
    let data: TomlTable;
    try {
        data = parseToml(block);
    } catch (err) {
        if (!(err instanceof TomlError)) throw err;
        throw new ValidationError(field, file, `valid TOML in the script metadata block (${err.message})`);
    }
    const rp = data["requires-python"];
    if (rp !== undefined && typeof rp !== "string") {
        throw new ValidationError(joinPath(field, "requires-python"), rp, 'a string such as ">=3.11"');
    }
    const deps = data.dependencies ?? [];
    if (!Array.isArray(deps))
        throw new ValidationError(joinPath(field, "dependencies"), deps, "a list of requirement strings");
    const dependencies = deps.map((d, i) => {
        const f = `${joinPath(field, "dependencies")}[${i}]`;
        if (typeof d === "string" && d.includes("file://")) {
            throw new ValidationError(
                f,
                d,
                "a PyPI/URL requirement; local `file://` project dependencies are not supported",
            );
        }
        return checkPipRequirement(f, d);
    });
    const tool = data.tool;
    const uv: TomlValue | undefined = tool !== undefined && isTomlTable(tool) ? tool.uv : undefined;
    if ((tool !== undefined && !isTomlTable(tool)) || (uv !== undefined && !isTomlTable(uv))) {
        throw new ValidationError(joinPath(field, "tool.uv"), file, "a [tool.uv] table");
    }
    const hasToolUv = uv !== undefined && Object.keys(uv).length > 0;
    let excludeNewer: string | null | undefined;
    if (hasToolUv) {
        const en = (uv as TomlTable)["exclude-newer"];
        if (en !== undefined && typeof en !== "string") {
            throw new ValidationError(
                joinPath(field, "tool.uv.exclude-newer"),
                en instanceof Date ? en.toISOString() : String(en),
                'a quoted string such as "2025-01-01T00:00:00Z"',
            );
        }
        excludeNewer = en ?? null;
    }
    return Object.freeze({
        requiresPython: rp as string | undefined,
        dependencies: Object.freeze(dependencies),
        hasToolUv,
        ...(hasToolUv ? { excludeNewer } : {}),
    });
}

/**
 * `str((UVScriptMetadata(...),))` — the exact text flyte-sdk feeds the tag hasher
 * for a uv script (it wraps the metadata dataclass in a one-element tuple).
 */
export function uvScriptHashText(meta: UvScriptMetadata): string {
    const tool = meta.hasToolUv ? `{'uv': ToolUVConfig(exclude_newer=${pyOptRepr(meta.excludeNewer)})}` : "None";
    return `(UVScriptMetadata(requires_python=${pyOptRepr(meta.requiresPython)}, dependencies=${pyListRepr(meta.dependencies)}, pyprojects=[], tool=${tool}),)`;
}
