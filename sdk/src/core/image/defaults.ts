import { Layer, layer } from "./layers";

/** The flyte-sdk release whose image semantics (layers, tag formula) this module mirrors. */
export const FLYTE_VERSION = "2.12.1";
export const DEFAULT_PYTHON = "3.11";
export const VENV = "/opt/venv";
export const FLYTE_HOME = "/home/flyte";

/** flyte-sdk's command creating the non-root `flyte` user (verbatim: it is part of the tag). */
export const CREATE_FLYTE_USER_CMD =
    "if ! id -u flyte >/dev/null 2>&1; then useradd --create-home --shell /bin/bash flyte; fi && " +
    "mkdir -p /home/flyte && chown -R flyte:flyte /home/flyte && chown -R flyte:flyte /root";

/** Base of images built from scratch by fromDebianBase({ installFlyte: false }). */
export function debianBase(python: string): string {
    return `python:${python}-slim-bookworm`;
}

/** The tag of Flyte's released default image, e.g. "py3.11-v2.12.1" (or "py3.11" without flyte). */
export function presetTag(python: string, flyteVersion?: string): string {
    if (flyteVersion === undefined) return `py${python}`;
    return `py${python}-${flyteVersion.startsWith("v") ? flyteVersion : `v${flyteVersion}`}`;
}

const RELEASED = /^ghcr\.io\/flyteorg\/flyte:py(3\.[0-9]+)-v([0-9][A-Za-z0-9._-]*)$/;

/** Recognises Flyte's released default image reference; returns its Python and flyte versions. */
export function parseReleasedImage(ref: string | undefined): { python: string; flyteVersion: string } | undefined {
    const m = ref === undefined ? null : RELEASED.exec(ref);
    return m ? { python: m[1], flyteVersion: m[2] } : undefined;
}

/**
 * The layers flyte-sdk 2.12.1 puts on `python:<M.m>-slim-bookworm` for its default
 * image, in order: LABELs, the flyte user, WORKDIR /home/flyte, the venv environment,
 * then apt build-essential and ca-certificates.
 */
export function debianBaseLayers(): Layer[] {
    return [
        layer({
            kind: "dockerLines",
            lines: Object.freeze([
                "LABEL org.opencontainers.image.authors='Union.AI <info@union.ai>'",
                "LABEL org.opencontainers.image.source=https://github.com/flyteorg/flyte",
            ]),
        }),
        layer({ kind: "commands", commands: Object.freeze([CREATE_FLYTE_USER_CMD]), secretMounts: Object.freeze([]) }),
        layer({ kind: "workdir", workdir: FLYTE_HOME }),
        layer({
            kind: "env",
            envVars: Object.freeze([
                Object.freeze(["VIRTUAL_ENV", VENV] as const),
                Object.freeze(["PATH", `${VENV}/bin:$PATH`] as const),
                Object.freeze(["PYTHONPATH", "/root"] as const),
                Object.freeze(["UV_LINK_MODE", "copy"] as const),
            ]),
        }),
        layer({
            kind: "apt",
            packages: Object.freeze(["build-essential", "ca-certificates"]),
            secretMounts: Object.freeze([]),
        }),
    ];
}
