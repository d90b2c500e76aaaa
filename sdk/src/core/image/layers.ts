import { SecretMount } from "./build-secrets";
import { UvScriptMetadata } from "./uvscript";

/**
 * The layers of an Image, in order; one kind per flyte-sdk layer class. All values
 * are frozen. Paths on the local machine are kept as written (relative paths are
 * relative to the working directory), as flyte-sdk does.
 */
export type Layer =
    | DockerLinesLayer
    | CommandsLayer
    | WorkdirLayer
    | EnvLayer
    | AptLayer
    | PipLayer
    | RequirementsLayer
    | UvScriptLayer
    | CopyLayer
    | DockerignoreLayer
    | PythonWheelsLayer;

/** Options shared by every pip-based layer (flyte's `PipOption`). */
export interface PipOptions {
    readonly indexUrl?: string;
    readonly extraIndexUrls: readonly string[];
    readonly pre: boolean;
    /** As given (hashed verbatim); rendered as the validated tokens `extraArgTokens`. */
    readonly extraArgs?: string;
    readonly extraArgTokens: readonly string[];
    readonly secretMounts: readonly SecretMount[];
}

/** Raw Dockerfile lines; only Flyte's default image uses this (its LABELs). */
export interface DockerLinesLayer {
    readonly kind: "dockerLines";
    readonly lines: readonly string[];
}

/** One `RUN` per command. */
export interface CommandsLayer {
    readonly kind: "commands";
    readonly commands: readonly string[];
    readonly secretMounts: readonly SecretMount[];
}

export interface WorkdirLayer {
    readonly kind: "workdir";
    readonly workdir: string;
}

/** Environment variables in the order given. */
export interface EnvLayer {
    readonly kind: "env";
    readonly envVars: readonly (readonly [string, string])[];
}

export interface AptLayer {
    readonly kind: "apt";
    readonly packages: readonly string[];
    readonly secretMounts: readonly SecretMount[];
}

export interface PipLayer extends PipOptions {
    readonly kind: "pip";
    readonly packages: readonly string[];
}

export interface RequirementsLayer extends PipOptions {
    readonly kind: "requirements";
    readonly file: string;
}

/** Dependencies from a PEP 723 script header, installed with pip. */
export interface UvScriptLayer extends PipOptions {
    readonly kind: "uvScript";
    readonly script: string;
    readonly metadata: UvScriptMetadata;
}

/** A local file or folder copied into the image (flyte's `CopyConfig`). */
export interface CopyLayer {
    readonly kind: "copy";
    readonly pathType: "file" | "folder";
    readonly src: string;
    readonly dst: string;
}

/** Names the .dockerignore that applies to every source layer of the image. */
export interface DockerignoreLayer {
    readonly kind: "dockerignore";
    readonly path: string;
}

/** Locally built wheels installed from a folder (flyte's `PythonWheels`, used by withLocalV2). */
export interface PythonWheelsLayer extends PipOptions {
    readonly kind: "pythonWheels";
    readonly wheelDir: string;
    readonly packageName: string;
}

export const NO_PIP_OPTIONS: PipOptions = Object.freeze({
    extraIndexUrls: Object.freeze([]) as readonly string[],
    pre: false,
    extraArgTokens: Object.freeze([]) as readonly string[],
    secretMounts: Object.freeze([]) as readonly SecretMount[],
});

/** Freezes a layer (its arrays are already frozen copies). */
export function layer<L extends Layer>(l: L): L {
    return Object.freeze(l);
}

/** Name of the Image method that adds a layer kind, for error paths. */
export const LAYER_METHOD: Readonly<Record<Layer["kind"], string>> = Object.freeze({
    dockerLines: "fromDebianBase",
    commands: "withCommands",
    workdir: "withWorkdir",
    env: "withEnvVars",
    apt: "withAptPackages",
    pip: "withPipPackages",
    requirements: "withRequirements",
    uvScript: "fromUvScript",
    copy: "withSourceFolder",
    dockerignore: "withDockerignore",
    pythonWheels: "withLocalV2",
});
