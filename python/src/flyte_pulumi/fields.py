"""Every field of the flyte-sdk classes the companion reads, and what becomes of it.

One row per field: ``mapped`` (to the `flyte` package's data form: the target says where),
``refused`` (the preview fails naming the field and the reason, when the field is set to
anything but its default), or ``internal`` (flyte's own bookkeeping, not configuration:
the function object, the parent environment, a derived name). A field a newer flyte adds
that is not here fails the preview too, naming it and the tested range (`check_fields`).
README.md's field table is this table (`python -m flyte_pulumi` prints it; a test
compares them).
"""

from __future__ import annotations

import dataclasses
import sys
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, Optional

from .errors import Problems, show
from .versions import installed, tested_range

MAPPED = "mapped"
REFUSED = "refused"
INTERNAL = "internal"


@dataclass(frozen=True)
class Rule:
    kind: str
    #: mapped: the data-form field(s) it becomes; refused/internal: empty
    target: str
    #: mapped: how; refused: why; internal: what it is
    note: str
    #: refused: whether the value counts as set (default: differs from the field's default)
    is_set: Optional[Callable[[Any], bool]] = None


def mapped(target: str, note: str = "") -> Rule:
    return Rule(MAPPED, target, note)


def refused(why: str, is_set: Optional[Callable[[Any], bool]] = None) -> Rule:
    return Rule(REFUSED, "", why, is_set)


def internal(what: str) -> Rule:
    return Rule(INTERNAL, "", what)


def with_layer(field: str) -> Rule:
    """A field of a refused layer type: the layer is refused once, by its `field`."""
    return Rule(REFUSED, "", f"refused with its layer (see `{field}`)", lambda v: False)


_BACKEND = "runs here are plain Kubernetes Jobs, not Flyte executions"
_PLUGIN = "task plugins (Ray, Spark, Dask, ...) run through Flyte backend plugins, which pulumi-flyte does not deploy"
_BUNDLE = "code bundles are shipped by `flyte deploy`/`flyte run` at run time; bake the code into the image with with_source_file/with_source_folder"
_NAMED_TEMPLATE = "a named pod template lives in the Flyte backend's configuration; pass a flyte.PodTemplate"


def _truthy(value: Any) -> bool:
    return bool(value)


# fmt: off
TABLE: Dict[str, Dict[str, Rule]] = {
    "TaskEnvironment": {
        "name": mapped("TaskEnvironment name", "the component's name and the Flyte name of its objects"),
        "depends_on": mapped("dependsOn resource option", "each environment it depends on is deployed too, and first"),
        "pod_template": mapped("TaskEnvironment.podTemplate", "a flyte.PodTemplate (its pod_spec, primary container, labels, annotations); a named template is refused"),
        "description": mapped("TaskEnvironment.description"),
        "secrets": mapped("TaskEnvironment.secrets", "references: env var or file, as flyte; values come from `secret_values`"),
        "env_vars": mapped("TaskEnvironment.envVars"),
        "resources": mapped("TaskEnvironment.resources", "see Resources"),
        "interruptible": mapped("TaskEnvironment.interruptible", "spot capacity of the cluster flavour"),
        "image": mapped("ImageBuild.image / TaskEnvironment.imageRef", "an Image is built once per program and referenced by digest; a string is a reference; \"auto\" is Flyte's default image"),
        "include": refused(_BUNDLE, _truthy),
        "service_account": mapped("TaskEnvironment.podTemplate.podSpec.serviceAccountName"),
        "_declaring_file": internal("the file that declared the environment"),
        "cache": mapped("TaskEnvironment.cache", "see Cache"),
        "reusable": mapped("TaskEnvironment.reusable", "a warm pool; see ReusePolicy"),
        "plugin_config": refused(_PLUGIN),
        "queue": mapped("TaskEnvironment.queue"),
        "_tasks": mapped("TaskEnvironment.tasks", "every task declared with @env.task"),
    },
    "TaskTemplate": {
        "name": mapped("Task.name", "the function's name (flyte's `<env>.<function>`)"),
        "interface": internal("the function's signature; inputs are checked against it"),
        "short_name": mapped("Task.shortName", "when it differs from the function's name"),
        "task_type": refused(f"only Python function tasks run here ({_PLUGIN})", lambda v: v != "python"),
        "task_type_version": refused(_PLUGIN),
        "image": mapped("TaskEnvironment image", "a task's image is its environment's"),
        "resources": mapped("TaskEnvironment.resources / TaskRun.override.resources", "the environment's; a task.override(resources=...) of a run"),
        "cache": mapped("Task.cache", "see Cache"),
        "interruptible": mapped("Task.interruptible"),
        "retries": mapped("Task.retries", "the Job's backoffLimit; see RetryStrategy"),
        "reusable": mapped("TaskEnvironment.reusable / TaskRun.override.reusable(Off)"),
        "docs": mapped("Task.docs", "the Documentation's description"),
        "env_vars": mapped("TaskEnvironment.envVars / TaskRun.override.envVars"),
        "secrets": mapped("TaskEnvironment.secrets / TaskRun.override.secrets"),
        "service_account": mapped("Task.podTemplate.podSpec.serviceAccountName"),
        "timeout": mapped("Task.timeout", "see Timeout"),
        "pod_template": mapped("Task.podTemplate", "see PodTemplate"),
        "report": refused(f"HTML reports are rendered by the Flyte console ({_BACKEND})"),
        "queue": mapped("Task.queue"),
        "debuggable": internal("whether flyte's debugger may attach (set by the task class)"),
        "entrypoint": refused(f"a hint to the Flyte UI ({_BACKEND})"),
        "produces_artifacts": refused(f"artifacts are recorded by the Flyte backend ({_BACKEND})"),
        "parent_env": internal("a reference to the environment"),
        "parent_env_name": internal("the environment's name"),
        "ref": internal("whether the task is a reference to a remote task"),
        "max_inline_io_bytes": refused(f"limits inputs and outputs passed through Flyte's backend ({_BACKEND}; inputs are arguments)"),
        "triggers": mapped("Task.runs (CronJobs)", "see Trigger"),
        "links": refused(f"links are shown by the Flyte UI ({_BACKEND})", _truthy),
        "_call_as_synchronous": internal("whether the function is synchronous"),
        "task_resolver": refused("a custom task resolver loads tasks in Flyte's entrypoint; runs here import the function by module and name"),
        "func": internal("the task's function (runs import it by module and name)"),
        "plugin_config": refused(_PLUGIN),
    },
    "Resources": {
        "cpu": mapped("Resources.cpu / cpuLimit", "a pair is request and limit; a value is both (as Flyte's backend copies it)"),
        "memory": mapped("Resources.memory / memoryLimit"),
        "gpu": mapped("Resources.gpu / device", "an accelerator string, a count or a Device; AppleSilicon is refused (no Kubernetes convention)"),
        "disk": mapped("Resources.disk"),
        "shm": mapped("Resources.shm"),
    },
    "Device": {
        "quantity": mapped("Device.quantity", "TPUs take their topology instead"),
        "device_class": mapped("Device.deviceClass", "APPLE_SILICON is refused: no Kubernetes node advertises a Mac's GPU"),
        "device": mapped("Device.device"),
        "partition": mapped("Device.partition", "a MIG profile or a TPU topology"),
    },
    "Image": {
        "base_image": mapped("Image.fromBase", "the image the layers go on (flyte's default images: the python or flyte base)"),
        "dockerfile": mapped("Image.fromDockerfile.file"),
        "registry": mapped("Image clone.registry / fromDockerfile.registry"),
        "name": mapped("Image clone.name / fromDockerfile.name"),
        "platform": mapped("Image clone.platform"),
        "python_version": mapped("Image.fromBase", "carried by the base image's tag (python:3.11-..., flyte:py3.11-...)"),
        "extendable": mapped("Image clone.extendable"),
        "_is_cloned": mapped("ImageBuild or imageRef", "an image never cloned is used as is (a reference); a cloned one is built"),
        "_ref_name": refused("an image reference name is resolved from flyte's config (image refs); give the Image itself"),
        "_layers": mapped("Image.layers", "one data-form layer per flyte layer, in order; see the layer types"),
        "_tag": mapped("imageRef", "the preset tag of flyte's released default image, used as is; the unchanged Debian base without flyte (tagged `py3.11`, not by content) is refused"),
        "_image_registry_secret": refused("registry pull secrets are not supported yet: push with your docker login, pull with the cluster's credentials"),
        "_guard": internal("flyte's guard against direct construction"),
    },
    "PipPackages": {
        "packages": mapped("pipPackages.packages"),
        "index_url": mapped("pipPackages.indexUrl"),
        "extra_index_urls": mapped("pipPackages.extraIndexUrls"),
        "pre": mapped("pipPackages.pre"),
        "extra_args": mapped("pipPackages.extraArgs"),
        "secret_mounts": mapped("pipPackages.secretMounts", "build-time secrets (BuildKit secret mounts)"),
    },
    "Requirements": {
        "file": mapped("requirements.file"),
        "packages": refused("with_requirements installs the file; packages beside it are not a flyte API", _truthy),
        "index_url": mapped("requirements.indexUrl"),
        "extra_index_urls": mapped("requirements.extraIndexUrls"),
        "pre": mapped("requirements.pre"),
        "extra_args": mapped("requirements.extraArgs"),
        "secret_mounts": mapped("requirements.secretMounts"),
    },
    "PythonWheels": {
        "wheel_dir": mapped("localV2.distDir", "with_local_v2's flyte (and flyteidl2) wheels"),
        "wheel_dir_name": internal("the folder's name"),
        "package_name": mapped("localV2", "flyte and flyteidl2 (with_local_v2); other packages (with_local_rs_controller, with_local_v2_plugins) are refused"),
        "index_url": refused("pulumi-flyte's localV2 installs flyte's wheels without pip options, as flyte 2.12's with_local_v2"),
        "extra_index_urls": refused("pulumi-flyte's localV2 installs flyte's wheels without pip options, as flyte 2.12's with_local_v2"),
        "pre": refused("pulumi-flyte's localV2 installs flyte's wheels without pip options, as flyte 2.12's with_local_v2"),
        "extra_args": refused("pulumi-flyte's localV2 installs flyte's wheels without pip options, as flyte 2.12's with_local_v2"),
        "secret_mounts": refused("pulumi-flyte's localV2 installs flyte's wheels without pip options, as flyte 2.12's with_local_v2"),
    },
    "UVScript": {
        "script": mapped("uvScript.script"),
        "script_name": internal("the script's file name"),
        "index_url": mapped("uvScript.indexUrl"),
        "extra_index_urls": mapped("uvScript.extraIndexUrls"),
        "pre": mapped("uvScript.pre"),
        "extra_args": mapped("uvScript.extraArgs"),
        "secret_mounts": mapped("uvScript.secretMounts"),
    },
    "AptPackages": {
        "packages": mapped("aptPackages.packages"),
        "secret_mounts": mapped("aptPackages.secretMounts"),
    },
    "Commands": {
        "commands": mapped("commands.commands"),
        "secret_mounts": mapped("commands.secretMounts"),
    },
    "WorkDir": {"workdir": mapped("workdir")},
    "DockerIgnore": {"path": mapped("dockerignore")},
    "CopyConfig": {
        "path_type": mapped("sourceFile / sourceFolder", "0: a file, 1: a folder"),
        "src": mapped("sourceFile.src / sourceFolder.src"),
        "dst": mapped("sourceFile.dst / sourceFolder.dst", "as flyte computed it (copyContentsOnly)"),
    },
    "Env": {"env_vars": mapped("envVars", "in order")},
    "_DockerLines": {"lines": mapped("dockerLines", "flyte's default-image LABEL lines")},
    "UVProject": {
        "pyproject": refused("with_uv_project is not supported yet (uv sync of a project); install its requirements with with_requirements or with_pip_packages"),
        "uvlock": with_layer("pyproject"),
        "project_install_mode": with_layer("pyproject"),
        "index_url": with_layer("pyproject"),
        "extra_index_urls": with_layer("pyproject"),
        "pre": with_layer("pyproject"),
        "extra_args": with_layer("pyproject"),
        "secret_mounts": with_layer("pyproject"),
    },
    "PoetryProject": {
        "pyproject": refused("with_poetry_project is not supported yet; export the requirements (poetry export) and use with_requirements"),
        "poetry_lock": with_layer("pyproject"),
        "extra_args": with_layer("pyproject"),
        "project_install_mode": with_layer("pyproject"),
        "secret_mounts": with_layer("pyproject"),
    },
    "PixiProject": {
        "manifest": refused("pixi (conda) environments are not supported yet; install PyPI packages with with_pip_packages"),
        "pixi_lock": with_layer("manifest"),
        "environment": with_layer("manifest"),
        "extra_args": with_layer("manifest"),
        "project_install_mode": with_layer("manifest"),
        "secret_mounts": with_layer("manifest"),
    },
    "PixiScript": {
        "script": refused("pixi (conda) scripts are not supported yet; use Image.from_uv_script for PyPI dependencies"),
        "script_name": with_layer("script"),
        "platforms": with_layer("script"),
        "environment": with_layer("script"),
        "extra_args": with_layer("script"),
        "secret_mounts": with_layer("script"),
    },
    "CodeBundleLayer": {
        "copy_style": refused(_BUNDLE),
        "dst": with_layer("copy_style"),
        "root_dir": with_layer("copy_style"),
    },
    "Secret": {
        "key": mapped("Secret.key"),
        "group": mapped("Secret.group", "one Kubernetes Secret per group"),
        "mount": mapped("Secret.mount", "/etc/flyte/secrets/<group>/<key>"),
        "as_env_var": mapped("Secret.asEnvVar"),
    },
    "ReusePolicy": {
        "replicas": mapped("ReusePolicy.replicas / maxReplicas", "a warm pool of the minimum"),
        "idle_ttl": mapped("ReusePolicy.idleTtl"),
        "concurrency": mapped("ReusePolicy.concurrency"),
        "scaledown_ttl": mapped("ReusePolicy.scaledownTtl"),
        "scope": mapped("ReusePolicy.scope"),
    },
    "Cache": {
        "behavior": mapped("Cache.behavior"),
        "version_override": mapped("Cache.version"),
        "serialize": mapped("Cache.serialize"),
        "ignored_inputs": mapped("Cache.ignoredInputs"),
        "salt": mapped("Cache.salt"),
        "policies": refused(
            "a custom CachePolicy computes the cache version inside flyte's registration; give version_override",
            lambda v: _custom_cache_policies(v),
        ),
        "max_age": refused(f"cached results are kept by the Flyte backend ({_BACKEND})", lambda v: v is not None),
    },
    "PodTemplate": {
        "pod_spec": mapped("PodTemplate.podSpec", "a kubernetes V1PodSpec, serialized as the API server takes it"),
        "primary_container_name": mapped("PodTemplate.primaryContainerName"),
        "labels": mapped("PodTemplate.labels"),
        "annotations": mapped("PodTemplate.annotations"),
    },
    "RetryStrategy": {
        "count": mapped("Task.retries"),
        "backoff": refused("a Job retries with Kubernetes' own exponential back-off (10 s doubling to 6 min); a Flyte back-off cannot be set on it", lambda v: v is not None),
    },
    "Timeout": {
        "max_runtime": mapped("Task.timeout", "the Job's activeDeadlineSeconds"),
        "max_queued_time": refused(f"a queueing limit is the Flyte backend's ({_BACKEND})", lambda v: bool(v)),
        "deadline": refused("a Job has one deadline (activeDeadlineSeconds), which max_runtime sets", lambda v: bool(v)),
    },
    "Documentation": {"description": mapped("Task.docs")},
    "Trigger": {
        "name": mapped("TaskRun.name", "one CronJob per trigger"),
        "automation": mapped("TaskRun.schedule / timeZone", "Cron: its expression and time zone; FixedRate: `@every <n>m`; OnArtifact and none are refused"),
        "description": mapped("TaskRun.description"),
        "auto_activate": mapped("TaskRun.suspend", "not auto-activated: the CronJob is created suspended"),
        "inputs": mapped("TaskRun.args", "the run's arguments (JSON); TriggerTime is the run's start time"),
        "env_vars": mapped("TaskRun.override.envVars", "merged over the task's"),
        "interruptible": mapped("TaskRun.override.interruptible"),
        "overwrite_cache": refused(f"Flyte's cache is not consulted by a CronJob ({_BACKEND})", _truthy),
        "queue": mapped("TaskRun.override.queue"),
        "max_action_concurrency": refused(f"sub-actions are scheduled by the Flyte backend ({_BACKEND})", lambda v: v not in (None, 0)),
        "labels": mapped("TaskRun.labels"),
        "annotations": mapped("TaskRun.annotations"),
        "notifications": refused(f"notifications are sent by the Flyte backend ({_BACKEND})", _truthy),
        "custom_context": refused(f"custom context reaches tasks through Flyte's runtime ({_BACKEND})", _truthy),
    },
    "Cron": {
        "expression": mapped("TaskRun.schedule"),
        "timezone": mapped("TaskRun.timeZone"),
    },
    "FixedRate": {
        "interval_minutes": mapped("TaskRun.schedule", "`@every <n>m`"),
        "start_time": refused("a CronJob cannot anchor a fixed rate at a start time; use a Cron schedule", lambda v: v is not None),
    },
    "OnArtifact": {
        "name": refused(f"artifact triggers fire on the Flyte backend's artifact events ({_BACKEND})", lambda v: True),
        "version": with_layer("name"),
        "partitions": with_layer("name"),
    },
}
# fmt: on

#: flyte classes whose fields the companion reads, by the name the table uses
ALIASES = {"AsyncFunctionTaskTemplate": "TaskTemplate", "RuntimeTaskTemplate": "TaskTemplate"}


def _custom_cache_policies(policies: Any) -> bool:
    if not policies:
        return False
    try:
        from flyte._cache.defaults import get_default_policies

        defaults = {type(p) for p in get_default_policies()}
    except Exception:  # an older flyte: only its function-body policy is a default
        defaults = set()
    items = policies if isinstance(policies, (list, tuple)) else [policies]
    return any(type(p) not in defaults and type(p).__name__ != "FunctionBodyPolicy" for p in items)


def table_name(obj: Any) -> str:
    name = type(obj).__name__
    return ALIASES.get(name, name)


def _default_of(f: dataclasses.Field) -> Any:
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:  # type: ignore[misc]
        return f.default_factory()  # type: ignore[misc]
    return dataclasses.MISSING


def _is_set(value: Any, f: dataclasses.Field) -> bool:
    default = _default_of(f)
    if default is dataclasses.MISSING:
        return True
    try:
        return bool(value != default)
    except Exception:
        return True


def check_fields(obj: Any, path: str, problems: Problems, cls_name: Optional[str] = None) -> None:
    """Refuses the refused fields that are set, and every set field the table does not know."""
    name = cls_name or table_name(obj)
    rules = TABLE.get(name)
    if rules is None:
        problems.add(unknown_type(path, obj))
        return
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name, None)
        rule = rules.get(f.name)
        if rule is None:
            if _is_set(value, f):
                problems.add(
                    f"{path}.{f.name}: got {show(value)}; flyte {installed()}'s {name}.{f.name} is not known to "
                    f"flyte_pulumi, which maps flyte {tested_range()}: it cannot be deployed (leave it unset, or "
                    f"use a flyte release in that range)"
                )
            continue
        if rule.kind == REFUSED:
            hit = rule.is_set(value) if rule.is_set is not None else _is_set(value, f)
            if hit:
                problems.refuse(f"{path}.{f.name}", value, rule.note)


def unknown_type(path: str, obj: Any) -> str:
    return (
        f"{path}: a flyte {type(obj).__module__}.{type(obj).__name__} is not known to flyte_pulumi, which maps "
        f"flyte {tested_range()} (flyte {installed()} is installed): it cannot be deployed"
    )


def counts() -> Dict[str, int]:
    out = {MAPPED: 0, REFUSED: 0, INTERNAL: 0}
    for rules in TABLE.values():
        for rule in rules.values():
            out[rule.kind] += 1
    return out


def markdown() -> str:
    """The README's field table."""
    lines = [
        "| flyte-sdk class | field | what becomes of it |",
        "|---|---|---|",
    ]
    for cls, rules in TABLE.items():
        for field, rule in rules.items():
            if rule.kind == MAPPED:
                text = f"→ `{rule.target}`" + (f" ({rule.note})" if rule.note else "")
            elif rule.kind == REFUSED and rule.note.startswith("refused with its layer"):
                text = f"**{rule.note}**"
            elif rule.kind == REFUSED:
                text = f"**refused** when set: {rule.note}"
            else:
                text = f"not configuration: {rule.note}"
            lines.append(f"| `{cls}` | `{field}` | {text.replace('|', '/')} |")
    c = counts()
    lines.append("")
    lines.append(
        f"{c[MAPPED]} fields mapped, {c[REFUSED]} refused with their reason, {c[INTERNAL]} flyte bookkeeping "
        f"(not configuration), over {len(TABLE)} classes."
    )
    return "\n".join(lines)


def iter_rules() -> Iterable[tuple]:
    for cls, rules in TABLE.items():
        for field, rule in rules.items():
            yield cls, field, rule


def main() -> None:
    sys.stdout.write(markdown() + "\n")
