/**
 * The layout of ARCHITECTURE.md, kept by the code: the layer rule of eslint.config.mjs
 * fails an import across the layers (and lets the allowed ones through), no two source
 * files share a name, and no module keeps state outside runtime/program-state.ts.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

const ROOT = path.resolve(__dirname, "../..");

/** Lints each snippet as if it were the file named, with the repository's eslint config; the import rule's messages per case. */
function lintAs(cases: { file: string; code: string }[]): string[][] {
    const script = `
        const { ESLint } = require("eslint");
        (async () => {
            const eslint = new ESLint({ cwd: process.cwd() });
            const cases = JSON.parse(require("fs").readFileSync(0, "utf8"));
            const out = [];
            for (const c of cases) {
                const [result] = await eslint.lintText(c.code, { filePath: c.file });
                out.push(result.messages.filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message));
            }
            process.stdout.write(JSON.stringify(out));
        })().catch((e) => { console.error(e); process.exit(1); });`;
    const run = spawnSync(process.execPath, ["-e", script], {
        cwd: ROOT,
        input: JSON.stringify(cases),
        encoding: "utf8",
        timeout: 120_000,
    });
    if (run.status !== 0) throw new Error(`eslint failed: ${run.stderr}`);
    return JSON.parse(run.stdout);
}

describe("the layer rule (eslint no-restricted-imports per folder)", () => {
    const refused: [string, string, RegExp][] = [
        ["sdk/src/core/image/x.ts", 'import { Image } from "../../spec/schema";', /core\/ may not import spec\//],
        ["sdk/src/core/x.ts", 'import { TaskRun } from "../components/task";', /core\/ may not import components\//],
        ["sdk/src/core/x.ts", 'import * as pulumi from "@pulumi/pulumi";', /may not import Pulumi/],
        ["sdk/src/core/podtemplate/x.ts", 'import type * as k8s from "@pulumi/kubernetes";', /may not import Pulumi/],
        [
            "sdk/src/core/simulator/x.ts",
            'import { parse } from "@bufbuild/cel";',
            /only core\/simulator\/dra\/ imports the CEL/,
        ],
        ["sdk/src/kube/x.ts", 'import * as pulumi from "@pulumi/pulumi";', /kube\/ may not import Pulumi/],
        [
            "sdk/src/build/x.ts",
            'import type { KubeConfig } from "@kubernetes/client-node";',
            /may not import a Kubernetes client library/,
        ],
        [
            "sdk/src/core/simulator/dra/x.ts",
            'import { kubeApi } from "../../../kube/client";',
            /core\/ may not import kube\//,
        ],
        ["sdk/src/core/x.ts", 'import { underMocks } from "../runtime/mocks";', /only runtime\/program-state/],
        ["sdk/src/core/catalog/x.ts", 'import { ValidationError } from "../errors";', /core\/catalog\/ imports only/],
        ["sdk/src/spec/x.ts", 'import { planTask } from "../components/task";', /spec\/ may not import components\//],
        [
            "sdk/src/kube/x.ts",
            'import { inspectRemoteImage } from "../build/registry";',
            /kube\/ may not import build\//,
        ],
        ["sdk/src/net/x.ts", 'import { kubeApi } from "../kube/client";', /net\/ may not import kube\//],
        ["sdk/src/build/x.ts", 'import { underMocks } from "../runtime/mocks";', /build\/ may not import runtime\//],
        ["sdk/src/runtime/x.ts", 'import { ImageBuild } from "../components/image-build";', /runtime\/ may not import/],
        ["sdk/src/components/x.ts", 'import { x } from "../../provider/src/args";', /outside sdk\/src/],
        ["provider/src/x.ts", 'import { kubeApi } from "../../sdk/src/kube/client";', /through its components/],
    ];
    const allowed: [string, string][] = [
        ["sdk/src/core/podtemplate/x.ts", 'import { programSlot } from "../../runtime/program-state";'],
        ["sdk/src/core/placement/x.ts", 'import { FILTERS } from "../simulator/fit";'],
        [
            "sdk/src/core/simulator/dra/x.ts",
            'import { parse } from "@bufbuild/cel";\nimport { ValidationError } from "../../errors";',
        ],
        ["sdk/src/kube/x.ts", 'import type { KubeConfig } from "@kubernetes/client-node";'],
        ["sdk/src/spec/x.ts", 'import { Image } from "../core/image";'],
        ["sdk/src/kube/x.ts", 'import { unreachableBecause } from "../net/causes";'],
        ["sdk/src/runtime/x.ts", 'import { kubeApi } from "../kube/client";'],
        [
            "sdk/src/components/x.ts",
            'import * as pulumi from "@pulumi/pulumi";\nimport { kubeApi } from "../kube/client";',
        ],
        ["provider/src/x.ts", 'import { TaskRun } from "../../sdk/src/components/task";'],
    ];
    const results = lintAs([...refused, ...allowed].map(([file, code]) => ({ file, code: `${code}\nexport {};\n` })));

    test.each(refused.map((c, i) => [...c, i] as const))("%s: %s is refused", (_file, _code, message, i) => {
        expect(results[i]).toHaveLength(1);
        expect(results[i][0]).toMatch(message);
    });

    test.each(allowed.map((c, i) => [...c, refused.length + i] as const))("%s: %s is allowed", (_f, _c, i) => {
        expect(results[i]).toEqual([]);
    });
});

function sourceFiles(): string[] {
    const files: string[] = [];
    for (const dir of ["sdk/src", "provider/src"])
        for (const f of fs.readdirSync(path.join(ROOT, dir), { recursive: true, encoding: "utf8" }))
            if (f.endsWith(".ts")) files.push(path.join(dir, f));
    return files.sort();
}

test("no two source files of sdk/src and provider/src share a name (a folder's entry, index.ts, aside)", () => {
    const byName = new Map<string, string[]>();
    for (const f of sourceFiles()) byName.set(path.basename(f), [...(byName.get(path.basename(f)) ?? []), f]);
    const shared = [...byName].filter(([name, files]) => name !== "index.ts" && files.length > 1);
    expect(shared).toEqual([]);
});

/**
 * Top-level `let`/`var`, and top-level constants made as empty `new Map/Set/WeakMap/WeakSet()`
 * (to be filled while the program runs), of a module. A collection made from its
 * contents is a table.
 */
function moduleState(file: string, text: string): string[] {
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const found: string[] = [];
    for (const statement of source.statements) {
        if (!ts.isVariableStatement(statement)) continue;
        const list = statement.declarationList;
        const mutable = !(list.flags & ts.NodeFlags.Const);
        for (const d of list.declarations) {
            const init = d.initializer;
            const collection =
                init &&
                ts.isNewExpression(init) &&
                /^(Map|Set|WeakMap|WeakSet)$/.test(init.expression.getText(source)) &&
                !init.arguments?.length;
            if (mutable || collection) found.push(`${file}: ${d.name.getText(source)}`);
        }
    }
    return found;
}

test("no module keeps program state of its own: it asks runtime/program-state.ts for a slot", () => {
    const found = sourceFiles()
        .filter((f) => f !== path.join("sdk/src", "runtime", "program-state.ts"))
        .flatMap((f) => moduleState(f, fs.readFileSync(path.join(ROOT, f), "utf8")));
    expect(found).toEqual([]);
    // the check finds what it looks for
    expect(
        moduleState(
            "x.ts",
            "let a = 1;\nconst b = new Map();\nconst c = 2;\nconst t = new Set([1]);\nfunction f() { let d = 0; }",
        ),
    ).toEqual(["x.ts: a", "x.ts: b"]);
});
