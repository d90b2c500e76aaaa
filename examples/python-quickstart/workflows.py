"""A Flyte workflow module, written only with flyte-sdk: the file a Flyte user runs with
`flyte run workflows.py fit --epochs 1`. The Pulumi program beside it (__main__.py)
deploys every TaskEnvironment declared here with the flyte_pulumi companion, unchanged.

One image for every environment: Flyte's Debian base with flyte, curl, a pip package
installed with a build-time secret (a PyPI token), this module and the smoke task's probe.
"""

import os
import platform
import sys
from pathlib import Path

import flyte

HERE = Path(__file__).resolve().parent
# the smoke task's probe (the TypeScript quickstart's); the image copies it beside this module
PROBE = HERE.parent / "quickstart" / "tasks" / "report.py"
PIP_PACKAGES = os.environ.get("QUICKSTART_PIP_PACKAGES", "six==1.16.0").split(",")

image = (
    flyte.Image.from_debian_base(
        python_version=(3, 11),
        registry=os.environ.get("FLYTE_IMAGE_REGISTRY", "localhost:30000"),
        name="flyte-quickstart",
    )
    .with_apt_packages("curl")
    .with_pip_packages(*PIP_PACKAGES, secret_mounts=[flyte.Secret(key="token", group="pypi")])
    .with_env_vars({"PYTHONUNBUFFERED": "1"})
    .with_source_file([Path(__file__).resolve(), PROBE])
)

wandb = flyte.Secret(key="api-key", group="wandb")

prep = flyte.TaskEnvironment(
    "prep",
    image=image,
    resources=flyte.Resources(cpu=1, memory="4Gi"),
)

# one MIG slice of an A100 (GKE partitions the GPU; the slice is one nvidia.com/gpu)
train = flyte.TaskEnvironment(
    "train",
    image=image,
    resources=flyte.Resources(cpu=2, memory="8Gi", gpu=flyte.GPU(device="A100", quantity=1, partition="1g.5gb")),
    secrets=[wandb],
    env_vars={"WANDB_PROJECT": "quickstart"},
    depends_on=[prep],
)

# a v5p TPU slice of one host (2x2x1: four chips)
pretrain = flyte.TaskEnvironment(
    "pretrain",
    image=image,
    resources=flyte.Resources(cpu=32, memory="256Gi", gpu=flyte.TPU(device="V5P", partition="2x2x1")),
    interruptible=False,
)

# AWS Inferentia2: six devices of an inf2.24xlarge (deployed with the eks profile)
infer = flyte.TaskEnvironment(
    "infer",
    image=image,
    resources=flyte.Resources(cpu=8, memory="32Gi", gpu="Inf2:6"),
)

# one share of a time-sliced T4 (flyte-sdk 2.12's shared GPUs)
serve = flyte.TaskEnvironment(
    "serve",
    image=image,
    resources=flyte.Resources(cpu=1, memory="2Gi", gpu="T4 shared:1"),
    secrets=[wandb],
)

# the smoke environment: its task runs on a CPU node and reports what it sees
smoke = flyte.TaskEnvironment(
    "smoke",
    image=image,
    resources=flyte.Resources(cpu="500m", memory="256Mi", shm="64Mi"),
    secrets=[wandb, flyte.Secret(key="api-key", group="wandb", mount=Path("/etc/flyte/secrets"))],
    env_vars={"WANDB_PROJECT": "quickstart"},
)

nightly = flyte.Trigger(
    "nightly",
    flyte.Cron("0 3 * * *", timezone="Europe/Paris"),
    inputs={"epochs": 3, "started": flyte.TriggerTime},
    description="Retrain every night on yesterday's data",
)


@prep.task(retries=1)
async def load(rows: int) -> int:
    """Loads the data set."""
    return rows


@train.task(retries=2, timeout=6 * 3600, cache="auto", triggers=[nightly])
async def fit(epochs: int, started: str = "") -> float:
    """Trains the model."""
    return 0.1 * epochs


@pretrain.task
async def pretrain_step(steps: int) -> int:
    return steps


@infer.task
async def predict(batch: int) -> int:
    return batch


@serve.task
async def generate(prompt: str) -> str:
    return prompt


@smoke.task
def report(packages: list) -> None:
    """Prints what a deployed task sees (one JSON line): packages, the wandb secret both ways,
    env vars, the working directory, /dev/shm, its user and Python."""
    import report as probe  # the probe copied beside this module

    sys.argv = ["report", *packages]
    if probe.main() != 0:
        raise RuntimeError(f"the task cannot use what it was given (see the report above; Python {platform.python_version()})")


if __name__ == "__main__":
    flyte.init_from_config()
    print(flyte.run(fit, epochs=1))
