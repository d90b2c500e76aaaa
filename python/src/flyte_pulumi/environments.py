"""flyte TaskEnvironments, their tasks and runs as the data form of the `flyte` package's
``TaskEnvironment`` (camelCase, as `flyte:index:TaskEnvironment` takes it), without Pulumi.

`plan(...)` is the pure part of the companion: flyte objects in, data out, every refusal
collected into one `FlyteFieldError`. `components.py` registers what it returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Sequence

from .errors import Problems
from .fields import check_fields
from .images import ImageUse, image_use
from .pods import pod_template_spec
from .policies import cache_spec, retries_of, reuse_spec, timeout_of
from .resources import resources_spec
from .runner import check_importable, run_args, run_command
from .secrets import secrets_spec
from .triggers import trigger_run


@dataclass
class Run:
    """One invocation of a task, deployed as a Job (or a CronJob with ``schedule``).

    ``task`` is a task of an environment, or ``task.override(...)`` of one: what the
    override changes (resources, env vars, secrets, cache, retries, timeout, reusable,
    pod template, queue, interruptible) becomes the run's override. ``inputs`` are the
    function's arguments. ``wait``: `pulumi up` waits for the Job and fails with its log
    tail if it fails.
    """

    task: Any
    name: str
    inputs: Mapping[str, Any] = field(default_factory=dict)
    wait: bool = False
    wait_timeout: Optional[str] = None
    schedule: Optional[str] = None
    time_zone: Optional[str] = None
    ttl_seconds_after_finished: Optional[int] = None


@dataclass
class EnvironmentPlan:
    """One TaskEnvironment as data: its arguments, its image and the environments it depends on."""

    env: Any
    name: str
    args: Dict[str, Any]
    image: ImageUse
    depends_on: List[str]


def env_path(env: Any) -> str:
    return f'TaskEnvironment "{env.name}"'


def task_path(task: Any) -> str:
    return f'task "{task.name}"'


def short_name(task: Any) -> str:
    """The task's name inside its environment: the function's (flyte's name is `<env>.<function>`)."""
    func = getattr(task, "func", None)
    if func is not None:
        return func.__name__
    return task.name.split(".", 1)[-1]


def plan_environment(env: Any, runs: Sequence[Run], problems: Problems) -> EnvironmentPlan:
    at = env_path(env)
    check_fields(env, at, problems, "TaskEnvironment")
    args: Dict[str, Any] = {}
    image = image_use(env.image, f"{at}.image", problems)
    resources = resources_spec(env.resources, f"{at}.resources", problems)
    if resources:
        args["resources"] = resources
    if env.env_vars:
        args["envVars"] = dict(env.env_vars)
    secrets = secrets_spec(env.secrets, f"{at}.secrets", problems)
    if secrets:
        args["secrets"] = secrets
    cache = cache_spec(env.cache, f"{at}.cache", problems)
    if cache is not None and cache != {"behavior": "disable"}:
        args["cache"] = cache
    reusable = reuse_spec(env.reusable, f"{at}.reusable", problems)
    if reusable:
        args["reusable"] = reusable
    if env.interruptible:
        args["interruptible"] = True
    pod = pod_template_spec(
        env.pod_template, f"{at}.pod_template", problems, getattr(env, "service_account", None)
    )
    if pod:
        args["podTemplate"] = pod
    if env.description:
        args["description"] = env.description
    if env.queue:
        args["queue"] = env.queue
    tasks = [plan_task(env, t, [r for r in runs if _declared(r.task) is t], problems) for t in env.tasks.values()]
    if tasks:
        args["tasks"] = tasks
    return EnvironmentPlan(
        env=env, name=env.name, args=args, image=image, depends_on=[d.name for d in env.depends_on]
    )


def _declared(task: Any) -> Any:
    """The task as its environment declared it (an override is a copy with the same name)."""
    parent = task.parent_env() if callable(getattr(task, "parent_env", None)) else None
    if parent is None:
        return task
    return parent.tasks.get(task.name, task)


def plan_task(env: Any, task: Any, runs: Sequence[Run], problems: Problems) -> Dict[str, Any]:
    at = task_path(task)
    check_fields(task, at, problems, "TaskTemplate")
    name = short_name(task)
    out: Dict[str, Any] = {"name": name}
    if task.short_name and task.short_name not in (name, task.name):
        out["shortName"] = task.short_name
    cache = cache_spec(task.cache, f"{at}.cache", problems)
    env_cache = cache_spec(env.cache, f"{env_path(env)}.cache", Problems())
    if cache is not None and cache != env_cache:
        out["cache"] = cache
    retries = retries_of(task.retries, f"{at}.retries", problems)
    if retries:
        out["retries"] = retries
    timeout = timeout_of(task.timeout, f"{at}.timeout", problems)
    if timeout and timeout != "0s":
        out["timeout"] = timeout
    if task.interruptible != env.interruptible:
        out["interruptible"] = task.interruptible
    sa = getattr(task, "service_account", None)
    if task.pod_template is not env.pod_template or sa != getattr(env, "service_account", None):
        pod = pod_template_spec(task.pod_template, f"{at}.pod_template", problems, sa)
        if pod:
            out["podTemplate"] = pod
    if task.queue and task.queue != env.queue:
        out["queue"] = task.queue
    if task.docs is not None and getattr(task.docs, "description", None):
        check_fields(task.docs, f"{at}.docs", problems, "Documentation")
        out["docs"] = task.docs.description
    _check_same_as_env(env, task, at, problems)
    task_runs: List[Dict[str, Any]] = []
    for i, trigger in enumerate(_flat(getattr(task, "triggers", ()) or ())):
        check_importable(task, f"{at}.triggers[{i}]", problems)
        run = trigger_run(trigger, task, dict(env.env_vars or {}), f"{at}.triggers[{i}]", problems)
        if run is not None:
            task_runs.append(run)
    for run in runs:
        task_runs.append(plan_run(env, task, run, problems))
    if task_runs:
        out["runs"] = task_runs
    return out


def _flat(items: Any) -> List[Any]:
    """flyte 2.0 kept a list of triggers given to the decorator as one element: flatten it."""
    out: List[Any] = []
    for item in items:
        out.extend(_flat(item) if isinstance(item, (list, tuple)) else [item])
    return out


def _check_same_as_env(env: Any, task: Any, at: str, problems: Problems) -> None:
    """A declared task has its environment's resources, env vars and secrets (flyte's decorator has no others)."""
    for attr in ("resources", "env_vars", "secrets"):
        if getattr(task, attr) != getattr(env, attr):
            problems.refuse(
                f"{at}.{attr}",
                getattr(task, attr),
                f"a declared task uses its environment's {attr}; change them for a run with task.override({attr}=...)",
            )


# task.override fields and their data-form names (TaskOverride)
OVERRIDES = ("resources", "env_vars", "secrets", "cache", "retries", "timeout", "reusable", "pod_template", "queue", "interruptible")


def plan_run(env: Any, declared: Any, run: Run, problems: Problems) -> Dict[str, Any]:
    at = f'{task_path(declared)} run "{run.name}"'
    task = run.task
    check_importable(task, at, problems)
    if task is not declared:
        check_fields(task, f"{at}.task", problems, "TaskTemplate")
    out: Dict[str, Any] = {
        "name": run.name,
        "command": run_command(task),
        "args": run_args(run.inputs, at, problems),
    }
    if run.wait or run.wait_timeout:
        out["wait"] = True
    if run.wait_timeout:
        out["waitTimeout"] = run.wait_timeout
    if run.schedule:
        out["schedule"] = run.schedule
    if run.time_zone:
        out["timeZone"] = run.time_zone
    if run.ttl_seconds_after_finished is not None:
        out["ttlSecondsAfterFinished"] = run.ttl_seconds_after_finished
    override = override_spec(declared, task, at, problems)
    if override:
        out["override"] = override
    return out


def override_spec(declared: Any, task: Any, at: str, problems: Problems) -> Dict[str, Any]:
    """What `task.override(...)` changed, as the data form's TaskOverride."""
    if task is declared:
        return {}
    o: Dict[str, Any] = {}
    changed = {f for f in OVERRIDES if getattr(task, f, None) != getattr(declared, f, None)}
    if "resources" in changed:
        o["resources"] = resources_spec(task.resources, f"{at}.resources", problems) or {}
    if "env_vars" in changed:
        o["envVars"] = dict(task.env_vars or {})
    if "secrets" in changed:
        o["secrets"] = secrets_spec(task.secrets, f"{at}.secrets", problems)
    if "cache" in changed:
        o["cache"] = cache_spec(task.cache, f"{at}.cache", problems)
    if "retries" in changed:
        o["retries"] = retries_of(task.retries, f"{at}.retries", problems) or 0
    if "timeout" in changed:
        o["timeout"] = timeout_of(task.timeout, f"{at}.timeout", problems) or "0s"
    if "reusable" in changed:
        if task.reusable is None:
            o["reusableOff"] = True
        else:
            o["reusable"] = reuse_spec(task.reusable, f"{at}.reusable", problems)
    if "pod_template" in changed:
        o["podTemplate"] = pod_template_spec(task.pod_template, f"{at}.pod_template", problems) or {}
    if "queue" in changed and task.queue:
        o["queue"] = task.queue
    if "interruptible" in changed:
        o["interruptible"] = task.interruptible
    return o


def environments_of(module_or_envs: Any) -> List[Any]:
    """Every TaskEnvironment a module declares (or the ones given), with the environments
    they depend on, each once, dependencies first, otherwise in declaration order."""
    from flyte import TaskEnvironment

    if isinstance(module_or_envs, TaskEnvironment):
        roots = [module_or_envs]
    elif isinstance(module_or_envs, (list, tuple)):
        roots = list(module_or_envs)
    else:
        roots = [v for v in vars(module_or_envs).values() if isinstance(v, TaskEnvironment)]
        roots += [e for e in _declared_in(module_or_envs) if all(e is not r for r in roots)]
    order = _declaration_order()
    roots.sort(key=lambda e: order.get(id(e), len(order)))
    out: List[Any] = []
    seen: set = set()

    def visit(env: Any, stack: tuple) -> None:
        if id(env) in seen:
            return
        if id(env) in stack:
            return  # a cycle: flyte allows it; each is deployed once
        for dep in env.depends_on:
            visit(dep, stack + (id(env),))
        seen.add(id(env))
        out.append(env)

    for env in roots:
        visit(env, ())
    return out


def _declared_in(module: Any) -> List[Any]:
    """Environments the module's file created but keeps in no top-level name (a list, a dict,
    a function's result): flyte records each environment's declaring file (2.12 and later)."""
    import os

    file = getattr(module, "__file__", None)
    if not file:
        return []
    try:
        from flyte._environment import list_loaded_environments
    except ImportError:
        return []
    from flyte import TaskEnvironment

    here = os.path.abspath(file)
    return [
        e
        for e in list_loaded_environments()
        if isinstance(e, TaskEnvironment) and getattr(e, "_declaring_file", None) == here
    ]


def _declaration_order() -> Dict[int, int]:
    try:
        from flyte._environment import list_loaded_environments

        return {id(e): i for i, e in enumerate(list_loaded_environments())}
    except Exception:
        return {}


def runs_of(module: Any) -> List[Run]:
    """Runs a module declares as module-level `flyte_pulumi.Run` objects."""
    return [v for v in vars(module).values() if isinstance(v, Run)] if not isinstance(module, (list, tuple)) else []


def plan(module_or_envs: Any, runs: Sequence[Run] = ()) -> List[EnvironmentPlan]:
    """Every environment of a module (or the environments given), as data; one error lists every refusal."""
    problems = Problems()
    envs = environments_of(module_or_envs)
    names: Dict[str, Any] = {}
    for env in envs:
        if env.name in names and names[env.name] is not env:
            problems.add(f"{env_path(env)}: two environments share the name {env.name!r}")
        names[env.name] = env
    all_runs = list(runs) + runs_of(module_or_envs)
    for run in all_runs:
        owner = _declared(run.task)
        parent = owner.parent_env() if callable(getattr(owner, "parent_env", None)) else None
        if parent is None or all(parent is not e for e in envs):
            problems.add(f'run "{run.name}": its task {getattr(run.task, "name", run.task)!r} belongs to no environment being deployed')
    plans = [plan_environment(env, all_runs, problems) for env in envs]
    problems.raise_if_any()
    return plans


def as_json(plans: Sequence[EnvironmentPlan]) -> List[Dict[str, Any]]:
    """The plans as plain data (what tests compare with the TypeScript API's rendering)."""
    out = []
    for p in plans:
        out.append(
            {
                "name": p.name,
                "args": p.args,
                "image": p.image.build if p.image.build is not None else {"ref": p.image.ref},
                "dependsOn": p.depends_on,
            }
        )
    return out


__all__ = ["Run", "EnvironmentPlan", "plan", "environments_of", "as_json"]
