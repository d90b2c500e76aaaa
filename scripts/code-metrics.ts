/**
 * Size metrics of the package's source (sdk/src and provider/src, or the folders given),
 * measured the same way before and after a refactoring: the largest files by line count,
 * and every function longer than a limit (declarations, methods, constructors, accessors,
 * function expressions and arrow functions, each counted on its own: a nested function's
 * lines count for it and for the function around it).
 *   npx ts-node --transpile-only scripts/code-metrics.ts [--largest 5] [--over 60] [dir...]
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

const ROOT = path.resolve(__dirname, "..");

export interface FunctionSize {
    file: string;
    name: string;
    line: number;
    lines: number;
}

/** Every .ts file (not .d.ts) below the folders, relative to the repository, sorted. */
export function sourceFiles(dirs: string[]): string[] {
    const files: string[] = [];
    for (const dir of dirs) {
        const abs = path.resolve(ROOT, dir);
        for (const f of fs.readdirSync(abs, { recursive: true, encoding: "utf8" }))
            if (f.endsWith(".ts") && !f.endsWith(".d.ts")) files.push(path.relative(ROOT, path.join(abs, f)));
    }
    return files.sort();
}

export function lineCount(text: string): number {
    return text.length === 0 ? 0 : text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
}

function nameOf(node: ts.Node, source: ts.SourceFile): string {
    const named = node as { name?: ts.Node };
    if (named.name) return named.name.getText(source);
    if (ts.isConstructorDeclaration(node)) return "constructor";
    // an unnamed function takes the name it is bound to: `const f = () => ...`, `{ f: () => ... }`
    const parent = node.parent;
    if (
        parent &&
        (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent))
    )
        return parent.name.getText(source);
    if (parent && ts.isCallExpression(parent)) return `<callback of ${parent.expression.getText(source).slice(0, 40)}>`;
    return "<anonymous>";
}

/** The functions of one file with their lengths in lines (first line of the function to its last). */
export function functionSizes(file: string, text: string): FunctionSize[] {
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const sizes: FunctionSize[] = [];
    const visit = (node: ts.Node): void => {
        if (ts.isFunctionLike(node) && (node as { body?: ts.Node }).body) {
            const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
            const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
            sizes.push({ file, name: nameOf(node, source), line: start + 1, lines: end - start + 1 });
        }
        ts.forEachChild(node, visit);
    };
    visit(source);
    return sizes;
}

function main(): void {
    const args = process.argv.slice(2);
    let largest = 5;
    let over = 60;
    const dirs: string[] = [];
    for (let i = 0; i < args.length; i++) {
        if (args[i] === "--largest") largest = Number(args[++i]);
        else if (args[i] === "--over") over = Number(args[++i]);
        else dirs.push(args[i]);
    }
    const files = sourceFiles(dirs.length ? dirs : ["sdk/src", "provider/src"]);
    const texts = new Map(files.map((f) => [f, fs.readFileSync(path.join(ROOT, f), "utf8")]));
    const bySize = files.map((f) => ({ file: f, lines: lineCount(texts.get(f)!) })).sort((a, b) => b.lines - a.lines);
    const total = bySize.reduce((n, f) => n + f.lines, 0);
    console.log(`files: ${files.length}, lines: ${total}`);
    console.log(`largest ${largest}:`);
    for (const f of bySize.slice(0, largest)) console.log(`  ${String(f.lines).padStart(5)}  ${f.file}`);
    const long = files
        .flatMap((f) => functionSizes(f, texts.get(f)!))
        .filter((s) => s.lines > over)
        .sort((a, b) => b.lines - a.lines || a.file.localeCompare(b.file));
    console.log(`functions over ${over} lines: ${long.length}`);
    for (const s of long) console.log(`  ${String(s.lines).padStart(5)}  ${s.file}:${s.line} ${s.name}`);
}

if (require.main === module) main();
