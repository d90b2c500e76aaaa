/**
 * The directory relative paths in a program's arguments are resolved from: the
 * program's own. The engine starts this provider with the program's working directory
 * (it passes the command's directory to the plugin), so that is the current directory.
 */
export function programDirectory(): string {
    return process.cwd();
}
