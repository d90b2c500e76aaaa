// The import graph of sdk/src: every module's relative imports (type-only imports
// included: they tie the modules' declarations together just the same), and the cycles
// in it. Run: npx ts-node --transpile-only scripts/import-cycles.ts (exits 1 on a cycle);
// tests/unit/import-graph.test.ts runs it in `npm test`.
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

export const SDK_SRC = path.resolve(__dirname, "../sdk/src");

/** Module (path relative to `root`, without .ts) -> the modules it imports. */
export function importGraph(root: string = SDK_SRC): Map<string, string[]> {
    const graph = new Map<string, string[]>();
    const files = fs
        .readdirSync(root, { recursive: true, encoding: "utf8" })
        .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"));
    for (const file of files) {
        const from = path.join(root, file);
        const { importedFiles } = ts.preProcessFile(fs.readFileSync(from, "utf8"), true, true);
        const targets = importedFiles
            .map((i) => i.fileName)
            .filter((spec) => spec.startsWith("."))
            .map((spec) => resolve(path.resolve(path.dirname(from), spec)))
            .map((target) => moduleName(root, target));
        graph.set(moduleName(root, from), [...new Set(targets)].sort());
    }
    return graph;
}

function resolve(target: string): string {
    if (fs.existsSync(`${target}.ts`)) return `${target}.ts`;
    if (fs.existsSync(path.join(target, "index.ts"))) return path.join(target, "index.ts");
    throw new Error(`cannot resolve import ${target}`);
}

function moduleName(root: string, file: string): string {
    return path.relative(root, file).replace(/\\/g, "/").replace(/\.ts$/, "");
}

/** Every strongly connected set of two or more modules (or one importing itself), each as one cycle through it. */
export function importCycles(graph: Map<string, string[]>): string[][] {
    // Tarjan's algorithm, iterative over the (small) graph
    let index = 0;
    const order = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const cycles: string[][] = [];
    const visit = (node: string): void => {
        order.set(node, index);
        low.set(node, index++);
        stack.push(node);
        onStack.add(node);
        for (const next of graph.get(node) ?? []) {
            if (!order.has(next)) {
                visit(next);
                low.set(node, Math.min(low.get(node)!, low.get(next)!));
            } else if (onStack.has(next)) {
                low.set(node, Math.min(low.get(node)!, order.get(next)!));
            }
        }
        if (low.get(node) === order.get(node)) {
            const members: string[] = [];
            let member: string;
            do {
                member = stack.pop()!;
                onStack.delete(member);
                members.push(member);
            } while (member !== node);
            if (members.length > 1 || (graph.get(node) ?? []).includes(node))
                cycles.push(cycleThrough(graph, new Set(members)));
        }
    };
    for (const node of [...graph.keys()].sort()) if (!order.has(node)) visit(node);
    return cycles;
}

/** One cycle inside a strongly connected set, from its first module back to it (a -> b -> a). */
function cycleThrough(graph: Map<string, string[]>, members: Set<string>): string[] {
    const start = [...members].sort()[0];
    const previous = new Map<string, string>();
    const queue = [start];
    while (queue.length) {
        const node = queue.shift()!;
        for (const next of graph.get(node) ?? []) {
            if (!members.has(next)) continue;
            if (next === start) {
                const path = [start];
                for (let n = node; n !== start; n = previous.get(n)!) path.splice(1, 0, n);
                return [...path, start];
            }
            if (!previous.has(next)) {
                previous.set(next, node);
                queue.push(next);
            }
        }
    }
    return [start, start];
}

if (require.main === module) {
    const cycles = importCycles(importGraph());
    for (const cycle of cycles) console.log(`import cycle: ${cycle.join(" -> ")}`);
    if (cycles.length === 0) console.log("sdk/src: no import cycles");
    process.exitCode = cycles.length ? 1 : 0;
}
