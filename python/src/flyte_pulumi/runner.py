"""The command a run's container executes: import the task's module, call its function
with the run's inputs, print what it returned. No Flyte backend is involved: a run is a
plain Kubernetes Job (or a CronJob's Job) in the environment's image, which must hold
the module (with_source_file / with_source_folder) and flyte (Flyte's default images do).
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Mapping

from .errors import Problems

#: an input bound to flyte.TriggerTime: the runner passes the run's start time (UTC)
TRIGGER_TIME = {"__flyte_trigger_time__": True}

RUNNER = """\
import asyncio, datetime, importlib, inspect, json, sys
module, function = sys.argv[1], sys.argv[2]
inputs = json.loads(sys.argv[3]) if len(sys.argv) > 3 else {}
now = datetime.datetime.now(datetime.timezone.utc)
inputs = {k: now if v == {"__flyte_trigger_time__": True} else v for k, v in inputs.items()}
task = getattr(importlib.import_module(module), function)
call = getattr(task, "forward", None) or task
result = call(**inputs)
if inspect.isawaitable(result):
    result = asyncio.run(result)
if result is not None:
    print(json.dumps(result, default=str))
"""


def run_command(task: Any) -> List[str]:
    func = getattr(task, "func", task)
    return ["python", "-c", RUNNER, func.__module__, func.__name__]


def run_args(inputs: Mapping[str, Any], path: str, problems: Problems) -> List[str]:
    """The inputs as the run's one argument (JSON); each value must be JSON data or TriggerTime."""
    from flyte import TriggerTime

    data: Dict[str, Any] = {}
    for name, value in (inputs or {}).items():
        if value is TriggerTime:
            data[name] = TRIGGER_TIME
            continue
        try:
            json.dumps(value)
        except (TypeError, ValueError):
            problems.refuse(
                f"{path}.inputs[{name!r}]",
                value,
                "a run's inputs are its arguments, JSON data (numbers, strings, booleans, lists, dicts) or flyte.TriggerTime",
            )
            continue
        data[name] = value
    return [json.dumps(data, sort_keys=True)]


def check_importable(task: Any, path: str, problems: Problems) -> None:
    func = getattr(task, "func", None)
    if func is None:
        problems.refuse(path, task, "only function tasks can run (a runner imports the function by module and name)")
        return
    if func.__module__ == "__main__":
        problems.refuse(
            path,
            task,
            "a task declared in the Pulumi program itself cannot be imported in its container: declare it in a module "
            "of its own (the file you run with flyte) and import that module in __main__.py",
        )
