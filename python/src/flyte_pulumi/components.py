"""The imperative shell: registers what `environments.plan` made of flyte objects as the
`flyte` package's components (the generated `pulumi_flyte` SDK): one ``ImageBuild`` per
distinct image, one ``SecretStore`` for the secret values given, one ``TaskEnvironment``
per flyte environment, after the environments it depends on."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Sequence

import pulumi

from .environments import EnvironmentPlan, Run, plan
from .versions import installed, is_newer_than_tested, is_older_than_tested, tested_range


def _sdk():
    try:
        import pulumi_flyte
    except ImportError as err:  # pragma: no cover - depends on the user's environment
        raise ImportError(
            "flyte_pulumi needs the flyte package's Python SDK (pulumi_flyte): generate it with "
            "`pulumi package gen-sdk <pulumi-flyte>/provider --language python --local -o sdks` and "
            "`pip install ./sdks/python` (README: Python and YAML)"
        ) from err
    return pulumi_flyte


@dataclass
class Deployment:
    """What `deploy` registered, by flyte name."""

    environments: Dict[str, Any] = field(default_factory=dict)
    images: Dict[str, Any] = field(default_factory=dict)
    secret_store: Optional[Any] = None


_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def _snake(name: str) -> str:
    return _CAMEL.sub("_", name).lower()


def _warn_version() -> None:
    version = installed()
    if is_newer_than_tested(version) or is_older_than_tested(version):
        pulumi.log.warn(
            f"flyte {version} is installed; flyte_pulumi is tested with flyte {tested_range()}: a field or layer "
            "type it does not know fails the preview naming it"
        )


def deploy(
    module_or_envs: Any,
    *,
    runs: Sequence[Run] = (),
    namespace: Optional[pulumi.Input[str]] = None,
    profile: Optional[str] = None,
    profiles: Optional[Mapping[str, str]] = None,
    mig_strategy: Optional[str] = None,
    secret_values: Optional[Mapping[str, Mapping[str, pulumi.Input[str]]]] = None,
    build_secret_values: Optional[Mapping[str, pulumi.Input[str]]] = None,
    build_network: Optional[str] = None,
    opts: Optional[pulumi.ResourceOptions] = None,
) -> Deployment:
    """Deploys every TaskEnvironment of a flyte module (or the environments given).

    Each environment becomes a `flyte:index:TaskEnvironment` named after it, with its
    tasks (a PodTemplate each), its triggers (CronJobs) and the ``runs`` given (Jobs);
    each distinct image one `flyte:index:ImageBuild` (pushed at flyte's ``image.uri``);
    ``secret_values`` (group -> key -> value) one `flyte:index:SecretStore`. ``profile``,
    ``namespace`` and ``mig_strategy`` default to the stack's `flyte:*` config;
    ``profiles`` gives environments (by name) a cluster flavour of their own. A field
    that cannot be deployed fails here, at preview, naming it (`FlyteFieldError`).
    """
    flyte_sdk = _sdk()
    _warn_version()
    plans = plan(module_or_envs, runs)
    unknown = sorted(set(profiles or {}) - {p.name for p in plans})
    if unknown:
        raise ValueError(f"profiles: no environment named {', '.join(map(repr, unknown))}; environments: {', '.join(p.name for p in plans)}")
    out = Deployment()
    base = opts or pulumi.ResourceOptions()
    if secret_values:
        out.secret_store = flyte_sdk.SecretStore(
            "secrets",
            namespace=namespace,
            groups={g: dict(keys) for g, keys in secret_values.items()},
            opts=base,
        )
    builds: Dict[str, Any] = {}
    for p in plans:
        spec = p.image.build
        if spec is None or spec["flyteUri"] in builds:
            continue
        name = _build_name(p, out.images)
        builds[spec["flyteUri"]] = out.images[name] = flyte_sdk.ImageBuild(
            name,
            image=spec,
            network=build_network,
            secret_values=dict(build_secret_values) if build_secret_values else None,
            opts=base,
        )
    for p in plans:
        image_ref = builds[p.image.build["flyteUri"]].ref if p.image.build is not None else p.image.ref
        depends: List[Any] = [out.environments[d] for d in p.depends_on if d in out.environments]
        if out.secret_store is not None:
            depends.append(out.secret_store)
        kwargs = {_snake(k): v for k, v in p.args.items()}
        out.environments[p.name] = flyte_sdk.TaskEnvironment(
            p.name,
            image_ref=image_ref,
            namespace=namespace,
            profile=(profiles or {}).get(p.name, profile),
            mig_strategy=mig_strategy,
            **kwargs,
            opts=pulumi.ResourceOptions.merge(base, pulumi.ResourceOptions(depends_on=depends)),
        )
    return out


def _build_name(p: EnvironmentPlan, taken: Mapping[str, Any]) -> str:
    image = p.image.image
    name = f"{getattr(image, 'name', None) or p.name}-image"
    return name if name not in taken else f"{p.name}-image"


__all__ = ["deploy", "Deployment"]
