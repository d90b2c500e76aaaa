import { ValidationError } from "../errors";
import { checkKeys, expectObject } from "../validate";
import { checkHostPath, checkRegistry } from "./checks";

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
    readonly registry: string;
    readonly rootDir?: string;
}

let settings: ImageSettings = Object.freeze({ registry: FLYTE_REGISTRY });

/**
 * Sets the module-wide image defaults (mirrors `flyte.init`). Each call replaces the
 * previous settings; `init()` with no argument restores the defaults. Images capture
 * the registry when they are created, so call this before defining images.
 */
export function init(options: ImageInitOptions = {}): ImageSettings {
    expectObject("init", options, "{ endpoint?, registry?, rootDir? }");
    checkKeys("init", options, ["endpoint", "registry", "rootDir"]);
    if (options.endpoint !== undefined && (typeof options.endpoint !== "string" || /[\s\x00-\x1f]/.test(options.endpoint))) {
        throw new ValidationError("init.endpoint", options.endpoint, "an endpoint string such as \"dns:///localhost:8090\"");
    }
    const registry = options.registry === undefined ? defaultRegistry(options.endpoint) : checkRegistry("init.registry", options.registry);
    const rootDir = options.rootDir === undefined ? undefined : checkHostPath("init.rootDir", options.rootDir);
    settings = Object.freeze({
        ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
        registry,
        ...(rootDir !== undefined ? { rootDir } : {}),
    });
    return settings;
}

/** Restores the defaults (for tests). */
export function resetInit(): void {
    settings = Object.freeze({ registry: FLYTE_REGISTRY });
}

export function imageSettings(): ImageSettings {
    return settings;
}
