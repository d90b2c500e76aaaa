/**
 * The image builds of this program by image URI (registry/name:tag, a content hash):
 * one Image given to several environments is built once, by the first, and the
 * others use its digest reference (so they depend on that build). Without this each
 * environment would build and push the same tag, concurrently. Generic over the build
 * type so that this module imports nothing (the ImageBuild module keeps the program's
 * instance in a program-state slot).
 */
export interface SharedBuild<B> {
    readonly build: B;
    /** The build settings that decide how it is built (network, platform, builder, ...). */
    readonly settingsKey: string;
    /** Who declared it, for messages. */
    readonly owner: string;
}

export class SharedBuilds<B> {
    private readonly builds = new Map<string, SharedBuild<B>>();

    /** Records the first build of `uri`; later ones are not recorded. */
    register(uri: string, build: B, settingsKey: string, owner: string): void {
        if (!this.builds.has(uri)) this.builds.set(uri, { build, settingsKey, owner });
    }

    get(uri: string): SharedBuild<B> | undefined {
        return this.builds.get(uri);
    }
}
