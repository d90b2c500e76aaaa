import { parseUvScript, uvScriptHashText } from "../../../sdk/src/core/image";
import { parseToml } from "../../../sdk/src/core/image/toml";
import { pyRepr } from "../../../sdk/src/core/image/pycompat";
import { validationError } from "./helpers";

describe("uv script metadata", () => {
    const parse = (text: string) => parseUvScript(text, "s.py", "fromUvScript.script");

    it("reads the block as flyte-sdk does and renders its Python repr for the tag", () => {
        const meta = parse(`#!/usr/bin/env -S uv run --script
# /// script
# requires-python = ">=3.12"
# dependencies = [
#   "httpx",  # comment
#   'rich>=13',
# ]
# [tool.uv]
# exclude-newer = "2025-01-01T00:00:00Z"
# ///
print("hi")
`);
        expect(meta.dependencies).toEqual(["httpx", "rich>=13"]);
        expect(uvScriptHashText(meta)).toBe(
            "(UVScriptMetadata(requires_python='>=3.12', dependencies=['httpx', 'rich>=13'], pyprojects=[], tool={'uv': ToolUVConfig(exclude_newer='2025-01-01T00:00:00Z')}),)",
        );
        expect(uvScriptHashText(parse("# /// script\n# ///\n"))).toBe(
            "(UVScriptMetadata(requires_python=None, dependencies=[], pyprojects=[], tool=None),)",
        );
        expect(uvScriptHashText(parse("# /// script\n# [tool.uv]\n# index-url = 'https://x'\n# ///\n"))).toContain(
            "tool={'uv': ToolUVConfig(exclude_newer=None)}",
        );
        expect(
            uvScriptHashText(parse("# /// script\n# dependencies = [\"a; python_version < '3.11'\"]\n# ///\n")),
        ).toContain(`dependencies=["a; python_version < '3.11'"]`);
    });

    it("matches flyte-sdk on odd layouts (checked against flyte 2.12.1)", () => {
        const cases: [string, string][] = [
            [
                '# /// script\n# requires-python = \'>=3.10\'\n# dependencies = ["a", \'b>=1\',\n#    "c[x,y] ; python_version >= \'3.9\'" ,\n# ]\n# [tool.uv]\n# exclude-newer = "2024-06-01T00:00:00Z"\n# index-url = "https://x"\n# ///\n',
                "(UVScriptMetadata(requires_python='>=3.10', dependencies=['a', 'b>=1', \"c[x,y] ; python_version >= '3.9'\"], pyprojects=[], tool={'uv': ToolUVConfig(exclude_newer='2024-06-01T00:00:00Z')}),)",
            ],
            [
                '#!/usr/bin/env python\n"""doc"""\n# /// script\n#dependencies = [   ]\n#   [tool.other]\n#   x = 1\n# ///\n# /// script\n# dependencies = ["ignored-second-block"]\n# ///\n',
                "(UVScriptMetadata(requires_python=None, dependencies=[], pyprojects=[], tool=None),)",
            ],
            [
                '# /// script\n# requires-python = ">=3.11"\n# dependencies = [\n#   "requests",  # trailing comment with ] and "quotes"\n# ]\n# [tool.uv]\n# [[tool.uv.index]]\n# url = "https://example.com"\n# ///\n',
                "(UVScriptMetadata(requires_python='>=3.11', dependencies=['requests'], pyprojects=[], tool={'uv': ToolUVConfig(exclude_newer=None)}),)",
            ],
            [
                '# /// script\r\n# dependencies = ["crlf"]\r\n# ///\r\n',
                "(UVScriptMetadata(requires_python=None, dependencies=['crlf'], pyprojects=[], tool=None),)",
            ],
        ];
        for (const [text, expected] of cases) expect(uvScriptHashText(parse(text))).toBe(expected);
    });

    it("rejects bad metadata with the field named", () => {
        expect(validationError(() => parse("print(1)\n")).field).toBe("fromUvScript.script");
        expect(validationError(() => parse("# /// script\n# dependencies = [\n# ///\n")).message).toContain(
            "valid TOML",
        );
        expect(validationError(() => parse("# /// script\n# dependencies = ['x; rm -rf /']\n# ///\n")).field).toBe(
            "fromUvScript.script.dependencies[0]",
        );
        expect(validationError(() => parse("# /// script\n# requires-python = 3\n# ///\n")).field).toBe(
            "fromUvScript.script.requires-python",
        );
        expect(
            validationError(() => parse("# /// script\n# [tool.uv]\n# exclude-newer = 2025-01-01T00:00:00Z\n# ///\n"))
                .field,
        ).toBe("fromUvScript.script.tool.uv.exclude-newer");
    });
});

describe("TOML subset", () => {
    it("parses tables, arrays of tables, dotted keys, strings and scalars", () => {
        const t = parseToml(`
a = "x\\ty\\u00e9"
b = 'lit\\eral'
c = """
multi
line"""
d = [1, 2.5, true, -3, 0x10, 1_000]
"quoted key" = { x = 1, y = [ "a", ] }
e.f = "dotted"
[tool.uv]
exclude-newer = "2025"
[[tool.uv.index]]
url = "https://a"
[[tool.uv.index]]
url = "https://b"
`);
        expect(JSON.parse(JSON.stringify(t))).toEqual({
            a: "x\tyé",
            b: "lit\\eral",
            c: "multi\nline",
            d: [1, 2.5, true, -3, 16, 1000],
            "quoted key": { x: 1, y: ["a"] },
            e: { f: "dotted" },
            tool: { uv: { "exclude-newer": "2025", index: [{ url: "https://a" }, { url: "https://b" }] } },
        });
    });

    it("rejects malformed documents", () => {
        for (const bad of ['a = "open', "a = 1\na = 2", "[t]\n[t]", "a = [1 2]", "= 1", 'a = "x" junk']) {
            expect(() => parseToml(bad)).toThrow(/line \d+/);
        }
    });

    it("rejects what TOML 1.0 forbids and a hand-written reader let through", () => {
        // doubled digit separators, an integer beyond int64
        for (const bad of ["a = 1__0", "a = 9999999999999999999999"]) {
            expect(() => parseToml(bad)).toThrow(/line 1: /);
        }
    });
});

describe("Python repr", () => {
    it("quotes like CPython", () => {
        expect(pyRepr("abc")).toBe("'abc'");
        expect(pyRepr("it's")).toBe(`"it's"`);
        expect(pyRepr(`it's "x"`)).toBe(`'it\\'s "x"'`);
        expect(pyRepr("a\\b\n\t\x01")).toBe("'a\\\\b\\n\\t\\x01'");
        expect(pyRepr("héllo")).toBe("'héllo'");
        expect(pyRepr("\u00a0\u200b")).toBe("'\\xa0\\u200b'");
    });
});
