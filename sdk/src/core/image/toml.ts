import { TomlError as ParseError, parse } from "smol-toml";

/**
 * TOML for PEP 723 `# /// script` blocks, read with smol-toml (TOML 1.0). Only the
 * extracted strings enter the image tag, so the parser decides what is accepted, not
 * what is hashed. Date-times come back as `Date` (smol-toml's TomlDate).
 */

/** A malformed document: `line N: why`. */
export class TomlError extends Error {
    constructor(
        message: string,
        readonly line: number,
    ) {
        super(`line ${line}: ${message}`);
        this.name = "TomlError";
    }
}

export type TomlValue = string | number | bigint | boolean | Date | TomlValue[] | TomlTable;
export interface TomlTable {
    [key: string]: TomlValue;
}

export function parseToml(text: string): TomlTable {
    try {
        return parse(text) as TomlTable;
    } catch (err) {
        if (!(err instanceof ParseError)) throw err;
        // smol-toml's message is "Invalid TOML document: why" and a code excerpt
        const why = err.message.split("\n")[0].replace(/^Invalid TOML document: /, "");
        throw new TomlError(why, err.line);
    }
}

/** A table (not an array, a date-time or a scalar). */
export function isTomlTable(value: TomlValue): value is TomlTable {
    return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}
