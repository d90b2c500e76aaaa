#!/usr/bin/env python3
"""Writes tests/fixtures/image/flyte-tag-vectors.json: image tags and URIs computed by
the real flyte-sdk, which the TypeScript Image must reproduce byte for byte.

Each case is a recipe of steps (constructor, then methods) in our camelCase API; this
script replays it with flyte-sdk's Python API and records what flyte-sdk says. The
TypeScript test (tests/unit/image/vectors.test.ts) replays the same recipe with ours.

Usage, from the repository root:
    python3 -m venv /tmp/flyte-venv && /tmp/flyte-venv/bin/pip install flyte==2.12.1
    /tmp/flyte-venv/bin/python scripts/flyte-tag-vectors.py

Paths are relative to the repository root (tags hash relative file paths only), so
the vectors are the same on every checkout. Fixture folders have at most one hashed
subfolder per level: flyte-sdk walks sibling folders in directory-listing order,
which differs between file systems.
"""

import json
import os
import sys
from pathlib import Path

# The configured registry (as `flyte.init(image_registry=...)`); the TS test calls init({ registry }).
CONFIGURED_REGISTRY = "localhost:30000"
os.environ["FLYTE_IMAGE_REGISTRY"] = CONFIGURED_REGISTRY
for var in ("FLYTECTL_CONFIG", "UCTL_CONFIG", "FLYTE_CONFIG"):
    os.environ.pop(var, None)

import flyte  # noqa: E402
import flyte._image as flyte_image  # noqa: E402
from flyte import Image, Secret  # noqa: E402

FIX = "tests/fixtures/image"
OUT = Path(FIX) / "flyte-tag-vectors.json"


def secret(key, group=None, mount=None, as_env_var=None):
    spec = {"key": key}
    if group is not None:
        spec["group"] = group
    if mount is not None:
        spec["mount"] = mount
    if as_env_var is not None:
        spec["asEnvVar"] = as_env_var
    return {"secret": spec}


CASES = [
    ("debian-default", [["fromDebianBase", {"python": "3.11"}]]),
    ("debian-py312-named", [["fromDebianBase", {"python": "3.12", "registry": "localhost:30000", "name": "base"}]]),
    ("debian-flyte-version", [
        ["fromDebianBase", {"python": "3.11", "flyteVersion": "2.11.0"}],
        ["withPipPackages", {"packages": ["requests"]}],
    ]),
    ("debian-no-flyte-preset", [["fromDebianBase", {"python": "3.11", "installFlyte": False}]]),
    ("debian-no-flyte-named", [["fromDebianBase", {"python": "3.13", "installFlyte": False, "registry": "ghcr.io/acme", "name": "app"}]]),
    ("pip-simple", [
        ["fromDebianBase", {"python": "3.11"}],
        ["withPipPackages", {"packages": ["pandas>=2,<3", "pyarrow[s3]==16.1.0", "numpy"]}],
    ]),
    ("pip-options", [
        ["fromDebianBase", {"python": "3.11", "registry": "localhost:30000", "name": "pipopts"}],
        ["withPipPackages", {
            "packages": ["torch==2.4.1", "mypkg @ https://example.com/mypkg-1.0.tar.gz", "tomli; python_version < \"3.11\""],
            "indexUrl": "https://example.com/simple",
            "extraIndexUrls": ["https://example.com/whl/cpu", "https://example.com/simple"],
            "pre": True,
            "extraArgs": "--no-cache-dir --only-binary=:all:",
            "secretMounts": ["GITHUB_PAT", secret("pip-token", group="ci")],
        }],
    ]),
    ("pip-extra-index-string", [
        ["fromDebianBase", {"python": "3.11"}],
        ["withPipPackages", {"packages": ["scipy"], "extraIndexUrls": "https://example.com/simple"}],
    ]),
    ("apt", [
        ["fromDebianBase", {"python": "3.11", "installFlyte": False, "registry": "localhost:30000", "name": "apt"}],
        ["withAptPackages", {"packages": ["git", "curl", "libpq-dev"]}],
        ["withAptPackages", {"packages": ["vim"], "secretMounts": [secret("apt-auth", mount="/etc/flyte/secrets")]}],
    ]),
    ("commands", [
        ["fromDebianBase", {"python": "3.11"}],
        ["withCommands", {"commands": ["echo hello", "mkdir -p /data && chmod 777 /data"], "secretMounts": ["TOKEN"]}],
        ["withCommands", {"commands": ["ls -la"], "secretMounts": [secret("k", as_env_var="MY_VAR")]}],
    ]),
    ("env", [
        ["fromDebianBase", {"python": "3.11"}],
        ["withEnvVars", {"vars": {"MODE": "prod", "PATH": "/app/bin:$PATH", "UNICODE": "h\u00e9llo w\u00f6rld", "EMPTY": ""}}],
    ]),
    ("workdir", [
        ["fromDebianBase", {"python": "3.11"}],
        ["withWorkdir", {"workdir": "/app"}],
    ]),
    ("requirements", [
        ["fromDebianBase", {"python": "3.11"}],
        ["withRequirements", {"file": f"{FIX}/requirements.txt"}],
        ["withRequirements", {"file": f"{FIX}/requirements-extra.txt", "indexUrl": "https://example.com/simple", "pre": True,
                              "secretMounts": "NETRC"}],
    ]),
    ("source-files", [
        ["fromDebianBase", {"python": "3.11"}],
        ["withSourceFile", {"src": f"{FIX}/app.py"}],
        ["withSourceFile", {"src": [f"{FIX}/config.yaml", f"{FIX}/proj/main.py"], "dst": "/app/"}],
    ]),
    ("source-folder-own-ignore", [
        ["fromDebianBase", {"python": "3.11"}],
        ["withSourceFolder", {"src": f"{FIX}/proj"}],
    ]),
    ("source-folder-dst-and-contents", [
        ["fromDebianBase", {"python": "3.11"}],
        ["withSourceFolder", {"src": f"{FIX}/proj2", "dst": "/opt/proj2"}],
        ["withSourceFolder", {"src": f"{FIX}/proj2", "copyContentsOnly": True}],
    ]),
    ("dockerignore-image-level", [
        ["fromDebianBase", {"python": "3.11"}],
        ["withDockerignore", {"path": f"{FIX}/.dockerignore"}],
        ["withSourceFolder", {"src": f"{FIX}/proj"}],
        ["withSourceFolder", {"src": f"{FIX}/proj2"}],
        ["withSourceFile", {"src": f"{FIX}/app.py"}],
    ]),
    ("dockerignore-applies-to-earlier-layers", [
        ["fromDebianBase", {"python": "3.11"}],
        ["withSourceFolder", {"src": f"{FIX}/proj2", "dst": "/src"}],
        ["withDockerignore", {"path": f"{FIX}/.dockerignore"}],
    ]),
    ("dockerignore-folder-own-file", [
        ["fromDebianBase", {"python": "3.11"}],
        ["withDockerignore", {"path": f"{FIX}/proj/.dockerignore"}],
        ["withSourceFolder", {"src": f"{FIX}/proj/pkg"}],
    ]),
    ("uv-script-full", [
        ["fromUvScript", {"script": f"{FIX}/scripts/uv_full.py", "name": "uvapp", "registry": "localhost:30000",
                          "python": "3.12", "indexUrl": "https://example.com/simple", "extraArgs": "--no-cache-dir",
                          "secretMounts": [secret("token", group="pypi")]}],
    ]),
    ("uv-script-min", [
        ["fromUvScript", {"script": f"{FIX}/scripts/uv_min.py", "name": "uvmin"}],
        ["withPipPackages", {"packages": ["rich"]}],
    ]),
    ("from-base-as-is", [["fromBase", {"uri": "python:3.11-slim-bookworm"}]]),
    ("from-base-cloned", [
        ["fromBase", {"uri": "python:3.11-slim-bookworm"}],
        ["clone", {"name": "custom", "registry": "localhost:30000", "extendable": True}],
        ["withAptPackages", {"packages": ["git"]}],
        ["withPipPackages", {"packages": ["flyte==2.12.1"]}],
    ]),
    ("from-base-clone-without-registry", [
        ["fromBase", {"uri": "ghcr.io/acme/base:1.0"}],
        ["clone", {"name": "derived", "extendable": True}],
        ["withEnvVars", {"vars": {"A": "1"}}],
    ]),
    ("from-dockerfile", [["fromDockerfile", {"file": f"{FIX}/dockerfile/Dockerfile", "registry": "localhost:30000", "name": "byod"}]]),
    ("local-v2", [
        ["fromDebianBase", {"python": "3.11"}],
        ["withLocalV2", {"distDir": f"{FIX}/wheels"}],
    ]),
    ("clone-renames", [
        ["fromDebianBase", {"python": "3.11"}],
        ["withPipPackages", {"packages": ["requests"]}],
        ["clone", {"name": "renamed", "registry": "registry.example.com:5000/team"}],
    ]),
    ("kitchen-sink", [
        ["fromDebianBase", {"python": "3.11", "installFlyte": False, "registry": "localhost:30000", "name": "sink"}],
        ["withAptPackages", {"packages": ["git", "libgomp1=12.2.0-14"]}],
        ["withPipPackages", {"packages": ["flyte==2.12.1", "scikit-learn~=1.5"], "secretMounts": ["GITHUB_PAT"]}],
        ["withRequirements", {"file": f"{FIX}/requirements.txt"}],
        ["withEnvVars", {"vars": {"APP_ENV": "test"}}],
        ["withCommands", {"commands": ["python -c 'print(1)'"]}],
        ["withWorkdir", {"workdir": "/home/flyte/app"}],
        ["withSourceFolder", {"src": f"{FIX}/proj"}],
        ["withSourceFile", {"src": f"{FIX}/config.yaml", "dst": "/etc/app/config.yaml"}],
        ["withDockerignore", {"path": f"{FIX}/.dockerignore"}],
    ]),
]

# Run after the others: flyte.init() sets a process-wide root_dir whose .dockerignore applies.
ROOT_DIR_CASES = [
    ("root-dir-dockerignore", [
        ["fromDebianBase", {"python": "3.11"}],
        ["withSourceFolder", {"src": f"{FIX}/proj"}],
        ["withSourceFolder", {"src": f"{FIX}/proj2"}],
    ]),
]


def to_secret(value):
    if isinstance(value, str):
        return value
    spec = value["secret"]
    return Secret(key=spec["key"], group=spec.get("group"), mount=spec.get("mount"), as_env_var=spec.get("asEnvVar"))


def secrets(args):
    value = args.get("secretMounts")
    if value is None:
        return None
    if isinstance(value, list):
        return [to_secret(v) for v in value]
    return to_secret(value)


def pip_kwargs(args):
    return dict(
        index_url=args.get("indexUrl"),
        extra_index_urls=args.get("extraIndexUrls"),
        pre=args.get("pre", False),
        extra_args=args.get("extraArgs"),
        secret_mounts=secrets(args),
    )


def python_version(args):
    return tuple(int(p) for p in args["python"].split(".")) if "python" in args else None


def apply(image, op, args):
    if op == "fromDebianBase":
        return Image.from_debian_base(
            python_version=python_version(args),
            flyte_version=args.get("flyteVersion"),
            install_flyte=args.get("installFlyte", True),
            registry=args.get("registry"),
            name=args.get("name"),
        )
    if op == "fromBase":
        return Image.from_base(args["uri"])
    if op == "fromDockerfile":
        return Image.from_dockerfile(Path(args["file"]), registry=args["registry"], name=args["name"])
    if op == "fromUvScript":
        return Image.from_uv_script(args["script"], name=args["name"], registry=args.get("registry"),
                                    python_version=python_version(args), **pip_kwargs(args))
    if op == "clone":
        return image.clone(registry=args.get("registry"), name=args.get("name"), extendable=args.get("extendable"))
    if op == "withAptPackages":
        return image.with_apt_packages(*args["packages"], secret_mounts=secrets(args))
    if op == "withPipPackages":
        return image.with_pip_packages(*args["packages"], **pip_kwargs(args))
    if op == "withRequirements":
        return image.with_requirements(Path(args["file"]), **pip_kwargs(args))
    if op == "withEnvVars":
        return image.with_env_vars(dict(args["vars"]))
    if op == "withCommands":
        return image.with_commands(list(args["commands"]), secret_mounts=secrets(args))
    if op == "withWorkdir":
        return image.with_workdir(args["workdir"])
    if op == "withSourceFile":
        src = args["src"]
        src = [Path(s) for s in src] if isinstance(src, list) else Path(src)
        return image.with_source_file(src, args.get("dst", "."))
    if op == "withSourceFolder":
        return image.with_source_folder(Path(args["src"]), args.get("dst", "."),
                                        copy_contents_only=args.get("copyContentsOnly", False))
    if op == "withDockerignore":
        return image.with_dockerignore(Path(args["path"]))
    if op == "withLocalV2":
        flyte_image.DIST_FOLDER = Path(args["distDir"])
        return image.with_local_v2()
    raise ValueError(f"unknown step {op}")


def run(name, steps, init=None):
    image = None
    for op, args in steps:
        image = apply(image, op, args)
    expected = {
        "uri": image.uri,
        "tag": image._final_tag if image._is_cloned else None,
        "isCloned": image._is_cloned,
        "registry": image.registry,
        "name": image.name,
        "baseImage": image.base_image,
        "layers": len(image._layers),
    }
    case = {"name": name, "steps": steps, "expected": expected}
    if init:
        case["init"] = init
    return case


def main():
    if not Path(FIX).is_dir():
        sys.exit("run from the repository root")
    cases = [run(name, steps) for name, steps in CASES]
    flyte.init(root_dir=Path(FIX))
    cases += [run(name, steps, init={"rootDir": FIX}) for name, steps in ROOT_DIR_CASES]
    data = {
        "generator": "scripts/flyte-tag-vectors.py",
        "flyteVersion": flyte.__version__,
        "configuredRegistry": CONFIGURED_REGISTRY,
        "cases": cases,
    }
    OUT.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
