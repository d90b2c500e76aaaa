// Writes the README's option tables from the data-form schemas (sdk/src/spec/schema.ts):
// each option's text is its schema's `.describe()`, the one text the flyte package's
// schema (provider/src/args.ts) and the TypeScript docs carry too. A table sits between
// `<!-- options: <Schema> -->` and `<!-- /options -->`; tests/unit/spec/option-docs.test.ts
// fails when one is stale. Run: npx ts-node --transpile-only scripts/gen-option-docs.ts
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import * as schema from "../sdk/src/spec/schema";

export const README = path.resolve(__dirname, "../README.md");
const BLOCK = /(<!-- options: (\w+) -->\n)[\s\S]*?(<!-- \/options -->)/g;

/** The options of a data-form object schema: name and text, in the schema's order. */
export function optionTexts(name: string): [string, string][] {
    const object = (schema as Record<string, unknown>)[name];
    if (!(object instanceof z.ZodObject)) throw new Error(`sdk/src/spec/schema.ts has no object schema ${name}`);
    return Object.entries(object.shape as z.ZodRawShape).map(([key, field]) => [key, field.description ?? ""]);
}

export function optionTable(name: string): string {
    const rows = optionTexts(name).map(([key, text]) => `| \`${key}\` | ${text.replace(/\|/g, "\\|")} |`);
    return ["| option | |", "|---|---|", ...rows, ""].join("\n");
}

/** The README with every option table written again. */
export function withOptionTables(readme: string): string {
    return readme.replace(
        BLOCK,
        (_all, open: string, name: string, close: string) => `${open}${optionTable(name)}${close}`,
    );
}

if (require.main === module) {
    fs.writeFileSync(README, withOptionTables(fs.readFileSync(README, "utf8")));
    console.log("wrote the option tables of README.md");
}
