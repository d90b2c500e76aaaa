/**
 * A small TOML reader, enough for PEP 723 `# /// script` blocks: tables, arrays of
 * tables, dotted and quoted keys, basic/literal (multi-line) strings, integers,
 * floats, booleans, arrays and inline tables. Date-times are returned as
 * `TomlDateTime` (kept as text). Throws `TomlError` with a line number on bad input.
 */

export class TomlError extends Error {
    constructor(message: string, readonly line: number) {
        super(`line ${line}: ${message}`);
        this.name = "TomlError";
    }
}

export class TomlDateTime {
    constructor(readonly text: string) {}
}

export type TomlValue = string | number | boolean | TomlDateTime | TomlValue[] | TomlTable;
export interface TomlTable {
    [key: string]: TomlValue;
}

export function parseToml(text: string): TomlTable {
    return new Parser(text).document();
}

const BARE_KEY = /[A-Za-z0-9_-]/;

class Parser {
    private pos = 0;
    private readonly root: TomlTable = Object.create(null);
    private current: TomlTable = this.root;
    private readonly defined = new Set<TomlTable>();
    private readonly inline = new Set<object>();
    private readonly arrayTables = new Set<TomlValue[]>();

    constructor(private readonly src: string) {}

    document(): TomlTable {
        for (;;) {
            this.skipBlankAndComments();
            if (this.pos >= this.src.length) return this.root;
            if (this.peek() === "[") this.tableHeader();
            else this.keyValue(this.current);
            this.endOfLine();
        }
    }

    private line(): number {
        return this.src.slice(0, this.pos).split("\n").length;
    }

    private fail(message: string): never {
        throw new TomlError(message, this.line());
    }

    private peek(offset = 0): string {
        return this.src[this.pos + offset] ?? "";
    }

    private skipWs(): void {
        while (this.peek() === " " || this.peek() === "\t") this.pos++;
    }

    private skipComment(): void {
        if (this.peek() === "#") while (this.pos < this.src.length && this.peek() !== "\n") this.pos++;
    }

    private skipBlankAndComments(): void {
        for (;;) {
            this.skipWs();
            this.skipComment();
            if (this.peek() === "\n") this.pos++;
            else if (this.peek() === "\r" && this.peek(1) === "\n") this.pos += 2;
            else return;
        }
    }

    private endOfLine(): void {
        this.skipWs();
        this.skipComment();
        if (this.pos >= this.src.length) return;
        if (this.peek() === "\n") this.pos++;
        else if (this.peek() === "\r" && this.peek(1) === "\n") this.pos += 2;
        else this.fail(`unexpected ${JSON.stringify(this.peek())} after a value`);
    }

    private tableHeader(): void {
        const isArray = this.peek(1) === "[";
        this.pos += isArray ? 2 : 1;
        this.skipWs();
        const keys = this.key();
        this.skipWs();
        if (isArray ? this.src.slice(this.pos, this.pos + 2) !== "]]" : this.peek() !== "]") this.fail("unterminated table header");
        this.pos += isArray ? 2 : 1;
        let table = this.root;
        keys.slice(0, -1).forEach((k) => {
            table = this.descend(table, k);
        });
        const last = keys[keys.length - 1];
        if (isArray) {
            let list = table[last];
            if (list === undefined) {
                list = [];
                table[last] = list;
                this.arrayTables.add(list);
            } else if (!Array.isArray(list) || !this.arrayTables.has(list)) this.fail(`key "${last}" is already defined`);
            const fresh: TomlTable = Object.create(null);
            (list as TomlValue[]).push(fresh);
            this.current = fresh;
        } else {
            const existing = table[last];
            if (existing === undefined) {
                const fresh: TomlTable = Object.create(null);
                table[last] = fresh;
                this.current = fresh;
            } else if (isTable(existing) && !this.defined.has(existing) && !this.inline.has(existing)) {
                this.current = existing;
            } else this.fail(`table "${keys.join(".")}" is already defined`);
            this.defined.add(this.current);
        }
    }

    /** Walks into a sub-table (creating it), or the last table of an array of tables. */
    private descend(table: TomlTable, key: string): TomlTable {
        const next = table[key];
        if (next === undefined) {
            const fresh: TomlTable = Object.create(null);
            table[key] = fresh;
            return fresh;
        }
        if (Array.isArray(next) && this.arrayTables.has(next)) return next[next.length - 1] as TomlTable;
        if (isTable(next) && !this.inline.has(next)) return next;
        return this.fail(`key "${key}" is not a table`);
    }

    private key(): string[] {
        const keys = [this.simpleKey()];
        for (;;) {
            this.skipWs();
            if (this.peek() !== ".") return keys;
            this.pos++;
            this.skipWs();
            keys.push(this.simpleKey());
        }
    }

    private simpleKey(): string {
        const c = this.peek();
        if (c === '"') return this.basicString();
        if (c === "'") return this.literalString();
        const start = this.pos;
        while (BARE_KEY.test(this.peek())) this.pos++;
        if (this.pos === start) this.fail("expected a key");
        return this.src.slice(start, this.pos);
    }

    private keyValue(table: TomlTable): void {
        const keys = this.key();
        this.skipWs();
        if (this.peek() !== "=") this.fail("expected '=' after a key");
        this.pos++;
        this.skipWs();
        const value = this.value();
        let target = table;
        for (const k of keys.slice(0, -1)) {
            const next = target[k];
            if (next === undefined) {
                const fresh: TomlTable = Object.create(null);
                target[k] = fresh;
                target = fresh;
            } else if (isTable(next) && !this.inline.has(next) && !this.defined.has(next)) target = next;
            else this.fail(`key "${k}" is already defined`);
        }
        const last = keys[keys.length - 1];
        if (last in target) this.fail(`key "${last}" is already defined`);
        target[last] = value;
    }

    private value(): TomlValue {
        const c = this.peek();
        if (c === '"') return this.src.startsWith('"""', this.pos) ? this.multiBasic() : this.basicString();
        if (c === "'") return this.src.startsWith("'''", this.pos) ? this.multiLiteral() : this.literalString();
        if (c === "[") return this.array();
        if (c === "{") return this.inlineTable();
        const m = /^[^\s,\]}#]+(?: [0-9][^\s,\]}#]*)?/.exec(this.src.slice(this.pos));
        if (!m) return this.fail("expected a value");
        let token = m[0];
        if (token === "true" || token === "false") {
            this.pos += token.length;
            return token === "true";
        }
        if (/^\d{4}-\d{2}-\d{2}/.test(token) || /^\d{2}:\d{2}/.test(token)) {
            this.pos += token.length;
            return new TomlDateTime(token);
        }
        token = token.split(" ")[0];
        this.pos += token.length;
        const clean = token.replace(/_/g, "");
        if (/^[+-]?(inf|nan)$/.test(token)) return token.includes("nan") ? NaN : token.startsWith("-") ? -Infinity : Infinity;
        if (/^0x[0-9A-Fa-f]+$/.test(clean)) return parseInt(clean.slice(2), 16);
        if (/^0o[0-7]+$/.test(clean)) return parseInt(clean.slice(2), 8);
        if (/^0b[01]+$/.test(clean)) return parseInt(clean.slice(2), 2);
        if (/^[+-]?(0|[1-9][0-9]*)$/.test(clean)) return Number(clean);
        if (/^[+-]?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/.test(clean)) return Number(clean);
        return this.fail(`invalid value ${JSON.stringify(token)}`);
    }

    private basicString(): string {
        this.pos++;
        let out = "";
        for (;;) {
            const c = this.peek();
            if (c === "" || c === "\n") this.fail("unterminated string");
            this.pos++;
            if (c === '"') return out;
            if (c === "\\") out += this.escape();
            else out += c;
        }
    }

    private escape(): string {
        const c = this.peek();
        this.pos++;
        const simple: Record<string, string> = { b: "\b", t: "\t", n: "\n", f: "\f", r: "\r", '"': '"', "\\": "\\", e: "\x1b" };
        if (c in simple) return simple[c];
        if (c === "u" || c === "U") {
            const len = c === "u" ? 4 : 8;
            const hex = this.src.slice(this.pos, this.pos + len);
            if (!/^[0-9A-Fa-f]+$/.test(hex) || hex.length !== len) this.fail("invalid unicode escape");
            this.pos += len;
            return String.fromCodePoint(parseInt(hex, 16));
        }
        return this.fail(`invalid escape "\\${c}"`);
    }

    private literalString(): string {
        this.pos++;
        const end = this.src.indexOf("'", this.pos);
        const nl = this.src.indexOf("\n", this.pos);
        if (end < 0 || (nl >= 0 && nl < end)) this.fail("unterminated string");
        const s = this.src.slice(this.pos, end);
        this.pos = end + 1;
        return s;
    }

    private multiBasic(): string {
        this.pos += 3;
        if (this.peek() === "\n") this.pos++;
        else if (this.peek() === "\r" && this.peek(1) === "\n") this.pos += 2;
        let out = "";
        for (;;) {
            if (this.pos >= this.src.length) this.fail("unterminated string");
            if (this.src.startsWith('"""', this.pos)) {
                let extra = 0;
                while (this.peek(3 + extra) === '"' && extra < 2) extra++;
                out += '"'.repeat(extra);
                this.pos += 3 + extra;
                return out;
            }
            const c = this.peek();
            this.pos++;
            if (c === "\\") {
                if (/^[ \t]*\r?\n/.test(this.src.slice(this.pos))) {
                    while (/[ \t\r\n]/.test(this.peek())) this.pos++;
                } else out += this.escape();
            } else out += c;
        }
    }

    private multiLiteral(): string {
        this.pos += 3;
        if (this.peek() === "\n") this.pos++;
        else if (this.peek() === "\r" && this.peek(1) === "\n") this.pos += 2;
        const end = this.src.indexOf("'''", this.pos);
        if (end < 0) this.fail("unterminated string");
        let extra = 0;
        while (this.src[end + 3 + extra] === "'" && extra < 2) extra++;
        const s = this.src.slice(this.pos, end + extra);
        this.pos = end + 3 + extra;
        return s;
    }

    private array(): TomlValue[] {
        this.pos++;
        const out: TomlValue[] = [];
        for (;;) {
            this.skipBlankAndComments();
            if (this.peek() === "]") {
                this.pos++;
                return out;
            }
            out.push(this.value());
            this.skipBlankAndComments();
            if (this.peek() === ",") this.pos++;
            else if (this.peek() === "]") {
                this.pos++;
                return out;
            } else this.fail("expected ',' or ']' in an array");
        }
    }

    private inlineTable(): TomlTable {
        this.pos++;
        const table: TomlTable = Object.create(null);
        this.inline.add(table);
        this.skipWs();
        if (this.peek() === "}") {
            this.pos++;
            return table;
        }
        for (;;) {
            this.skipWs();
            this.keyValue(table);
            this.skipWs();
            if (this.peek() === ",") this.pos++;
            else if (this.peek() === "}") {
                this.pos++;
                return table;
            } else this.fail("expected ',' or '}' in an inline table");
        }
    }
}

function isTable(v: TomlValue | undefined): v is TomlTable {
    return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof TomlDateTime);
}
