/**
 * Flyte's container image model: an immutable Image built by chaining layers, with
 * flyte-sdk's content-addressed tag, a generated BuildKit Dockerfile and the build
 * context / build secrets an image build needs.
 */
export { Image } from "./image";
export type { Architecture } from "./checks";
export type {
    Layer,
    PipOptions,
    DockerLinesLayer,
    CommandsLayer,
    WorkdirLayer,
    EnvLayer,
    AptLayer,
    PipLayer,
    RequirementsLayer,
    UvScriptLayer,
    CopyLayer,
    DockerignoreLayer,
    PythonWheelsLayer,
} from "./layers";
export { renderDockerfile, mirrorOf, normaliseReference, DOCKERFILE_HEADER } from "./dockerfile";
export type { DockerfileOptions, RenderableImage } from "./dockerfile";
export {
    init,
    resetInit,
    imageSettings,
    defaultRegistry,
    setAmbientImageDefaults,
    FLYTE_REGISTRY,
    LOCALHOST_REGISTRY,
} from "./config";
export type { ImageInitOptions, ImageSettings, AmbientImageDefaults } from "./config";
export { contextEntries, entryFiles } from "./context-entries";
export type { ContextEntry } from "./context-entries";
export type { BuildSecret, SecretMount, SecretMountInput } from "./build-secrets";
export { secretMountFlag, buildSecretId } from "./build-secrets";
export { computeTag } from "./tag";
export { PatternMatcher, DockerfileIgnore } from "./dockerignore";
export { parseUvScript, uvScriptHashText } from "./uvscript";
export type { UvScriptMetadata } from "./uvscript";
export { FLYTE_VERSION, DEFAULT_PYTHON, CREATE_FLYTE_USER_CMD, parseReleasedImage } from "./defaults";
export { ARCHITECTURES, PYTHON_VERSIONS } from "./checks";
