/**
 * The Python SDK the Pulumi CLI generates from provider/ (`pulumi package gen-sdk`):
 * every enum member has its readable name (`DeviceClass.AMD_GPU`,
 * `NodeSelectorOperator.DOES_NOT_EXIST`, `Architecture.LINUX_AMD64`), read from the
 * generated source, for every value of every enum of the package schema.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { COMPONENTS } from "../../sdk/src/spec/schema";
import { markOf, unwrapSpec } from "../../sdk/src/spec/kit";
import { REPO } from "./workspace";

jest.setTimeout(5 * 60_000);

const OUT = path.join(REPO, ".work", "e2e-python-sdk");

/** Every enum of the data form: its type name and readable member name by value. */
function dataFormEnums(): Map<string, Record<string, string>> {
    const out = new Map<string, Record<string, string>>();
    const seen = new Set<z.ZodTypeAny>();
    const visit = (schema: z.ZodTypeAny) => {
        const { inner } = unwrapSpec(schema);
        if (seen.has(inner)) return;
        seen.add(inner);
        const m = markOf(inner);
        if (inner instanceof z.ZodEnum && m.name) out.set(m.name, { ...m.members! });
        else if (inner instanceof z.ZodObject) Object.values(inner.shape).forEach((f) => visit(f as z.ZodTypeAny));
        else if (inner instanceof z.ZodArray) visit(inner.element);
        else if (inner instanceof z.ZodRecord) visit(inner.valueSchema);
        else if (inner instanceof z.ZodUnion) (inner.options as z.ZodTypeAny[]).forEach(visit);
    };
    Object.values(COMPONENTS).forEach((c) => visit(c.args));
    return out;
}

/** `class DeviceClass(builtins.str, Enum):` ... `    AMD_GPU = "AMD_GPU"` -> members by class. */
function generatedEnums(source: string): Map<string, Record<string, string>> {
    const out = new Map<string, Record<string, string>>();
    let current: Record<string, string> | undefined;
    for (const line of source.split("\n")) {
        const cls = /^class (\w+)\(.*Enum\):/.exec(line);
        if (cls) {
            current = {};
            out.set(cls[1], current);
            continue;
        }
        if (/^\S/.test(line)) current = undefined;
        const member = /^ {4}(\w+) = "(.*)"$/.exec(line);
        if (member && current) current[JSON.parse(`"${member[2]}"`)] = member[1];
    }
    return out;
}

test("every enum member of the generated Python SDK has its readable name", () => {
    fs.rmSync(OUT, { recursive: true, force: true });
    execFileSync(
        "pulumi",
        ["package", "gen-sdk", path.join(REPO, "provider"), "--language", "python", "--local", "-o", OUT],
        {
            stdio: "pipe",
            env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" },
        },
    );
    const enumsFile = execFileSync("find", [OUT, "-name", "_enums.py"], { encoding: "utf8" }).trim();
    expect(enumsFile).not.toBe("");
    const generated = generatedEnums(fs.readFileSync(enumsFile, "utf8"));
    // Python keywords get PEP 8's trailing underscore (`NodeSelectorOperator.IN_`): the generator adds it
    const keywords = new Set(
        execFileSync("python3", ["-c", "import keyword; print(' '.join(keyword.kwlist))"], { encoding: "utf8" })
            .trim()
            .split(" "),
    );
    const readable = (name: string) => (keywords.has(name.toLowerCase()) ? `${name}_` : name);

    const mangled: string[] = [];
    const expected = dataFormEnums();
    expect(expected.size).toBeGreaterThan(10);
    for (const [type, members] of expected) {
        const got = generated.get(type);
        if (!got) {
            mangled.push(`${type}: not in the generated SDK`);
            continue;
        }
        for (const [value, name] of Object.entries(members)) {
            if (got[value] !== readable(name))
                mangled.push(
                    `${type}.${got[value] ?? "(missing)"} for ${JSON.stringify(value)}: expected ${readable(name)}`,
                );
        }
    }
    expect(mangled).toEqual([]);
    // the cases the issue names
    expect(generated.get("DeviceClass")).toMatchObject({ AMD_GPU: "AMD_GPU", HABANA_GAUDI: "HABANA_GAUDI" });
    expect(generated.get("NodeSelectorOperator")).toMatchObject({ NotIn: "NOT_IN", DoesNotExist: "DOES_NOT_EXIST" });
    expect(generated.get("Architecture")).toMatchObject({ "linux/amd64": "LINUX_AMD64" });
    expect(generated.get("DeviceName")).toMatchObject({
        A100_80G: "A100_80G",
        RTX_PRO_6000: "RTX_PRO_6000",
        RTX_PRO_4500: "RTX_PRO_4500",
        "T4 shared": "T4_SHARED",
        L40s: "L40S",
    });
    expect(generated.get("CatalogColumn")).toMatchObject({
        eksNodeGroup: "EKS_NODE_GROUP",
        ec2InstanceTypes: "EC2_INSTANCE_TYPES",
    });
});
