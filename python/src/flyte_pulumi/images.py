"""A flyte Image as the `flyte` package's data form (``ImageArgs``), layer for layer.

The image is mapped from its state, not from the calls that made it: its base image,
then a ``clone`` (registry, name, platform), then one data-form layer per flyte layer in
order. The tag the TypeScript core computes from that is flyte-sdk's formula over the same
base and layers, so it equals ``image.uri``; the spec carries ``flyteUri`` and the preview
fails if they ever differ.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Dict, List, Optional, Union

from .errors import Problems
from .fields import check_fields, table_name, unknown_type
from .secrets import secret_mount_spec

#: what an environment's image becomes: an image to build (the data form) or a reference
ImageSpec = Dict[str, Any]


class ImageUse:
    """How an environment gets its image: ``build`` (a data-form image) or ``ref`` (used as is)."""

    def __init__(self, ref: Optional[str] = None, build: Optional[ImageSpec] = None, image: Any = None):
        self.ref = ref
        self.build = build
        self.image = image

    @property
    def uri(self) -> Optional[str]:
        return self.build["flyteUri"] if self.build else self.ref


def image_use(image: Union[str, Any, None], path: str, problems: Problems) -> ImageUse:
    """The image of an environment: "auto", a reference string, or a flyte Image."""
    if image is None or image == "auto":
        return ImageUse(ref="auto")
    if isinstance(image, str):
        return ImageUse(ref=image)
    check_fields(image, path, problems, "Image")
    if getattr(image, "_ref_name", None):
        return ImageUse(ref="auto")  # refused above; keep going to report the rest
    if not _is_cloned(image):
        # never changed: used as is (flyte does not build it either)
        return ImageUse(ref=image.uri, image=image)
    if getattr(image, "_tag", None):
        problems.refuse(
            f"{path}._tag",
            image._tag,
            f"{image.uri} is flyte's preset Debian base without flyte, tagged by Python version rather than by "
            "content; add a layer to it or clone it with a name, so its tag says what it holds",
        )
        return ImageUse(ref=image.uri, image=image)
    spec = image_spec(image, path, problems)
    return ImageUse(build=spec, image=image)


def _is_cloned(image: Any) -> bool:
    """Whether flyte builds the image (flyte < 2.x marks it only by a URI other than the base's)."""
    cloned = getattr(image, "_is_cloned", None)
    if cloned is not None:
        return bool(cloned)
    return image.dockerfile is not None or image.uri != image.base_image


def image_spec(image: Any, path: str, problems: Problems) -> ImageSpec:
    """The data-form image of a cloned flyte Image, with the URI flyte-sdk computes for it."""
    try:
        uri = image.uri
    except Exception as err:  # flyte cannot compute it either (a missing file, no name)
        problems.add(f"{path}: flyte-sdk cannot compute this image's URI: {err}")
        uri = ""
    platform = [str(p) for p in (image.platform or ())]
    if image.dockerfile is not None:
        spec: ImageSpec = {
            "fromDockerfile": _drop_none(
                {
                    "file": _abs(image.dockerfile),
                    "name": image.name,
                    "registry": image.registry,
                    "platform": platform or None,
                }
            ),
            "flyteUri": uri,
        }
        if image._layers:
            problems.add(f"{path}: a Dockerfile image has no layers in flyte; got {len(image._layers)}")
        return spec
    clone = _drop_none(
        {"registry": image.registry, "name": image.name, "extendable": True, "platform": platform or None}
    )
    layers: List[Dict[str, Any]] = [{"clone": clone}]
    wheels_seen = False
    for i, layer in enumerate(image._layers):
        at = f"{path}.layers[{i}] ({type(layer).__name__})"
        data, wheels_seen = _layer(layer, at, problems, wheels_seen)
        if data is not None:
            layers.append(data)
    if not image.extendable:
        layers.append({"clone": {"extendable": False}})
    return {"fromBase": image.base_image, "layers": layers, "flyteUri": uri}


def _layer(layer: Any, at: str, problems: Problems, wheels_seen: bool):
    kind = table_name(layer)
    check_fields(layer, at, problems, kind)
    if kind == "PipPackages":
        return {"pipPackages": {"packages": list(layer.packages or ()), **_pip(layer)}}, wheels_seen
    if kind == "Requirements":
        return {"requirements": {"file": _abs(layer.file), **_pip(layer)}}, wheels_seen
    if kind == "UVScript":
        return {"uvScript": {"script": _abs(layer.script), **_pip(layer)}}, wheels_seen
    if kind == "AptPackages":
        return {"aptPackages": _drop_none({"packages": list(layer.packages), "secretMounts": _mounts(layer)})}, wheels_seen
    if kind == "Commands":
        return {"commands": _drop_none({"commands": list(layer.commands), "secretMounts": _mounts(layer)})}, wheels_seen
    if kind == "WorkDir":
        return {"workdir": layer.workdir}, wheels_seen
    if kind == "DockerIgnore":
        # flyte hashes the file, or the path as written when there is no file
        path = _abs(layer.path) if os.path.exists(layer.path) else layer.path
        return {"dockerignore": path}, wheels_seen
    if kind == "Env":
        return {"envVars": [{"name": k, "value": v} for k, v in layer.env_vars]}, wheels_seen
    if kind == "_DockerLines":
        return {"dockerLines": {"lines": list(layer.lines)}}, wheels_seen
    if kind == "CopyConfig":
        if isinstance(layer.src, (list, tuple)):
            problems.refuse(
                f"{at}.src",
                [str(p) for p in layer.src],
                "this flyte release hashes a list given to with_source_file as one layer, where flyte 2.12 (and "
                "pulumi-flyte) copies one layer per file: call with_source_file once per file, or upgrade flyte",
            )
            return None, wheels_seen
        if layer.path_type == 0:
            return {"sourceFile": {"src": [_abs(layer.src)], "dst": layer.dst}}, wheels_seen
        # flyte already folded copy_contents_only into dst: copy the folder's contents there
        return {"sourceFolder": {"src": _abs(layer.src), "dst": layer.dst, "copyContentsOnly": True}}, wheels_seen
    if kind == "PythonWheels":
        if layer.package_name == "flyte":
            return {"localV2": {"distDir": _abs(layer.wheel_dir)}}, True
        if layer.package_name == "flyteidl2" and wheels_seen:
            return None, wheels_seen  # with_local_v2 adds it from the same folder
        problems.refuse(
            f"{at}.package_name",
            layer.package_name,
            "only with_local_v2's flyte wheels are supported (with_local_rs_controller and with_local_v2_plugins are not yet)",
        )
        return None, wheels_seen
    if kind in ("UVProject", "PoetryProject", "PixiProject", "PixiScript", "CodeBundleLayer"):
        return None, wheels_seen  # refused by check_fields
    problems.add(unknown_type(at, layer))
    return None, wheels_seen


def _pip(layer: Any) -> Dict[str, Any]:
    extra = layer.extra_index_urls
    if isinstance(extra, str):
        extra = [extra]
    return _drop_none(
        {
            "indexUrl": layer.index_url,
            "extraIndexUrls": list(extra) if extra else None,
            "pre": True if layer.pre else None,
            "extraArgs": layer.extra_args,
            "secretMounts": _mounts(layer),
        }
    )


def _mounts(layer: Any) -> Optional[List[Dict[str, Any]]]:
    mounts = getattr(layer, "secret_mounts", None)
    if not mounts:
        return None
    if isinstance(mounts, (str,)) or not isinstance(mounts, (list, tuple)):
        mounts = (mounts,)
    return [secret_mount_spec(m) for m in mounts]


def _abs(p: Any) -> str:
    return os.path.abspath(str(Path(p)))


def _drop_none(d: Dict[str, Any]) -> Dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}
