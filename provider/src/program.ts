import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { programSlot } from "../../sdk/src/runtime/program-state";
import { NamingStyle } from "../../sdk/src/spec/caller-terms";

/**
 * The directory relative paths in a program's arguments are resolved from: the
 * program's own. The engine starts this provider with the program's working directory
 * (it passes the command's directory to the plugin), so that is the current directory.
 */
export function programDirectory(): string {
    return process.cwd();
}

const memo = programSlot("naming style", () => ({ style: undefined as NamingStyle | undefined }));

/**
 * How the calling program spells the package's fields, from its project file's
 * runtime: Python's SDK uses snake_case (`cpu_limit`), every other language the
 * schema's names. Errors name fields the way the program wrote them.
 */
export function namingStyle(): NamingStyle {
    const m = memo();
    if (m.style === undefined) {
        let style: NamingStyle = "schema";
        for (const file of ["Pulumi.yaml", "Pulumi.yml"]) {
            const p = path.join(programDirectory(), file);
            if (!fs.existsSync(p)) continue;
            try {
                const runtime = (yaml.load(fs.readFileSync(p, "utf8")) as { runtime?: string | { name?: string } })
                    ?.runtime;
                style = (typeof runtime === "string" ? runtime : runtime?.name) === "python" ? "snake_case" : "schema";
            } catch {
                // an unreadable project file: the engine reports it; keep the schema's names
            }
            break;
        }
        m.style = style;
    }
    return m.style;
}
