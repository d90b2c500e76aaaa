// The plugin's entry point (package.json `main`): serves the flyte package with the
// schema generated at build time (dist/schema.json, by scripts/build-schema.ts) instead
// of having @pulumi/pulumi analyse the TypeScript sources on every start, which took
// 10-20 s of blocked event loop per plugin start and made network calls started by a
// component (the registry lookup) time out. The schema is the analyser's, unchanged.
import * as pulumi from "@pulumi/pulumi";
import * as provider from "@pulumi/pulumi/provider";
import * as fs from "fs";
import * as path from "path";
import { ImageBuild, Queue, SecretStore, TaskEnvironment } from "./index";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each component takes its own arguments; the engine's inputs are checked by the component
type ComponentClass = new (name: string, args: any, opts?: pulumi.ComponentResourceOptions) => pulumi.ComponentResource;
const COMPONENTS: Record<string, ComponentClass> = { TaskEnvironment, ImageBuild, SecretStore, Queue };

const packageDir = path.resolve(__dirname, "../../..");
const schemaText = fs.readFileSync(path.join(packageDir, "dist", "schema.json"), "utf8");
const schema = JSON.parse(schemaText) as {
    name: string;
    version: string;
    resources: Record<string, { properties?: Record<string, unknown> }>;
};

class FlyteProvider implements provider.Provider {
    readonly version = schema.version;

    async getSchema(): Promise<string> {
        return schemaText;
    }

    async construct(
        name: string,
        type: string,
        inputs: pulumi.Inputs,
        options: pulumi.ComponentResourceOptions,
    ): Promise<provider.ConstructResult> {
        const [pkg, mod, className] = type.split(":");
        const component = pkg === schema.name && (mod === "index" || mod === "") ? COMPONENTS[className] : undefined;
        if (!component)
            throw new Error(
                `unknown resource type ${type}; the ${schema.name} package has ${Object.keys(COMPONENTS).join(", ")}`,
            );
        const instance = new component(name, inputs, options) as pulumi.ComponentResource & Record<string, unknown>;
        const outputs = Object.keys(schema.resources[type]?.properties ?? {});
        return { urn: instance.urn, state: Object.fromEntries(outputs.map((k) => [k, instance[k]])) };
    }
}

provider.main(new FlyteProvider(), process.argv.slice(2)).catch((err) => {
    console.error(err);
    process.exit(1);
});
