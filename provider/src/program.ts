import * as path from "path";

/**
 * The directory relative paths in a program's arguments are resolved from. The engine
 * starts this provider in the package's own directory, not the program's, so the
 * program's directory comes from the environment the CLI passes on (PULUMI_FLYTE_PROGRAM_DIR
 * wins; else the working directory of the `pulumi` command, $PWD).
 */
export function programDirectory(): string | undefined {
    const dir = process.env.PULUMI_FLYTE_PROGRAM_DIR ?? process.env.PWD;
    return dir ? path.resolve(dir) : undefined;
}
