// Writes provider/dist/schema.json: the flyte package's schema as the Pulumi CLI would
// infer it from provider/src (the same @pulumi/pulumi analyser and schema generator,
// plus the types' documentation the generator drops), once at build time, so the
// plugin serves it without analysing its sources on every start.
// Run by `npm run build` in provider/.
import * as fs from "fs";
import * as path from "path";
import { Analyzer } from "@pulumi/pulumi/provider/experimental/analyzer";
import { generateSchema } from "@pulumi/pulumi/provider/experimental/schema";

const dir = path.resolve(__dirname, "../provider");
const packageJSON = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
const names = new Set(["TaskEnvironment", "ImageBuild", "SecretStore", "Queue"]);
const { components, typeDefinitions, dependencies } = new Analyzer(dir, packageJSON.name, packageJSON, names).analyze();
const schema = generateSchema(
    packageJSON.name,
    packageJSON.version,
    packageJSON.description,
    components,
    typeDefinitions,
    dependencies,
);
// The generator leaves out the types' own documentation, which the analyser did read:
// keep it, so the generated SDKs document their argument classes and enums too.
for (const [name, type] of Object.entries(typeDefinitions)) {
    const target = schema.types?.[`${packageJSON.name}:index:${name}`];
    if (target && type.description) target.description = type.description;
}
// the analyser's bookkeeping (`optional`, empty `required`) is not part of a package schema
const clean = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(clean);
    if (!value || typeof value !== "object") return value;
    return Object.fromEntries(
        Object.entries(value)
            .filter(([k, v]) => k !== "optional" && !(k === "required" && Array.isArray(v) && v.length === 0))
            .map(([k, v]) => [k, clean(v)]),
    );
};
Object.assign(schema, clean(schema));
fs.mkdirSync(path.join(dir, "dist"), { recursive: true });
fs.writeFileSync(path.join(dir, "dist", "schema.json"), JSON.stringify(schema));
console.log(
    `wrote provider/dist/schema.json (${Object.keys(schema.resources ?? {}).length} components, ${Object.keys(schema.types ?? {}).length} types)`,
);
