// Writes provider/dist/schema.json: the flyte package's schema as the Pulumi CLI would
// infer it from provider/src (the same @pulumi/pulumi analyser and schema generator),
// once at build time, so the plugin serves it without analysing its sources per start.
// Run by `npm run build` in provider/.
import * as fs from "fs";
import * as path from "path";
import { Analyzer } from "@pulumi/pulumi/provider/experimental/analyzer";
import { generateSchema } from "@pulumi/pulumi/provider/experimental/schema";

const dir = path.resolve(__dirname, "../provider");
const packageJSON = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
const names = new Set(["TaskEnvironment", "ImageBuild", "SecretStore"]);
const { components, typeDefinitions, dependencies } = new Analyzer(dir, packageJSON.name, packageJSON, names).analyze();
const schema = generateSchema(packageJSON.name, packageJSON.version, packageJSON.description, components, typeDefinitions, dependencies);
fs.mkdirSync(path.join(dir, "dist"), { recursive: true });
fs.writeFileSync(path.join(dir, "dist", "schema.json"), JSON.stringify(schema));
console.log(`wrote provider/dist/schema.json (${Object.keys(schema.resources ?? {}).length} components, ${Object.keys(schema.types ?? {}).length} types)`);
