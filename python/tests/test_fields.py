"""The field table covers every field of the installed flyte's classes; unknown fields
and layer types fail naming them and the tested range; the README shows the table."""

import dataclasses
import inspect
import re
from pathlib import Path

import flyte
import flyte._image as flyte_image
import pytest

from flyte_pulumi import FlyteFieldError, plan
from flyte_pulumi.versions import tested_range as range_text
from flyte_pulumi.errors import Problems
from flyte_pulumi.fields import ALIASES, INTERNAL, MAPPED, REFUSED, TABLE, check_fields, counts, markdown

README = Path(__file__).resolve().parents[2] / "README.md"


def classes():
    from flyte._cache.cache import Cache
    from flyte._pod import PodTemplate
    from flyte._resources import Device
    from flyte._retry import RetryStrategy
    from flyte._reusable_environment import ReusePolicy
    from flyte._task import AsyncFunctionTaskTemplate

    out = {
        "TaskEnvironment": flyte.TaskEnvironment,
        "TaskTemplate": AsyncFunctionTaskTemplate,
        "Resources": flyte.Resources,
        "Device": Device,
        "Image": flyte.Image,
        "Secret": flyte.Secret,
        "ReusePolicy": ReusePolicy,
        "Cache": Cache,
        "PodTemplate": PodTemplate,
        "RetryStrategy": RetryStrategy,
    }
    for name in ("Trigger", "Cron", "FixedRate", "OnArtifact"):
        if hasattr(flyte, name):
            out[name] = getattr(flyte, name)
    try:
        from flyte._timeout import Timeout

        out["Timeout"] = Timeout
    except ImportError:
        pass
    for name, cls in vars(flyte_image).items():
        if inspect.isclass(cls) and issubclass(cls, flyte_image.Layer) and cls is not flyte_image.Layer:
            out[name] = cls
    return out


@pytest.mark.parametrize("name,cls", sorted(classes().items()))
def test_every_field_of_the_installed_flyte_is_in_the_table(name, cls):
    assert name in TABLE, f"flyte {flyte.__version__} has {name}, which the table does not know"
    missing = [f.name for f in dataclasses.fields(cls) if f.name not in TABLE[name]]
    assert missing == [], f"{name}: fields not in the table: {missing}"


def test_every_layer_type_is_in_the_table():
    layer_types = {n for n, c in classes().items() if inspect.isclass(c) and issubclass(c, flyte_image.Layer)}
    assert layer_types <= set(TABLE)


def test_counts_add_up():
    c = counts()
    assert c[MAPPED] + c[REFUSED] + c[INTERNAL] == sum(len(r) for r in TABLE.values())
    assert c[MAPPED] > 0 and c[REFUSED] > 0


def test_readme_shows_the_table():
    text = README.read_text()
    start = text.index("<!-- flyte-field-table -->") + len("<!-- flyte-field-table -->")
    end = text.index("<!-- /flyte-field-table -->")
    assert text[start:end].strip() == markdown().strip(), "README field table is stale: python -m flyte_pulumi"


@dataclasses.dataclass
class FutureResources(flyte.Resources):
    """A Resources of a flyte release newer than the tested range."""

    fpga: str | None = None


def test_an_unknown_field_that_is_set_fails_naming_it_and_the_range():
    problems = Problems()
    check_fields(FutureResources(cpu=1, fpga="xilinx:1"), "TaskEnvironment \"x\".resources", problems, "Resources")
    assert len(problems.items) == 1
    message = problems.items[0]
    assert message.startswith('TaskEnvironment "x".resources.fpga: got \'xilinx:1\'')
    assert "Resources.fpga is not known to flyte_pulumi" in message
    assert range_text() in message


def test_an_unknown_field_left_at_its_default_is_nothing_to_deploy():
    problems = Problems()
    check_fields(FutureResources(cpu=1), "r", problems, "Resources")
    assert problems.items == []


@dataclasses.dataclass(frozen=True, kw_only=True)
class WasmLayer(flyte_image.Layer):
    module: str = "m.wasm"

    def update_hash(self, hasher, ignore=None):
        hasher.update(self.module.encode())


def test_an_unknown_layer_type_fails_naming_it_and_the_range():
    image = flyte.Image.from_debian_base(python_version=(3, 11), registry="r.example.com", name="x").clone(
        addl_layer=WasmLayer()
    )
    env = flyte.TaskEnvironment("wasm-env", image=image)
    with pytest.raises(FlyteFieldError) as err:
        plan([env])
    text = str(err.value)
    assert "WasmLayer is not known to flyte_pulumi" in text
    assert 'TaskEnvironment "wasm-env".image.layers[' in text
    assert range_text() in text


def test_aliases_name_table_rows():
    assert set(ALIASES.values()) <= set(TABLE)
    assert all(re.fullmatch(r"[A-Za-z_]+", c) for c in TABLE)
