/**
 * Comments name files that exist: a path in a comment of the code (sdk/src, provider/src,
 * scripts, tests, examples, tools) that starts at the repository's root (`scripts/...`,
 * `tests/...`) or at sdk/src (`core/...`, `components/...`) names a tracked file or folder
 * (from there, or from the commenting file's folder).
 * Illustrative paths (`sub/a.py`, `layer-3/app.py`) and build outputs are not checked.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "../..");
const ROOTS = ["sdk", "provider", "scripts", "tests", "examples", "tools", "platform", "bench"];
const SDK_FOLDERS = fs.readdirSync(path.join(ROOT, "sdk/src")).filter((f) => !f.includes("."));
const OUTPUTS = /(^|\/)(dist|\.work|node_modules|bin)\//;
const PATH = /(?<![\w@/.:-])((?:[\w.-]+\/)+[\w.-]+\.(?:ts|sh|py|js|mjs|json|yaml|md|toml|txt|go))(?![\w/])/g;

/** The comment text of a line: after //, #, or inside a block comment's `*`. */
function commentOf(line: string, file: string): string | undefined {
    const marker = /\.(sh|py)$/.test(file) ? /(^|\s)#/ : /\/\/|\/\*|^\s*\*/;
    const m = marker.exec(line);
    return m ? line.slice(m.index) : undefined;
}

/** Paths named in comments that exist nowhere, as `file:line: path`. */
export function missingPaths(files: string[], exists: (p: string) => boolean): string[] {
    const out: string[] = [];
    for (const file of files) {
        const lines = fs.readFileSync(path.join(ROOT, file), "utf8").split("\n");
        lines.forEach((line, i) => {
            const comment = commentOf(line, file);
            if (!comment) return;
            for (const [, p] of comment.matchAll(PATH)) {
                if (OUTPUTS.test(p)) continue;
                const first = p.split("/")[0];
                const candidates = ROOTS.includes(first)
                    ? [p, path.posix.join(path.posix.dirname(file), p)]
                    : SDK_FOLDERS.includes(first)
                      ? [`sdk/src/${p}`, path.posix.join(path.posix.dirname(file), p)]
                      : [];
                if (candidates.length && !candidates.some(exists)) out.push(`${file}:${i + 1}: ${p}`);
            }
        });
    }
    return out;
}

test("every file a comment names exists", () => {
    const tracked = execFileSync("git", ["ls-files"], { cwd: ROOT, encoding: "utf8" }).split("\n").filter(Boolean);
    const known = new Set(tracked);
    for (const f of tracked) for (let d = path.posix.dirname(f); d !== "."; d = path.posix.dirname(d)) known.add(d);
    const code = tracked.filter(
        (f) => /\.(ts|sh|py|js|mjs)$/.test(f) && ROOTS.includes(f.split("/")[0]) && !f.startsWith("tests/fixtures/"),
    );
    expect(missingPaths(code, (p) => known.has(p) || fs.existsSync(path.join(ROOT, p)))).toEqual([]);
});
