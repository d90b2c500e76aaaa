"""The pulumi-flyte quickstart in Python: the Flyte module workflows.py, deployed as it is.

Every TaskEnvironment of workflows.py (written only with flyte-sdk) becomes the `flyte`
package's components through the flyte_pulumi companion: its image built once and
pushed at the URI flyte-sdk computes, its secrets' references, its tasks with their
triggers (a nightly CronJob) and overrides, on the cluster flavour of the stack
(`flyte:profile`: gke on dev) except the Inferentia environment (eks). Two runs: the
data load once, and the smoke task, whose report `pulumi up` waits for. A flyte field
that cannot be deployed fails `pulumi preview` naming it.
"""

import os

import pulumi
import pulumi_kubernetes as k8s

stack = pulumi.Config("flyte")
config = pulumi.Config()
# the image's registry and pip packages, as a Flyte user configures them (flyte reads
# FLYTE_IMAGE_REGISTRY; workflows.py reads QUICKSTART_PIP_PACKAGES): set before the import
os.environ.setdefault("FLYTE_IMAGE_REGISTRY", stack.get("registry") or "localhost:30000")
pip_packages = config.get("pipPackages") or "six==1.16.0"
os.environ["QUICKSTART_PIP_PACKAGES"] = pip_packages

import flyte_pulumi  # noqa: E402
import workflows  # noqa: E402

namespace = k8s.core.v1.Namespace("namespace", metadata={"name": stack.get("namespace") or "default"})

deployed = flyte_pulumi.deploy(
    workflows,
    namespace=namespace.metadata.name,
    profiles={"infer": "eks"},
    secret_values={"wandb": {"api-key": config.require_secret("wandbApiKey")}},
    build_secret_values={"PYPI_TOKEN": config.require_secret("pypiToken")},
    build_network=stack.get("buildNetwork"),
    runs=[
        flyte_pulumi.Run(workflows.load, name="once", inputs={"rows": 1000}, wait=True),
        # the smoke task reports what it sees; `pulumi up` waits for it
        flyte_pulumi.Run(workflows.report, name="once", inputs={"packages": pip_packages.split(",")}, wait=True),
    ],
)

envs = deployed.environments
build = next(iter(deployed.images.values()))
pulumi.export("imageUri", build.uri)
pulumi.export("imageRef", build.ref)
pulumi.export("imageBuilt", build.built)
pulumi.export("podTemplates", {name: env.pod_template_name for name, env in envs.items()})
TASKS = [("prep", "load"), ("train", "fit"), ("smoke", "report")]
pulumi.export(
    "taskPodTemplates",
    {f"{name}.{task}": envs[name].task_pod_template_names[task] for name, task in TASKS},
)
pulumi.export(
    "jobs",
    {
        "prep.load.once": envs["prep"].run_job_names["load.once"],
        "smoke.report.once": envs["smoke"].run_job_names["report.once"],
        "train.fit.nightly": envs["train"].run_job_names["fit.nightly"],
    },
)
# where each environment and task can run, as the scheduling check saw it at preview
pulumi.export(
    "placements",
    {
        **{name: env.placement for name, env in envs.items()},
        **{f"{name}.{task}": envs[name].task_placements[task] for name, task in TASKS},
    },
)
pulumi.export("namespaceName", namespace.metadata.name)
