"""The shell: what `flyte_pulumi.deploy` registers, under Pulumi's mocks (needs the
generated `pulumi_flyte` SDK; skipped without it)."""

import os

import flyte
import pytest

# tests/e2e/python-companion.test.ts installs the SDK and requires these tests to run
if os.environ.get("FLYTE_PULUMI_REQUIRE_SDK"):
    import pulumi_flyte  # noqa: F401
else:
    pulumi_flyte = pytest.importorskip("pulumi_flyte")
import pulumi  # noqa: E402


class Recorder(pulumi.runtime.Mocks):
    def __init__(self):
        self.registered = []

    def new_resource(self, args):
        self.registered.append(args)
        outputs = dict(args.inputs)
        if args.typ == "flyte:index:ImageBuild":
            outputs["ref"] = "r.example.com/app@sha256:" + "1" * 64
        return [f"{args.name}-id", outputs]

    def call(self, args):
        return {}


@pytest.fixture
def recorder():
    mocks = Recorder()
    pulumi.runtime.set_mocks(mocks, project="p", stack="s", preview=False)
    yield mocks


def by_type(recorder, typ):
    return [r for r in recorder.registered if r.typ == typ]


IMAGE = flyte.Image.from_debian_base(python_version=(3, 11), registry="r.example.com", name="app").with_pip_packages(
    "six==1.16.0"
)


@pulumi.runtime.test
def test_one_build_per_image_a_store_and_environments_after_their_dependencies(recorder):
    import flyte_pulumi

    base = flyte.TaskEnvironment("base-env", image=IMAGE, resources=flyte.Resources(cpu=1))
    gpu = flyte.TaskEnvironment(
        "gpu-env", image=IMAGE, depends_on=[base], resources=flyte.Resources(gpu="Inf2:6"), secrets=["token"]
    )
    deployed = flyte_pulumi.deploy(
        [gpu],
        profile="gke",
        profiles={"gpu-env": "eks"},
        namespace="ml",
        secret_values={"flyte-secrets": {"token": pulumi.Output.secret("s3cr3t")}},
    )

    def check(_):
        [build] = by_type(recorder, "flyte:index:ImageBuild")
        assert build.name == "app-image"
        assert build.inputs["image"]["flyteUri"] == IMAGE.uri
        [store] = by_type(recorder, "flyte:index:SecretStore")
        assert store.inputs["namespace"] == "ml"
        envs = {r.name: r for r in by_type(recorder, "flyte:index:TaskEnvironment")}
        assert list(envs) == ["base-env", "gpu-env"]
        assert envs["base-env"].inputs["profile"] == "gke"
        assert envs["gpu-env"].inputs["profile"] == "eks"
        assert envs["gpu-env"].inputs["imageRef"] == "r.example.com/app@sha256:" + "1" * 64
        assert envs["gpu-env"].inputs["resources"] == {"gpu": "Inf2:6"}
        assert envs["gpu-env"].inputs["secrets"] == [{"key": "token", "asEnvVar": "TOKEN"}]

    return pulumi.Output.all(*[e.urn for e in deployed.environments.values()]).apply(check)


def test_profiles_name_environments_of_the_module(recorder):
    import flyte_pulumi

    env = flyte.TaskEnvironment("only-env", image=IMAGE)
    with pytest.raises(ValueError, match="profiles: no environment named 'typo'"):
        flyte_pulumi.deploy([env], profiles={"typo": "eks"})
