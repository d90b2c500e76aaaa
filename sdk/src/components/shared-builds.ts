import type { ImageBuild } from "./image-build";

/**
 * The image builds of this program by image URI (registry/name:tag, a content hash):
 * one Image given to several environments is built once, by the first, and the
 * others use its digest reference (so they depend on that build). Without this each
 * environment would build and push the same tag, concurrently.
 */
interface SharedBuild {
    readonly build: ImageBuild;
    /** The build settings that decide how it is built (network, platform, builder, ...). */
    readonly settingsKey: string;
    /** Who declared it, for messages. */
    readonly owner: string;
}

const builds = new Map<string, SharedBuild>();

export function registerBuild(uri: string, build: ImageBuild, settingsKey: string, owner: string): void {
    if (!builds.has(uri)) builds.set(uri, { build, settingsKey, owner });
}

export function sharedBuild(uri: string): SharedBuild | undefined {
    return builds.get(uri);
}

/** @internal For tests: forget every build. */
export function resetSharedBuilds(): void {
    builds.clear();
}
