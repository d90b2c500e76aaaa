"""flyte environments, tasks, triggers and runs as the data form: what maps where, and
every refusal names the field and why."""

from datetime import datetime, timedelta
from pathlib import Path

import flyte
import pytest

from flyte_pulumi import FlyteFieldError, Run, as_json, environments_of, plan
from flyte_pulumi.versions import parse

FLYTE = parse(flyte.__version__)
HERE = Path(__file__).parent
IMAGE = flyte.Image.from_debian_base(python_version=(3, 11), registry="r.example.com", name="app").with_pip_packages(
    "six==1.16.0"
)


def one(env, runs=()):
    [p] = [p for p in plan([env], runs) if p.name == env.name]
    return p


def refusals(*envs, runs=()):
    with pytest.raises(FlyteFieldError) as err:
        plan(list(envs), runs)
    return err.value.problems


def test_environment_fields():
    env = flyte.TaskEnvironment(
        "train",
        image=IMAGE,
        resources=flyte.Resources(cpu=(1, 4), memory=("4Gi", "8Gi"), disk="100Gi", shm="auto", gpu="A100:2"),
        env_vars={"WANDB_PROJECT": "llm"},
        secrets=["plain", flyte.Secret(key="api-key", group="wandb")],
        cache="auto",
        interruptible=True,
        description="trains",
        queue="gpu",
    )
    p = one(env)
    assert p.args == {
        "resources": {
            "cpu": "1",
            "cpuLimit": "4",
            "memory": "4Gi",
            "memoryLimit": "8Gi",
            "disk": "100Gi",
            "shm": "auto",
            "gpu": "A100:2",
        },
        "envVars": {"WANDB_PROJECT": "llm"},
        "secrets": [{"key": "plain", "asEnvVar": "PLAIN"}, {"key": "api-key", "group": "wandb", "asEnvVar": "WANDB_API_KEY"}],
        "cache": {"behavior": "auto"},
        "interruptible": True,
        "description": "trains",
        "queue": "gpu",
    }
    assert p.image.build["flyteUri"] == IMAGE.uri


def test_devices():
    cases = {
        "gpu-count": (flyte.Resources(gpu=2), {"device": {"deviceClass": "GPU", "quantity": 2}}),
        "mig": (
            flyte.Resources(gpu=flyte.GPU(device="A100", quantity=1, partition="1g.5gb")),
            {"device": {"deviceClass": "GPU", "device": "A100", "quantity": 1, "partition": "1g.5gb"}},
        ),
        "tpu": (
            flyte.Resources(gpu=flyte.TPU(device="V5P", partition="2x2x1")),
            {"device": {"deviceClass": "TPU", "device": "V5P", "partition": "2x2x1"}},
        ),
        "neuron": (flyte.Resources(gpu="Inf2:6"), {"gpu": "Inf2:6"}),
    }
    for name, (resources, expected) in cases.items():
        assert one(flyte.TaskEnvironment(f"d-{name}", image=IMAGE, resources=resources)).args["resources"] == expected


@pytest.mark.skipif(FLYTE < (2, 12), reason="shared GPUs and Apple Silicon arrived in flyte 2.12")
def test_shared_gpu_and_apple_silicon():
    env = flyte.TaskEnvironment("serve", image=IMAGE, resources=flyte.Resources(gpu="T4 shared:1"))
    assert one(env).args["resources"] == {"gpu": "T4 shared:1"}
    shared = flyte.TaskEnvironment("serve2", image=IMAGE, resources=flyte.Resources(gpu=flyte.GPU("L4 shared", 1)))
    assert one(shared).args["resources"] == {"device": {"deviceClass": "GPU", "device": "L4 shared", "quantity": 1}}
    mac = flyte.TaskEnvironment("mac", image=IMAGE, resources=flyte.Resources(gpu="AppleSilicon"))
    [problem] = refusals(mac)
    assert problem.startswith('TaskEnvironment "mac".resources.gpu: got \'AppleSilicon\'; Apple Silicon is the Metal GPU')
    assert "no Kubernetes node advertises it" in problem


def test_tasks_triggers_and_runs():
    env = flyte.TaskEnvironment("train", image=IMAGE, env_vars={"A": "1"})
    nightly = flyte.Trigger(
        "nightly",
        flyte.Cron("0 3 * * *", timezone="Europe/Paris"),
        inputs={"epochs": 3, "at": flyte.TriggerTime},
        env_vars={"B": "2"},
        auto_activate=False,
    )
    hourly = flyte.Trigger("hourly", flyte.FixedRate(60), inputs={"epochs": 1})

    @env.task(retries=2, timeout=timedelta(hours=6), cache="auto", triggers=[nightly, hourly], queue="q1")
    async def fit(epochs: int, at: str = "") -> float:
        return 0.0

    small = fit.override(resources=flyte.Resources(cpu=1), retries=5)
    p = one(env, runs=[Run(small, name="small", inputs={"epochs": 1}, wait=True)])
    [task] = p.args["tasks"]
    assert {k: v for k, v in task.items() if k != "runs"} == {
        "name": "fit",
        "cache": {"behavior": "auto"},
        "retries": 2,
        "timeout": "21600s",
        "queue": "q1",
    }
    nightly_run, hourly_run, small_run = task["runs"]
    assert nightly_run["schedule"] == "0 3 * * *" and nightly_run["timeZone"] == "Europe/Paris"
    assert nightly_run["suspend"] is True
    assert nightly_run["args"] == ['{"at": {"__flyte_trigger_time__": true}, "epochs": 3}']
    assert nightly_run["command"][:2] == ["python", "-c"] and nightly_run["command"][3:] == [__name__, "fit"]
    assert nightly_run["override"] == {"envVars": {"A": "1", "B": "2"}}
    assert hourly_run["schedule"] == "@every 60m" and "timeZone" not in hourly_run
    assert small_run["wait"] is True
    assert small_run["override"] == {"resources": {"cpu": "1"}, "retries": 5}


def test_reusable_and_override_off():
    env = flyte.TaskEnvironment(
        "warm", image=IMAGE, reusable=flyte.ReusePolicy(replicas=(2, 6), concurrency=1, idle_ttl=300)
    )

    @env.task
    async def step(x: int) -> int:
        return x

    p = one(env, runs=[Run(step.override(reusable="off", env_vars={"X": "1"}), name="cold")])
    assert p.args["reusable"]["replicas"] == 2 and p.args["reusable"]["maxReplicas"] == 6
    assert p.args["reusable"]["idleTtl"] == "300s"
    [run] = p.args["tasks"][0]["runs"]
    assert run["override"] == {"envVars": {"X": "1"}, "reusableOff": True}


def test_depends_on_deploys_dependencies_first_each_once():
    base = flyte.TaskEnvironment("base", image=IMAGE)
    a = flyte.TaskEnvironment("a", image=IMAGE, depends_on=[base])
    b = flyte.TaskEnvironment("b", image=IMAGE, depends_on=[base, a])
    assert [e.name for e in environments_of([b])] == ["base", "a", "b"]
    plans = plan([b, a])
    assert [p.name for p in plans] == ["base", "a", "b"]
    assert plans[2].depends_on == ["base", "a"]


def test_one_image_shared_by_environments_is_one_build():
    a = flyte.TaskEnvironment("share-a", image=IMAGE)
    b = flyte.TaskEnvironment("share-b", image=IMAGE)
    specs = {p.image.build["flyteUri"] for p in plan([a, b])}
    assert specs == {IMAGE.uri}


def test_image_refs():
    assert one(flyte.TaskEnvironment("auto-img")).image.ref == "auto"
    assert one(flyte.TaskEnvironment("ref-img", image="ghcr.io/acme/app:1")).image.ref == "ghcr.io/acme/app:1"
    base = flyte.Image.from_base("ghcr.io/acme/base:2")
    assert one(flyte.TaskEnvironment("base-img", image=base)).image.ref == "ghcr.io/acme/base:2"


def test_refusals_name_the_field_and_the_reason():
    image = IMAGE.with_uv_project(HERE / "uvproj" / "pyproject.toml") if hasattr(IMAGE, "with_uv_project") else IMAGE
    env = flyte.TaskEnvironment(
        "bad",
        image=image,
        pod_template="gpu-template",
        cache=flyte.Cache(behavior="override", version_override="v1", **({"max_age": 60} if FLYTE >= (2, 12) else {})),
    )
    retry = flyte.RetryStrategy(count=2, backoff=_backoff()) if _backoff() else 2

    @env.task(report=True, retries=retry)
    async def t() -> None:
        return None

    problems = refusals(env)
    joined = "\n".join(problems)
    assert 'TaskEnvironment "bad".pod_template: got \'gpu-template\'; a named pod template lives in the Flyte backend' in joined
    assert 'task "bad.t".report: got True; HTML reports are rendered by the Flyte console' in joined
    if hasattr(IMAGE, "with_uv_project"):
        assert "(UVProject).pyproject" in joined and "with_uv_project is not supported yet" in joined
    if FLYTE >= (2, 12):
        assert 'TaskEnvironment "bad".cache.max_age' in joined
    if _backoff():
        assert 'task "bad.t".retries.backoff' in joined


def _backoff():
    try:
        from flyte._retry import Backoff

        return Backoff(base=timedelta(seconds=1))
    except ImportError:
        return None


def test_trigger_refusals():
    env = flyte.TaskEnvironment("trig", image=IMAGE)
    cached = flyte.Trigger("c", flyte.Cron("0 * * * *"), overwrite_cache=True)
    anchored = flyte.Trigger("f", flyte.FixedRate(30, start_time=datetime(2026, 1, 1)))
    triggers = [cached, anchored]
    if FLYTE >= (2, 12):  # flyte 2.0 requires an automation
        triggers.append(flyte.Trigger("manual"))

    @env.task(triggers=triggers)
    async def t() -> None:
        return None

    joined = "\n".join(refusals(env))
    assert 'task "trig.t".triggers[0].overwrite_cache: got True' in joined
    assert 'task "trig.t".triggers[1].automation.start_time: got datetime.datetime(2026, 1, 1, 0, 0)' in joined
    if FLYTE >= (2, 12):
        assert 'task "trig.t".triggers[2].automation: got None; a trigger without automation is fired on demand' in joined


def test_plugin_config_and_include_are_refused():
    env = flyte.TaskEnvironment("plug", image=IMAGE)
    env.plugin_config = object()
    if hasattr(env, "include"):
        env.include = ("data/",)
    joined = "\n".join(refusals(env))
    assert 'TaskEnvironment "plug".plugin_config' in joined and "Flyte backend plugins" in joined
    if hasattr(env, "include"):
        assert 'TaskEnvironment "plug".include' in joined


def test_a_task_of_main_cannot_run():
    env = flyte.TaskEnvironment("mainenv", image=IMAGE)

    async def f() -> None:
        return None

    f.__module__ = "__main__"
    task = env.task(f)
    joined = "\n".join(refusals(env, runs=[Run(task, name="once")]))
    assert "cannot be imported in its container" in joined


def test_as_json_is_plain_data():
    import json

    env = flyte.TaskEnvironment("jsonable", image=IMAGE, resources=flyte.Resources(cpu=1))
    json.dumps(as_json(plan([env])))


def test_a_module_s_environments_include_those_it_keeps_in_no_top_level_name(tmp_path):
    import importlib.util

    source = tmp_path / "envs_module.py"
    source.write_text(
        "import flyte\n"
        "top = flyte.TaskEnvironment('top-env')\n"
        "FAMILY = {n: flyte.TaskEnvironment(f'member-{n}') for n in ('a', 'b')}\n"
    )
    spec = importlib.util.spec_from_file_location("envs_module", source)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    import dataclasses

    names = [e.name for e in environments_of(module)]
    if "_declaring_file" in {f.name for f in dataclasses.fields(flyte.TaskEnvironment)}:  # flyte records it
        assert names == ["top-env", "member-a", "member-b"]
    else:
        assert names == ["top-env"]


def test_pod_templates_and_service_accounts():
    template = flyte.PodTemplate(
        pod_spec={"containers": [{"name": "primary", "env": [{"name": "A", "value": "1"}]}], "priorityClassName": "high"},
        labels={"team": "ml"},
        annotations={"acme.io/owner": "ml"},
    )
    kwargs = {"service_account": "trainer"} if hasattr(flyte.TaskEnvironment, "service_account") or FLYTE >= (2, 12) else {}
    env = flyte.TaskEnvironment("pods", image=IMAGE, pod_template=template, **kwargs)
    spec = {"containers": [{"name": "primary", "env": [{"name": "A", "value": "1"}]}], "priorityClassName": "high"}
    if kwargs:
        spec["serviceAccountName"] = "trainer"
    assert one(env).args["podTemplate"] == {
        "podSpec": spec,
        "labels": {"team": "ml"},
        "annotations": {"acme.io/owner": "ml"},
    }
