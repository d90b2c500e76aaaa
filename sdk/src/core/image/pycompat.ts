/**
 * The few Python behaviours the Flyte tag formula depends on, re-stated in TypeScript:
 * lexical `pathlib.PurePosixPath` normalisation and `relative_to`, `repr()` of strings,
 * lists and the `Secret` dataclass, and code-point string ordering (`list.sort()`).
 * Nothing here touches the file system.
 */

/** `str(PurePosixPath(p))`: collapses "//" and "." parts, drops a trailing "/"; "" -> ".". */
export function normPath(p: string): string {
    const { anchor, parts } = splitPath(p);
    const joined = anchor + parts.join("/");
    return joined === "" ? "." : joined;
}

/** Anchor ("", "/" or "//", as POSIX pathlib keeps exactly two leading slashes) and parts. */
export function splitPath(p: string): { anchor: string; parts: string[] } {
    let anchor = "";
    if (p.startsWith("/")) anchor = p.startsWith("//") && !p.startsWith("///") ? "//" : "/";
    const parts = p.split("/").filter((s) => s !== "" && s !== ".");
    return { anchor, parts };
}

/** `PurePosixPath(path).relative_to(root)` (lexical; Python 3.11 rules), or undefined on ValueError. */
export function relativeTo(path: string, root: string): string | undefined {
    const a = splitPath(path);
    const b = splitPath(root);
    if (a.anchor !== b.anchor || b.parts.length > a.parts.length) return undefined;
    for (let i = 0; i < b.parts.length; i++) if (a.parts[i] !== b.parts[i]) return undefined;
    const rest = a.parts.slice(b.parts.length);
    return rest.length === 0 ? "." : rest.join("/");
}

/** `PurePosixPath(p).name`: the last part, "" for "." and "/". */
export function pathName(p: string): string {
    const { parts } = splitPath(p);
    return parts.length ? parts[parts.length - 1] : "";
}

/** `PurePosixPath(p).parent`. */
export function pathParent(p: string): string {
    const { anchor, parts } = splitPath(p);
    if (parts.length === 0) return anchor || ".";
    const joined = anchor + parts.slice(0, -1).join("/");
    return joined === "" ? "." : joined;
}

/** `os.path.join(a, b)` for a relative `b`. */
export function joinPosix(a: string, b: string): string {
    if (a === "" || a.endsWith("/")) return a + b;
    return `${a}/${b}`;
}

/** `os.path.basename(p)`. */
export function baseName(p: string): string {
    const i = p.lastIndexOf("/");
    return i < 0 ? p : p.slice(i + 1);
}

const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

/** `repr(s)` for a Python str. */
export function pyRepr(s: string): string {
    const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
    let out = quote;
    for (const ch of s) {
        const cp = ch.codePointAt(0)!;
        if (ch === quote || ch === "\\") out += `\\${ch}`;
        else if (ch === "\t") out += "\\t";
        else if (ch === "\n") out += "\\n";
        else if (ch === "\r") out += "\\r";
        else if (cp < 0x20 || cp === 0x7f) out += `\\x${hex(cp, 2)}`;
        else if (cp < 0x7f || ch === " ") out += ch;
        else if (NON_PRINTABLE.test(ch)) {
            out += cp <= 0xff ? `\\x${hex(cp, 2)}` : cp <= 0xffff ? `\\u${hex(cp, 4)}` : `\\U${hex(cp, 8)}`;
        } else out += ch;
    }
    return out + quote;
}

function hex(n: number, width: number): string {
    return n.toString(16).padStart(width, "0");
}

/** `repr(x)` for None / str. */
export function pyOptRepr(s: string | undefined | null): string {
    return s === undefined || s === null ? "None" : pyRepr(s);
}

/** `repr(list_of_str)`. */
export function pyListRepr(items: readonly string[]): string {
    return `[${items.map(pyRepr).join(", ")}]`;
}

/** Python's default string order (by code point), unlike JS's UTF-16 order. */
export function compareCodePoints(a: string, b: string): number {
    if (a === b) return 0;
    const x = Array.from(a);
    const y = Array.from(b);
    const n = Math.min(x.length, y.length);
    for (let i = 0; i < n; i++) {
        const d = x[i].codePointAt(0)! - y[i].codePointAt(0)!;
        if (d !== 0) return d;
    }
    return x.length - y.length;
}
