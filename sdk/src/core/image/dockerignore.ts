import * as fs from "fs";
import { ValidationError } from "../errors";
import { joinPosix, normPath, relativeTo } from "./pycompat";

/**
 * .dockerignore matching with the semantics flyte-sdk hashes with (docker-py's
 * PatternMatcher): patterns are anchored at the ignore file's directory, `*` and `?`
 * stop at "/", `**` spans directories, `!` re-includes, a pattern also matches every
 * path below a matching directory, matching is case-insensitive, and `.dockerignore`
 * itself is never excluded.
 */
export class PatternMatcher {
    readonly patterns: readonly IgnorePattern[];

    constructor(lines: readonly string[]) {
        const parsed = lines.map((l) => new IgnorePattern(l)).filter((p) => p.dirs.length > 0);
        parsed.push(new IgnorePattern("!.dockerignore"));
        this.patterns = Object.freeze(parsed);
        Object.freeze(this);
    }

    /** True when `relPath` (relative, "/"-separated) is excluded. */
    matches(relPath: string): boolean {
        let matched = false;
        const parent = dirName(relPath);
        const parentDirs = splitParts(parent);
        for (const pattern of this.patterns) {
            let match = pattern.match(relPath);
            if (!match && parent !== "" && pattern.dirs.length <= parentDirs.length) {
                match = pattern.match(parentDirs.slice(0, pattern.dirs.length).join("/"));
            }
            if (match) matched = !pattern.exclusion;
        }
        return matched;
    }
}

export class IgnorePattern {
    readonly exclusion: boolean;
    readonly dirs: readonly string[];
    readonly cleaned: string;
    private readonly regex: RegExp;

    constructor(text: string) {
        let body = text;
        this.exclusion = body.startsWith("!");
        if (this.exclusion) body = body.slice(1);
        const split = splitParts(body.trim());
        for (let i = 0; i < split.length;) {
            if (split[i] === "..") {
                split.splice(i, 1);
                if (i > 0) {
                    split.splice(i - 1, 1);
                    i -= 1;
                }
            } else i += 1;
        }
        this.dirs = Object.freeze(split);
        this.cleaned = split.join("/");
        this.regex = translate(this.cleaned.toLowerCase());
        this.tokens = tokenize(this.cleaned.toLowerCase());
    }

    /**
     * Whether the path matches, with the regex's semantics but in O(pattern x path)
     * time: a backtracking regex of several `**` (e.g. `**\/**\/**\/x`) takes
     * exponential time on a long path that does not match.
     */
    match(path: string): boolean {
        return matchTokens(this.tokens, path.toLowerCase());
    }

    private readonly tokens: readonly Token[];
}

/** A compiled glob: what docker-py's fnmatch translation turns each part into. */
type Token =
    | { kind: "char"; c: string }
    | { kind: "one" } // ?  -> [^/]
    | { kind: "star" } // *  -> [^/]*
    | { kind: "anyPrefix" } // ** (then /) -> (?:[^\n]*/)?
    | { kind: "rest" } // ** at the end -> [^\n]*
    | { kind: "class"; re: RegExp }; // [...] -> one character of a class

function tokenize(pat: string): Token[] {
    const out: Token[] = [];
    const n = pat.length;
    let i = 0;
    while (i < n) {
        const c = pat[i++];
        if (c === "*") {
            if (i < n && pat[i] === "*") {
                i += 1;
                if (i < n && pat[i] === "/") i += 1;
                const token: Token = i >= n ? { kind: "rest" } : { kind: "anyPrefix" };
                // consecutive "**/" are one: (?:[^\n]*/)?(?:[^\n]*/)? matches what one does
                if (!(token.kind === "anyPrefix" && out[out.length - 1]?.kind === "anyPrefix")) out.push(token);
            } else if (out[out.length - 1]?.kind !== "star") {
                out.push({ kind: "star" });
            }
        } else if (c === "?") {
            out.push({ kind: "one" });
        } else if (c === "[") {
            let j = i;
            if (j < n && pat[j] === "!") j += 1;
            if (j < n && pat[j] === "]") j += 1;
            while (j < n && pat[j] !== "]") j += 1;
            if (j >= n) {
                out.push({ kind: "char", c: "[" });
            } else {
                // the same class translation as the regex below, for one character
                out.push({
                    kind: "class",
                    re: new RegExp(
                        `^${translate(pat.slice(i - 1, j + 1))
                            .source.replace(/^\^/, "")
                            .replace(/\(\?=\\n\?\$\)$/, "")}$`,
                    ),
                });
                i = j + 1;
            }
        } else {
            out.push({ kind: "char", c });
        }
    }
    return out;
}

/** Bottom-up dynamic programming over (token, position): O(tokens x path length). */
function matchTokens(tokens: readonly Token[], text: string): boolean {
    const T = text.length;
    const width = T + 2;
    // m[p][t]: tokens[p..] match text[t..] followed by the end (Python's $: an optional final newline)
    let next = new Uint8Array(width);
    for (let t = 0; t <= T; t++) next[t] = t === T || (t === T - 1 && text[t] === "\n") ? 1 : 0;
    for (let p = tokens.length - 1; p >= 0; p--) {
        const tok = tokens[p];
        const cur = new Uint8Array(width);
        // prefix[t]: [^\n]* then "/" starting at t, then tokens[p+1..] (for anyPrefix)
        let prefixFromNext = 0;
        for (let t = T; t >= 0; t--) {
            const ch = t < T ? text[t] : undefined;
            let ok = 0;
            switch (tok.kind) {
                case "char":
                    ok = ch === tok.c && next[t + 1] ? 1 : 0;
                    break;
                case "one":
                    ok = ch !== undefined && ch !== "/" && next[t + 1] ? 1 : 0;
                    break;
                case "class":
                    ok = ch !== undefined && tok.re.test(ch) && next[t + 1] ? 1 : 0;
                    break;
                case "star":
                    ok = next[t] || (ch !== undefined && ch !== "/" && cur[t + 1]) ? 1 : 0;
                    break;
                case "rest": {
                    // [^\n]* to the end (an optional final newline allowed)
                    ok = next[t] ? 1 : 0;
                    if (!ok) ok = t < T && text.indexOf("\n", t) < 0 ? 1 : 0;
                    if (!ok) ok = t < T && text.indexOf("\n", t) === T - 1 ? 1 : 0;
                    break;
                }
                case "anyPrefix": {
                    const prefix =
                        ch !== undefined && ch !== "\n" && ((ch === "/" && next[t + 1]) || prefixFromNext) ? 1 : 0;
                    prefixFromNext = prefix;
                    ok = next[t] || prefix ? 1 : 0;
                    break;
                }
            }
            cur[t] = ok;
        }
        next = cur;
    }
    return next[0] === 1;
}

/** `os.path.dirname` of a relative POSIX path. */
function dirName(p: string): string {
    const i = p.lastIndexOf("/");
    if (i < 0) return "";
    const head = p.slice(0, i + 1);
    return /^\/+$/.test(head) ? head : head.replace(/\/+$/, "");
}

function splitParts(p: string): string[] {
    return p.split("/").filter((s) => s !== "" && s !== ".");
}

const REGEX_SPECIAL = /[\\^$.*+?()[\]{}|/-]/;

/** docker-py's fnmatch translation, producing an equivalent JavaScript RegExp. */
function translate(pat: string): RegExp {
    let res = "^";
    const n = pat.length;
    let i = 0;
    while (i < n) {
        const c = pat[i++];
        if (c === "*") {
            if (i < n && pat[i] === "*") {
                i += 1;
                if (i < n && pat[i] === "/") i += 1;
                res += i >= n ? "[^\\n]*" : "(?:[^\\n]*/)?";
            } else {
                res += "[^/]*";
            }
        } else if (c === "?") {
            res += "[^/]";
        } else if (c === "[") {
            let j = i;
            if (j < n && pat[j] === "!") j += 1;
            if (j < n && pat[j] === "]") j += 1;
            while (j < n && pat[j] !== "]") j += 1;
            if (j >= n) {
                res += "\\[";
            } else {
                let stuff = pat.slice(i, j).replace(/\\/g, "\\\\");
                i = j + 1;
                let negate = "";
                if (stuff[0] === "!") {
                    negate = "^";
                    stuff = stuff.slice(1);
                } else if (stuff[0] === "^") {
                    stuff = `\\${stuff}`;
                }
                // A "]" first in a Python class is literal; JavaScript needs it escaped.
                if (stuff.startsWith("]")) stuff = `\\${stuff}`;
                res += `[${negate}${stuff.replace(/\[/g, "\\[")}]`;
            }
        } else {
            res += REGEX_SPECIAL.test(c) ? `\\${c}` : c;
        }
    }
    // Python's `$` also matches before one trailing newline.
    res += "(?=\\n?$)";
    try {
        return new RegExp(res);
    } catch {
        throw new ValidationError(
            "dockerignore",
            pat,
            "a .dockerignore pattern must be a valid glob (check its [...] ranges)",
        );
    }
}

/**
 * flyte-sdk's `DockerfileIgnore(root)`: the patterns of `<root>/.dockerignore` (blank
 * lines and "#" comments skipped), applied to paths *lexically* relative to `root` —
 * a path written relative when `root` is absolute (or vice versa) is never ignored.
 */
export class DockerfileIgnore {
    readonly root: string;
    readonly patterns: readonly string[];
    private readonly matcher?: PatternMatcher;

    constructor(root: string) {
        this.root = normPath(root);
        this.patterns = Object.freeze(readIgnoreFile(joinPosix(this.root, ".dockerignore")) ?? []);
        this.matcher = this.patterns.length ? new PatternMatcher(this.patterns) : undefined;
        Object.freeze(this);
    }

    isIgnored(path: string): boolean {
        if (!this.matcher) return false;
        const rel = relativeTo(path, this.root);
        if (rel === undefined) return false;
        return this.matcher.matches(rel);
    }
}

/** The pattern lines of an ignore file, or undefined when it cannot be read. */
export function readIgnoreFile(file: string): string[] | undefined {
    let text: string;
    try {
        if (!fs.statSync(file).isFile()) return undefined;
        text = fs.readFileSync(file, "utf8");
    } catch {
        return undefined;
    }
    const out: string[] = [];
    for (const line of text.split(/\r\n|\r|\n/)) {
        const stripped = line.trim();
        if (stripped && !stripped.startsWith("#")) out.push(stripped);
    }
    return out;
}
