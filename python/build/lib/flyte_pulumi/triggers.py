"""flyte Triggers as scheduled runs (CronJobs): cron or fixed rate, with the trigger's
time zone, inputs (the run's arguments), activation, env vars, labels and annotations."""

from __future__ import annotations

from typing import Any, Dict, Optional

from .errors import Problems
from .fields import check_fields, table_name
from .runner import run_args, run_command


def trigger_run(trigger: Any, task: Any, task_env: Dict[str, str], path: str, problems: Problems) -> Optional[Dict[str, Any]]:
    check_fields(trigger, path, problems, "Trigger")
    automation = trigger.automation
    run: Dict[str, Any] = {"name": trigger.name}
    if automation is None:
        problems.refuse(
            f"{path}.automation",
            None,
            "a trigger without automation is fired on demand by the Flyte backend: there is nothing to schedule",
        )
        return None
    kind = table_name(automation)
    check_fields(automation, f"{path}.automation", problems, kind)
    if kind == "Cron":
        run["schedule"] = automation.expression
        run["timeZone"] = automation.timezone
    elif kind == "FixedRate":
        run["schedule"] = f"@every {int(automation.interval_minutes)}m"
    else:
        return None  # OnArtifact (refused by its row) or a type check_fields reported
    run["command"] = run_command(task)
    run["args"] = run_args(trigger.inputs or {}, path, problems)
    if not trigger.auto_activate:
        run["suspend"] = True
    if trigger.description:
        run["description"] = trigger.description
    if trigger.labels:
        run["labels"] = dict(trigger.labels)
    if trigger.annotations:
        run["annotations"] = dict(trigger.annotations)
    override: Dict[str, Any] = {}
    if trigger.env_vars:
        override["envVars"] = {**task_env, **dict(trigger.env_vars)}
    if trigger.interruptible is not None:
        override["interruptible"] = trigger.interruptible
    if trigger.queue:
        override["queue"] = trigger.queue
    if override:
        run["override"] = override
    return run
