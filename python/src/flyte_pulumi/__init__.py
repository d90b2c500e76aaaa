"""flyte_pulumi: deploy the flyte-sdk task environments you already wrote with Pulumi.

    import flyte_pulumi
    import workflows                       # your flyte module, unchanged

    flyte_pulumi.deploy(workflows, profile="gke",
                        runs=[flyte_pulumi.Run(workflows.report, name="smoke", wait=True)])

Every TaskEnvironment of the module (and those they depend on) becomes the `flyte`
package's components: images built once at flyte's ``image.uri``, secrets' references,
tasks with their overrides and triggers. A flyte field that cannot be deployed fails the
preview naming it (README: "From flyte-sdk objects").
"""

from .environments import EnvironmentPlan, Run, as_json, environments_of, plan
from .errors import FlyteFieldError
from .versions import LOWEST, NEWEST, tested_range


def deploy(*args, **kwargs):
    from .components import deploy as _deploy

    return _deploy(*args, **kwargs)


__all__ = [
    "deploy",
    "plan",
    "as_json",
    "environments_of",
    "Run",
    "EnvironmentPlan",
    "FlyteFieldError",
    "LOWEST",
    "NEWEST",
    "tested_range",
]
