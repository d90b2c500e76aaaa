"""The TypeScript quickstart written in Python with the `flyte` package's data form (*Args).

The Python quickstart (examples/python-quickstart) deploys a flyte-sdk module with the
flyte_pulumi companion; this program keeps the data form written by hand under test
(tests/e2e/multi-language.test.ts). The same task environments as the TypeScript
quickstart (examples/quickstart), through the multi-language `flyte` package: one image built and pushed under flyte-sdk's tag, a
secret group, and task environments for every accelerator the stack's cluster flavour
offers (stack config `flyte:profile`: gke on dev, eks on prod), a nightly CronJob and a
one-off Job. Every value is validated before anything is created: a typo fails
`pulumi preview` naming the field.
"""

import pathlib

import pulumi
import pulumi_kubernetes as k8s

import pulumi_flyte as flyte

stack = pulumi.Config("flyte")
profile = stack.get("profile") or "flyte"
config = pulumi.Config()
train_gpus = config.get_int("trainGpus") or 4
evaluate_gpus = config.get_int("evaluateGpus") or 1

namespace = k8s.core.v1.Namespace("namespace", metadata={"name": stack.get("namespace") or "default"})

secrets = flyte.SecretStore(
    "secrets",
    namespace=namespace.metadata.name,
    groups={"wandb": {"api-key": config.require_secret("wandbApiKey")}},
)

# One image for every environment, as layers; its tag is flyte-sdk's content hash, so
# the TypeScript quickstart's image is this image. The PyPI token is a BuildKit secret
# of the pip step only.
image = flyte.ImageArgs(
    from_debian_base=flyte.DebianBaseImageArgs(python="3.11", registry=stack.get("registry"), name="quickstart"),
    layers=[
        flyte.ImageLayerArgs(apt_packages=flyte.AptPackagesArgs(packages=["curl"])),
        flyte.ImageLayerArgs(
            pip_packages=flyte.PipPackagesArgs(
                packages=(config.get("pipPackages") or "six==1.16.0").split(","),
                secret_mounts=[flyte.SecretMountArgs(group="pypi", key="token")],
            )
        ),
        flyte.ImageLayerArgs(env_vars=[flyte.EnvVarArgs(name="PYTHONUNBUFFERED", value="1")]),
    ],
)
build = flyte.ImageBuild(
    "quickstart-image",
    image=image,
    network=stack.get("buildNetwork"),
    secret_values={"PYPI_TOKEN": config.require_secret("pypiToken")},
)

wandb = flyte.SecretArgs(group="wandb", key="api-key")


def gpu(device: str, partition: str) -> flyte.DeviceArgs:
    family = flyte.DeviceClass.TPU if device.startswith("V") else flyte.DeviceClass.GPU
    return flyte.DeviceArgs(device_class=family, device=device, partition=partition)


# name -> resources, secrets, interruptible; per cluster flavour (examples/quickstart/environments.ts)
common = {
    "prep": dict(resources=flyte.ResourcesArgs(cpu="1", memory="4Gi")),
    "train": dict(
        resources=flyte.ResourcesArgs(cpu="8", memory="64Gi", shm="auto", gpu=f"A100_80G:{train_gpus}"),
        secrets=[wandb],
    ),
}
flavours = {
    "gke": {
        "evaluate": dict(resources=flyte.ResourcesArgs(cpu="4", memory="16Gi", gpu=f"A100:{evaluate_gpus}")),
        "serve": dict(resources=flyte.ResourcesArgs(cpu="16", memory="128Gi", gpu="H100:8"), secrets=[wandb]),
        "notebook": dict(resources=flyte.ResourcesArgs(cpu="2", memory="8Gi", device=gpu("A100", "1g.5gb"))),
        "pretrain": dict(resources=flyte.ResourcesArgs(cpu="32", memory="256Gi", device=gpu("V5P", "2x2x1"))),
        "tune": dict(resources=flyte.ResourcesArgs(cpu="32", memory="256Gi", device=gpu("V6E", "2x4"))),
        "sweep": dict(resources=flyte.ResourcesArgs(cpu="4", memory="8Gi"), interruptible=True),
    },
    "eks": {
        "infer": dict(
            resources=flyte.ResourcesArgs(
                cpu="8", memory="32Gi", device=flyte.DeviceArgs(device_class=flyte.DeviceClass.NEURON, device="Inf2", quantity=6)
            )
        ),
        "sweep": dict(resources=flyte.ResourcesArgs(cpu="4", memory="8Gi"), interruptible=True),
    },
}

# Tasks: a nightly training run (CronJob) and a one-off data load (a Job run to completion).
tasks = {
    "train": [
        flyte.TaskArgs(
            name="fit",
            retries=2,
            timeout="6h",
            cache=flyte.CacheArgs(behavior=flyte.CacheBehavior.AUTO),
            runs=[flyte.TaskRunArgs(name="nightly", command=["python", "-m", "train"], schedule="0 3 * * *")],
        )
    ],
    "prep": [
        flyte.TaskArgs(
            name="load",
            retries=1,
            # `pulumi up` waits for the Job and fails with the task's log tail if it fails
            runs=[flyte.TaskRunArgs(name="once", command=["python", "-c", "print('loaded')"], wait=True)],
        )
    ],
}

# The smoke environment: its task runs examples/quickstart/tasks/report.py in the
# image (as `python -c`, so the image stays the one above) and reports what a deployed task
# sees: the pip packages, the wandb secret as env var and as file, WANDB_PROJECT, the
# working directory, /dev/shm. `pulumi up` waits for it (wait=True). The path is relative
# to the project's directory.
report_script = (pathlib.Path("..") / "quickstart" / "tasks" / "report.py").read_text()
smoke = {
    "smoke": dict(
        resources=flyte.ResourcesArgs(cpu="500m", memory="256Mi", shm="64Mi"),
        secrets=[wandb, flyte.SecretArgs(group="wandb", key="api-key", mount="/etc/flyte/secrets")],
        env_vars={"WANDB_PROJECT": "quickstart"},
    )
}
tasks["smoke"] = [
    flyte.TaskArgs(
        name="report",
        runs=[flyte.TaskRunArgs(name="once", command=["python", "-c", report_script, config.get("pipPackages") or "six==1.16.0"], wait=True)],
    )
]

environments = {
    name: flyte.TaskEnvironment(
        name,
        image_ref=build.ref,
        namespace=namespace.metadata.name,
        profile=profile,
        mig_strategy=stack.get("migStrategy"),
        tasks=tasks.get(name),
        **row,
        opts=pulumi.ResourceOptions(depends_on=[secrets]),
    )
    for name, row in {**common, **flavours.get(profile, {}), **smoke}.items()
}

pulumi.export("imageUri", build.uri)
pulumi.export("imageRef", build.ref)
pulumi.export("imageBuilt", build.built)
pulumi.export("podTemplates", {name: env.pod_template_name for name, env in environments.items()})
pulumi.export(
    "taskPodTemplates",
    {
        "train.fit": environments["train"].task_pod_template_names["fit"],
        "prep.load": environments["prep"].task_pod_template_names["load"],
        "smoke.report": environments["smoke"].task_pod_template_names["report"],
    },
)
pulumi.export(
    "jobs",
    {
        "prep.load.once": environments["prep"].run_job_names["load.once"],
        "smoke.report.once": environments["smoke"].run_job_names["report.once"],
    },
)
# where each environment and task can run, as the scheduling check saw it at preview
pulumi.export(
    "placements",
    {
        **{name: env.placement for name, env in environments.items()},
        "train.fit": environments["train"].task_placements["fit"],
        "prep.load": environments["prep"].task_placements["load"],
    },
)
pulumi.export("namespaceName", namespace.metadata.name)
