/**
 * Each option documented once: the data form's schema text (sdk/src/spec/schema.ts) is
 * what the flyte package's schema (provider/src/args.ts, generated), the README's option
 * tables (scripts/gen-option-docs.ts) and the TypeScript API's docs say, word for word.
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { README, optionTexts, withOptionTables } from "../../../scripts/gen-option-docs";

const ROOT = path.resolve(__dirname, "../../..");

/** The doc comment of each member of an interface, by member name. */
function memberDocs(file: string, name: string): Map<string, string> {
    const source = ts.createSourceFile(
        file,
        fs.readFileSync(path.join(ROOT, file), "utf8"),
        ts.ScriptTarget.Latest,
        true,
    );
    const docs = new Map<string, string>();
    const visit = (node: ts.Node): void => {
        if (ts.isInterfaceDeclaration(node) && node.name.text === name)
            for (const m of node.members) {
                const text = ts
                    .getJSDocCommentsAndTags(m)
                    .map((d) => (typeof d.comment === "string" ? d.comment : ""))
                    .join(" ");
                docs.set(m.name!.getText(source), text.replace(/\s+/g, " ").trim());
            }
        ts.forEachChild(node, visit);
    };
    visit(source);
    return docs;
}

test("the README's option tables are the schema's text (run scripts/gen-option-docs.ts after changing it)", () => {
    const readme = fs.readFileSync(README, "utf8");
    expect(readme).toContain("<!-- options: ImageBuildSettings -->");
    expect(withOptionTables(readme)).toBe(readme);
});

test.each([["sdk/src/components/image-build-settings.ts", "ImageBuildOptions", "ImageBuildSettings"]])(
    "%s: the docs of %s are the schema's %s text",
    (file, iface, schemaName) => {
        const docs = memberDocs(file, iface);
        const texts = optionTexts(schemaName);
        expect([...docs.keys()]).toEqual(texts.map(([key]) => key));
        for (const [key, text] of texts) expect(`${key}: ${docs.get(key)}`).toBe(`${key}: ${text}`);
    },
);

test("flyte:buildNetwork, the build network's default, is named wherever the option is documented", () => {
    const readme = fs.readFileSync(README, "utf8");
    const text = Object.fromEntries(optionTexts("ImageBuildSettings")).network;
    expect(text).toContain("flyte:buildNetwork");
    expect(readme).toContain(text);
    expect(fs.readFileSync(path.join(ROOT, "provider/src/args.ts"), "utf8")).toContain(text);
});
