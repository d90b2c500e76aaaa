import { HIDDEN, ValidationError } from "../errors";

/**
 * Allow-list grammars for everything an Image writes into a Dockerfile or a shell
 * command line. Each check throws ValidationError(field, value, what is allowed) and
 * returns the value unchanged, so a caller can write `x = checkFoo(field, x)`.
 * The renderer quotes everything anyway; these checks make sure no value can end a
 * RUN line, start a new Dockerfile instruction, or run a shell command of its own.
 */

// eslint-disable-next-line no-control-regex -- control characters are what it finds
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const CONTROL_OR_TAB = /[\x00-\x1f\x7f]/;

function expectString(field: string, value: unknown, allowed: string): string {
    if (typeof value !== "string" || value.length === 0) throw new ValidationError(field, value, allowed);
    return value;
}

// ---------------------------------------------------------------- Debian packages

const APT_PACKAGE = /^[a-z0-9][a-z0-9+.-]+(?::[a-z0-9-]+)?(?:=[A-Za-z0-9.+~:-]+|\/[a-z0-9.-]+)?$/;
const APT_ALLOWED =
    "a Debian package name (lower-case letters, digits, '+', '-', '.'; at least 2 characters), optionally with ':arch' and '=version' or '/release', e.g. \"curl\", \"libpq-dev=15.6-0+deb12u1\"";

export function checkAptPackage(field: string, value: unknown): string {
    const s = expectString(field, value, APT_ALLOWED);
    if (!APT_PACKAGE.test(s)) throw new ValidationError(field, value, APT_ALLOWED);
    return s;
}

// ---------------------------------------------------------------- pip (PEP 508 subset)

const PEP508_NAME = "[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?";
const VERSION_CLAUSE = "(?:~=|===|==|!=|<=|>=|<|>)\\s*[A-Za-z0-9.*+!_-]+";
const VERSION_SPEC = `${VERSION_CLAUSE}(?:\\s*,\\s*${VERSION_CLAUSE})*`;
const EXTRAS = `\\[\\s*(?:${PEP508_NAME}(?:\\s*,\\s*${PEP508_NAME})*)?\\s*\\]`;
// URL characters pip accepts in a direct reference; no quotes, '$', '`', spaces, ';', '|', '\', '<', '>'.
const URL_BODY = "[A-Za-z0-9._~:/?#\\[\\]@!&+,=%-]+";
const URL = `(?:https?|file|git\\+https|git\\+ssh|git\\+http|hg\\+https|svn\\+https|bzr\\+https)://${URL_BODY}`;
const NAMED_REQUIREMENT = new RegExp(
    `^(${PEP508_NAME})\\s*(?:${EXTRAS})?\\s*(?:\\(\\s*${VERSION_SPEC}\\s*\\)|${VERSION_SPEC})?$`,
);
const URL_REQUIREMENT = new RegExp(`^(${PEP508_NAME})\\s*(?:${EXTRAS})?\\s*@\\s*(${URL})$`);
const BARE_URL = new RegExp(`^${URL}$`);
const PIP_ALLOWED =
    'a PEP 508 requirement: a name with optional [extras], version constraints (e.g. "pandas>=2,<3", "torch==2.4.1"), ' +
    'a direct reference ("pkg @ https://..."), or a VCS/https URL; optionally followed by "; <environment marker>". ' +
    "Shell syntax (quotes, '$', '`', '|', '&&', newlines) and local paths are not accepted";

export function checkPipRequirement(field: string, value: unknown): string {
    const s = expectString(field, value, PIP_ALLOWED);
    if (CONTROL_OR_TAB.test(s) || s.includes("&&") || s.trim() !== s)
        throw new ValidationError(field, value, PIP_ALLOWED);
    // A marker starts at the first ";" (a URL requirement needs whitespace before it, PEP 508).
    const semi = s.indexOf(";");
    const head = semi < 0 ? s : s.slice(0, semi).trimEnd();
    const marker = semi < 0 ? undefined : s.slice(semi + 1).trim();
    const isUrl = URL_REQUIREMENT.test(head) || BARE_URL.test(head);
    if (!isUrl && !NAMED_REQUIREMENT.test(head)) throw new ValidationError(field, value, PIP_ALLOWED);
    if (isUrl && semi >= 0 && !/\s/.test(s[semi - 1] ?? "")) throw new ValidationError(field, value, PIP_ALLOWED);
    if (marker !== undefined && !isMarker(marker)) {
        throw new ValidationError(
            field,
            value,
            `${PIP_ALLOWED}; the marker must use PEP 508 variables, comparison operators, 'and'/'or', parentheses and quoted literals of letters, digits and ". _ * + ! ~ , : @ / -"`,
        );
    }
    return s;
}

const MARKER_VARS = new Set([
    "python_version",
    "python_full_version",
    "os_name",
    "sys_platform",
    "platform_release",
    "platform_system",
    "platform_version",
    "platform_machine",
    "platform_python_implementation",
    "implementation_name",
    "implementation_version",
    "extra",
    "os.name",
    "sys.platform",
    "platform.version",
    "platform.machine",
    "platform.python_implementation",
    "python_implementation",
]);
const MARKER_TOKEN =
    /\s*(\(|\)|===|==|!=|<=|>=|~=|<|>|not\s+in\b|in\b|and\b|or\b|'[A-Za-z0-9._*+!~,:@/ -]*'|"[A-Za-z0-9._*+!~,:@/ -]*"|[A-Za-z_][A-Za-z0-9_.]*)/y;

/** PEP 508 environment marker grammar (recursive descent over a small token set). */
function isMarker(text: string): boolean {
    const tokens: string[] = [];
    MARKER_TOKEN.lastIndex = 0;
    let pos = 0;
    while (pos < text.length) {
        if (/^\s*$/.test(text.slice(pos))) break;
        MARKER_TOKEN.lastIndex = pos;
        const m = MARKER_TOKEN.exec(text);
        if (!m) return false;
        tokens.push(m[1].replace(/\s+/g, " "));
        pos = MARKER_TOKEN.lastIndex;
    }
    let i = 0;
    const isValue = (t: string | undefined) => t !== undefined && (/^['"]/.test(t) || MARKER_VARS.has(t));
    const isOp = (t: string | undefined) =>
        t !== undefined && ["===", "==", "!=", "<=", ">=", "~=", "<", ">", "in", "not in"].includes(t);
    const atom = (): boolean => {
        if (tokens[i] === "(") {
            i++;
            if (!expr()) return false;
            return tokens[i++] === ")";
        }
        if (!isValue(tokens[i])) return false;
        i++;
        if (!isOp(tokens[i])) return false;
        i++;
        if (!isValue(tokens[i])) return false;
        i++;
        return true;
    };
    const expr = (): boolean => {
        if (!atom()) return false;
        while (tokens[i] === "and" || tokens[i] === "or") {
            i++;
            if (!atom()) return false;
        }
        return true;
    };
    return tokens.length > 0 && expr() && i === tokens.length;
}

// ---------------------------------------------------------------- pip options

const INDEX_URL = new RegExp(`^https?://${URL_BODY}$`);
const INDEX_ALLOWED =
    "an http(s) URL without quotes, spaces, '$', '`', ';', '|' or '&&', e.g. \"https://example.com/simple\"";

export function checkIndexUrl(field: string, value: unknown): string {
    // user:password@ (or a token@) would be written into the Dockerfile, the image's history and the build log
    if (typeof value === "string" && /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(value)) {
        throw new ValidationError(
            field,
            HIDDEN,
            "an index URL must not carry credentials (they would end up in the image's history and the build log): " +
                'mount them as a build secret instead, e.g. secretMounts: [{ key: "pip-index-url", asEnvVar: "PIP_INDEX_URL" }] with the full URL as the secret\'s value, which pip reads from the environment',
        );
    }
    const s = expectString(field, value, INDEX_ALLOWED);
    if (!INDEX_URL.test(s) || s.includes("&&")) throw new ValidationError(field, value, INDEX_ALLOWED);
    return s;
}

const ARG_TOKEN = /^[A-Za-z0-9._~:/?#@+,=%-]+$/;
const ARGS_ALLOWED =
    "pip options separated by spaces, each made of letters, digits and '. _ ~ : / ? # @ + , = % -' (e.g. \"--no-cache-dir --only-binary=:all:\"); no quotes, '$', '`', ';', '|', '&' or newlines";

/** Splits validated extra arguments into tokens. */
export function checkExtraArgs(field: string, value: unknown): string[] {
    if (typeof value !== "string") throw new ValidationError(field, value, ARGS_ALLOWED);
    if (CONTROL.test(value)) throw new ValidationError(field, value, ARGS_ALLOWED);
    const tokens = value.split(/[ \t]+/).filter((t) => t !== "");
    if (tokens.length === 0 || tokens.some((t) => !ARG_TOKEN.test(t)))
        throw new ValidationError(field, value, ARGS_ALLOWED);
    return tokens;
}

// ---------------------------------------------------------------- environment variables

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function checkEnvName(field: string, value: unknown): string {
    const s = expectString(field, value, "an environment variable name: a letter or '_' then letters, digits or '_'");
    if (!ENV_NAME.test(s))
        throw new ValidationError(
            field,
            value,
            "an environment variable name: a letter or '_' then letters, digits or '_'",
        );
    return s;
}

export function checkEnvValue(field: string, value: unknown): string {
    const allowed =
        'a string without control characters (no newlines, NUL or tabs); "$NAME" refers to an earlier variable, as in a Dockerfile';
    if (typeof value !== "string" || CONTROL_OR_TAB.test(value)) throw new ValidationError(field, value, allowed);
    return value;
}

// ---------------------------------------------------------------- shell commands

const COMMAND_ALLOWED =
    "a single-line shell command: no newlines, NUL or other control characters, no trailing '\\' (line continuation), " +
    "no '<<' here-documents, and not starting with '-' (it would be read as a RUN flag)";

export function checkCommand(field: string, value: unknown): string {
    const s = expectString(field, value, COMMAND_ALLOWED);
    if (
        CONTROL.test(s) ||
        s.trim() === "" ||
        /\\\s*$/.test(s) ||
        /(?<!<)<<(?!<)/.test(s) ||
        s.trimStart().startsWith("-")
    ) {
        throw new ValidationError(field, value, COMMAND_ALLOWED);
    }
    return s;
}

// ---------------------------------------------------------------- paths

const HOST_PATH = /^[\p{L}\p{N}._@+=,~ /-]+$/u;
const HOST_PATH_ALLOWED =
    "a local path of letters, digits, spaces and '. _ @ + = , ~ / -' (no quotes, '$', '*', '?', '[', '\\' or control characters)";

/** A path on the machine running the program (sources, requirements, scripts). */
export function checkHostPath(field: string, value: unknown): string {
    const s = expectString(field, value, HOST_PATH_ALLOWED);
    if (!HOST_PATH.test(s)) throw new ValidationError(field, value, HOST_PATH_ALLOWED);
    return s;
}

const IMAGE_PATH = /^(?!-)[\p{L}\p{N}._@+=,~/-]+$/u;
const IMAGE_PATH_ALLOWED =
    "a path in the image of letters, digits and '. _ @ + = , ~ / -', not starting with '-' (no spaces, quotes, '$', '*', '\\' or control characters)";

/** A path inside the image (WORKDIR, COPY destinations). */
export function checkImagePath(field: string, value: unknown): string {
    const s = expectString(field, value, IMAGE_PATH_ALLOWED);
    if (!IMAGE_PATH.test(s)) throw new ValidationError(field, value, IMAGE_PATH_ALLOWED);
    return s;
}

// ---------------------------------------------------------------- image references

const HOST =
    "(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)(?:\\.(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?))*(?::[0-9]+)?";
const PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
// a host[:port] with an optional path, or a Docker Hub namespace ("other_registry")
const REGISTRY = new RegExp(`^(?:${HOST}|${PATH_COMPONENT})(?:/${PATH_COMPONENT})*$`);
const NAME = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const TAG = "[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}";
const DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
const REFERENCE = new RegExp(`^(?:${HOST}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*(?::${TAG})?(?:@${DIGEST})?$`);

export function checkRegistry(field: string, value: unknown): string {
    const allowed =
        'a registry host[:port] with an optional repository path, or a Docker Hub namespace, e.g. "localhost:30000", "ghcr.io/my-org" or "my_org"';
    const s = expectString(field, value, allowed);
    if (!REGISTRY.test(s) || s.length > 255) throw new ValidationError(field, value, allowed);
    return s;
}

export function checkImageName(field: string, value: unknown): string {
    const allowed =
        "an image repository name: lower-case letters and digits separated by '.', '_', '__', '-' or '/', e.g. \"my-app\"";
    const s = expectString(field, value, allowed);
    if (!NAME.test(s) || s.length > 255) throw new ValidationError(field, value, allowed);
    return s;
}

export function checkImageReference(field: string, value: unknown): string {
    const allowed = 'an image reference [registry/]name[:tag][@digest], e.g. "python:3.11-slim-bookworm"';
    const s = expectString(field, value, allowed);
    if (!REFERENCE.test(s) || s.length > 512) throw new ValidationError(field, value, allowed);
    return s;
}

// ---------------------------------------------------------------- versions

export const PYTHON_VERSIONS = ["3.10", "3.11", "3.12", "3.13", "3.14"] as const;

export function checkPython(field: string, value: unknown): string {
    if (typeof value !== "string" || !(PYTHON_VERSIONS as readonly string[]).includes(value)) {
        throw new ValidationError(
            field,
            value,
            `a Python version Flyte has images for: ${PYTHON_VERSIONS.map((v) => `"${v}"`).join(", ")}`,
        );
    }
    return value;
}

export function checkFlyteVersion(field: string, value: unknown): string {
    const allowed = "a flyte release such as \"2.12.1\" or \"v2.12.1\" (digits, letters, '.', '_', '-')";
    const s = expectString(field, value, allowed);
    if (!/^v?[0-9][A-Za-z0-9._-]{0,100}$/.test(s)) throw new ValidationError(field, value, allowed);
    return s;
}

export const ARCHITECTURES = ["linux/amd64", "linux/arm64"] as const;
export type Architecture = (typeof ARCHITECTURES)[number];

export function checkPlatform(field: string, value: unknown): readonly Architecture[] {
    const list = Array.isArray(value) ? value : [value];
    const allowed = `one of ${ARCHITECTURES.map((a) => `"${a}"`).join(", ")}, or a list of them`;
    if (list.length === 0) throw new ValidationError(field, value, allowed);
    list.forEach((p, i) => {
        if (!(ARCHITECTURES as readonly unknown[]).includes(p))
            throw new ValidationError(Array.isArray(value) ? `${field}[${i}]` : field, p, allowed);
    });
    return Object.freeze([...list]) as readonly Architecture[];
}
