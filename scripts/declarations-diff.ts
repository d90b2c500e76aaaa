/**
 * Compares two builds of the package's declarations (the dist/ folders of two `npm pack`s)
 * for what a user's compiler sees, not for the order tsc happened to print things in:
 * each .d.ts is printed again with the members of interfaces and type literals and the
 * constituents of unions sorted, and relative import specifiers replaced by the module's
 * path in dist (a moved module by its new path).
 * Files are paired by path, or by the moves given as `old=new` (module paths without
 * .d.ts, relative to dist).
 *   npx ts-node --transpile-only scripts/declarations-diff.ts <before/dist> <after/dist> [old=new ...]
 * Prints the differences per file; exits 0.
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

function declarationFiles(dir: string): string[] {
    return fs
        .readdirSync(dir, { recursive: true, encoding: "utf8" })
        .filter((f) => f.endsWith(".d.ts"))
        .map((f) => f.replace(/\\/g, "/").replace(/\.d\.ts$/, ""))
        .sort();
}

/** A .d.ts printed in a canonical order. */
export function canonical(text: string, moduleName: (spec: string) => string): string {
    const source = ts.createSourceFile("x.d.ts", text, ts.ScriptTarget.Latest, true);
    const printer = ts.createPrinter({ removeComments: true });
    const print = (n: ts.Node) => printer.printNode(ts.EmitHint.Unspecified, n, source);
    const sortBy = <T extends ts.Node>(nodes: readonly T[]) =>
        [...nodes].sort((a, b) => print(a).localeCompare(print(b)));
    const visit = (node: ts.Node): ts.Node => {
        const n = ts.visitEachChild(node, visit, undefined);
        if (ts.isUnionTypeNode(n))
            return ts.factory.updateUnionTypeNode(n, ts.factory.createNodeArray(sortBy(n.types)));
        if (ts.isTypeLiteralNode(n))
            return ts.factory.updateTypeLiteralNode(n, ts.factory.createNodeArray(sortBy(n.members)));
        if (ts.isInterfaceDeclaration(n))
            return ts.factory.updateInterfaceDeclaration(
                n,
                n.modifiers,
                n.name,
                n.typeParameters,
                n.heritageClauses,
                sortBy(n.members),
            );
        if (ts.isStringLiteral(n) && n.parent && (ts.isImportDeclaration(n.parent) || ts.isLiteralTypeNode(n.parent)))
            return n.text.startsWith(".") ? ts.factory.createStringLiteral(moduleName(n.text)) : n;
        if (ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) {
            const spec = n.moduleSpecifier;
            if (spec && ts.isStringLiteral(spec) && spec.text.startsWith("."))
                return ts.isImportDeclaration(n)
                    ? ts.factory.updateImportDeclaration(
                          n,
                          n.modifiers,
                          n.importClause,
                          ts.factory.createStringLiteral(moduleName(spec.text)),
                          n.attributes,
                      )
                    : ts.factory.updateExportDeclaration(
                          n,
                          n.modifiers,
                          n.isTypeOnly,
                          n.exportClause,
                          ts.factory.createStringLiteral(moduleName(spec.text)),
                          n.attributes,
                      );
        }
        if (ts.isImportTypeNode(n) && ts.isLiteralTypeNode(n.argument) && ts.isStringLiteral(n.argument.literal)) {
            const text = n.argument.literal.text;
            if (text.startsWith("."))
                return ts.factory.updateImportTypeNode(
                    n,
                    ts.factory.createLiteralTypeNode(ts.factory.createStringLiteral(moduleName(text))),
                    n.attributes,
                    n.qualifier,
                    n.typeArguments,
                    n.isTypeOf,
                );
        }
        return n;
    };
    const result = ts.visitNode(source, visit) as ts.SourceFile;
    return printer.printFile(result);
}

function main(): void {
    const [before, after, ...moveArgs] = process.argv.slice(2);
    const moves = new Map(moveArgs.map((m) => m.split("=") as [string, string]));
    // an import's module (relative to dist), with a moved module called by its new path
    const resolver = (file: string, moved: boolean) => (spec: string) => {
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
        const module = fs.existsSync(path.join(moved ? before : after, target, "index.d.ts"))
            ? `${target}/index`
            : target;
        return moved ? (moves.get(module) ?? module) : module;
    };
    const a = declarationFiles(before);
    const b = new Set(declarationFiles(after));
    const paired = new Set<string>();
    let differences = 0;
    for (const file of a) {
        const target = moves.get(file) ?? file;
        if (!b.has(target)) {
            console.log(`--- ${file}: no longer published`);
            differences++;
            continue;
        }
        paired.add(target);
        const x = canonical(fs.readFileSync(path.join(before, `${file}.d.ts`), "utf8"), resolver(file, true)).split(
            "\n",
        );
        const y = canonical(fs.readFileSync(path.join(after, `${target}.d.ts`), "utf8"), resolver(target, false)).split(
            "\n",
        );
        const gone = x.filter((l) => !y.includes(l));
        const added = y.filter((l) => !x.includes(l));
        if (!gone.length && !added.length) continue;
        differences++;
        console.log(`--- ${file}${target !== file ? ` -> ${target}` : ""}`);
        for (const l of gone) console.log(`  - ${l}`);
        for (const l of added) console.log(`  + ${l}`);
    }
    for (const file of b)
        if (!paired.has(file)) {
            console.log(`+++ ${file}: new`);
            differences++;
        }
    console.log(differences ? `${differences} files differ` : "no difference");
}

if (require.main === module) main();
