/** Quoting for the two languages a generated Dockerfile speaks: POSIX sh and Dockerfile. */

const SH_SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Like Python's `shlex.quote`: safe words stay bare, anything else is single-quoted. */
export function shQuote(s: string): string {
    if (s === "") return "''";
    if (SH_SAFE.test(s)) return s;
    return `'${s.replace(/'/g, `'"'"'`)}'`;
}

/**
 * A Dockerfile ENV value in double quotes: `\` and `"` are escaped; `$NAME` still
 * expands (as in Flyte, so "/opt/venv/bin:$PATH" works).
 */
export function dockerQuote(s: string): string {
    return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** The JSON (exec) form of COPY's source and destination. */
export function jsonArgs(...args: string[]): string {
    return `[${args.map((a) => JSON.stringify(a)).join(", ")}]`;
}
