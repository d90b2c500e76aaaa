/**
 * Lists what the package root exports (`sdk/src/index.ts`, or the file given), one name
 * a line with its kind (class, function, const, type, interface), sorted: the public API
 * as a user of `pulumi-flyte` sees it. `npx ts-node --transpile-only scripts/list-exports.ts`
 */
import * as path from "path";
import * as ts from "typescript";

const entry = path.resolve(process.argv[2] ?? path.join(__dirname, "..", "sdk", "src", "index.ts"));
const program = ts.createProgram([entry], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    noEmit: true,
    skipLibCheck: true,
});
const checker = program.getTypeChecker();
const source = program.getSourceFile(entry);
if (!source) throw new Error(`cannot read ${entry}`);
const moduleSymbol = checker.getSymbolAtLocation(source);
if (!moduleSymbol) throw new Error(`${entry} is not a module`);

function kindOf(symbol: ts.Symbol): string {
    const s = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    const f = s.flags;
    if (f & ts.SymbolFlags.Class) return "class";
    if (f & ts.SymbolFlags.Function) return "function";
    if (f & ts.SymbolFlags.Enum) return "enum";
    if (f & ts.SymbolFlags.Variable) return "const";
    if (f & ts.SymbolFlags.Interface) return "interface";
    if (f & ts.SymbolFlags.TypeAlias) return "type";
    return "other";
}

const rows = checker.getExportsOfModule(moduleSymbol).map((s) => `${s.getName()}\t${kindOf(s)}`);
rows.sort((a, b) => a.localeCompare(b));
process.stdout.write(rows.join("\n") + "\n");
