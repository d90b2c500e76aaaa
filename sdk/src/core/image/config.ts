import { ValidationError } from "../errors";
import { argsSchema, normalizeArgs, rule } from "../validate";
import { checkHostPath, checkRegistry } from "./checks";
import { getHook, programSlot, setHook } from "../../runtime/program-state";

/** Flyte's public registry of released images. */
export const FLYTE_REGISTRY = "ghcr.io/flyteorg";
/** The registry of a local Flyte sandbox/devbox. */
export const LOCALHOST_REGISTRY = "localhost:30000";

/** The registry an image uses when none is given: localhost:30000 for a localhost endpoint, else ghcr.io/flyteorg. */
export function defaultRegistry(endpoint?: string): string {
    return endpoint !== undefined && endpoint.includes("localhost") ? LOCALHOST_REGISTRY : FLYTE_REGISTRY;
}

export interface ImageInitOptions {
    /** The Flyte endpoint (e.g. "dns:///localhost:8090"); a localhost endpoint selects localhost:30000. */
    endpoint?: string;
    /** Registry for images that name none (wins over the endpoint rule). */
    registry?: string;
    /**
     * Project root (flyte's `root_dir`): its `.dockerignore` applies to every source
     * layer of images without a withDockerignore layer. Unset: each source folder's
     * own .dockerignore applies (flyte's behaviour without `flyte.init`).
     */
    rootDir?: string;
}

export interface ImageSettings {
    readonly endpoint?: string;
    /**
     * Registry of images made by fromDebianBase, fromUvScript and fromDockerfile that name
     * none. (A fromBase image cloned without a registry has none, `name:tag`, as in flyte-sdk.)
     */
    readonly registry: string;
    readonly rootDir?: string;
}

/** Defaults from the environment the program runs in (the Pulumi stack's `flyte:*` config). */
export interface AmbientImageDefaults {
    readonly registry?: string;
    readonly endpoint?: string;
}

/** What the program's `init` set. */
const initialized = programSlot("image init", () => ({
    explicit: {} as { endpoint?: string; registry?: string; rootDir?: string },
}));
const AMBIENT = "ambient image defaults";

/**
 * Installs where `imageSettings()` finds defaults the program did not set with `init`
 * (the components install the stack-config reader; the core stays free of Pulumi).
 */
export function setAmbientImageDefaults(source: (() => AmbientImageDefaults) | undefined): void {
    setHook(AMBIENT, source);
}

export function checkEndpoint(field: string, value: unknown): string {
    // eslint-disable-next-line no-control-regex -- control characters are refused
    if (typeof value !== "string" || value === "" || /[\s\x00-\x1f]/.test(value)) {
        throw new ValidationError(field, value, 'an endpoint string such as "dns:///localhost:8090"');
    }
    return value;
}

const initOptionsSchema = argsSchema<ImageInitOptions>()(
    { endpoint: rule(checkEndpoint), registry: rule(checkRegistry), rootDir: rule(checkHostPath) },
    "{ endpoint?, registry?, rootDir? }",
);

/**
 * Sets the module-wide image defaults (mirrors `flyte.init`). Each call replaces the
 * previous settings; `init()` with no argument restores the defaults. What `init`
 * leaves unset comes from the stack config (`flyte:registry`, `flyte:endpoint`) when
 * the components are loaded. Images capture the registry when they are created, so
 * call this before defining images.
 */
export function init(options: ImageInitOptions = {}): ImageSettings {
    const { endpoint, registry, rootDir } = normalizeArgs(initOptionsSchema, options, "init");
    initialized().explicit = { endpoint, registry, rootDir };
    return imageSettings();
}

/** Restores the defaults (for tests). */
export function resetInit(): void {
    initialized().explicit = {};
}

/**
 * The image defaults in force: `init(...)` wins, then the stack config, then Flyte's:
 * the registry is the one given, else `localhost:30000` for a localhost endpoint,
 * else `ghcr.io/flyteorg`.
 */
export function imageSettings(): ImageSettings {
    const ambient = getHook<() => AmbientImageDefaults>(AMBIENT);
    const a = ambient ? ambient() : {};
    const { explicit } = initialized();
    const endpoint = explicit.endpoint ?? a.endpoint;
    return Object.freeze({
        ...(endpoint !== undefined ? { endpoint } : {}),
        registry: explicit.registry ?? a.registry ?? defaultRegistry(endpoint),
        ...(explicit.rootDir !== undefined ? { rootDir: explicit.rootDir } : {}),
    });
}
