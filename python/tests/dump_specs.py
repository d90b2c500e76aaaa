"""Writes what the companion makes of real flyte objects, as JSON, for the TypeScript side
of tests/e2e/python-companion.test.ts:

    python dump_specs.py images OUT.json         every image recipe of scripts/flyte-tag-vectors.py,
                                                 built with the installed flyte: its URI and data form
    python dump_specs.py plan MODULE_DIR OUT.json  the plan of a flyte module (the Python quickstart)

Run from the repository root.
"""

import importlib
import importlib.util
import json
import os
import sys
from pathlib import Path


def images(out: str) -> None:
    from flyte_pulumi.errors import Problems
    from flyte_pulumi.images import image_use

    spec = importlib.util.spec_from_file_location("vectors", "scripts/flyte-tag-vectors.py")
    vectors = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(vectors)  # sets FLYTE_IMAGE_REGISTRY, as the vectors do
    cases = []
    for name, steps in vectors.CASES:
        try:
            image = None
            for op, args in steps:
                image = vectors.apply(image, op, args)
            uri = image.uri
        except Exception as err:  # a recipe this flyte release cannot make
            cases.append({"name": name, "skipped": f"{type(err).__name__}: {err}"})
            continue
        problems = Problems()
        use = image_use(image, f"image {name}", problems)
        cases.append(
            {
                "name": name,
                "uri": uri,
                "use": {"build": use.build} if use.build is not None else {"ref": use.ref},
                "problems": problems.items,
            }
        )
    import flyte

    Path(out).write_text(json.dumps({"flyteVersion": flyte.__version__, "cases": cases}, indent=1))


def plan(module_dir: str, out: str) -> None:
    import flyte_pulumi

    sys.path.insert(0, module_dir)
    os.environ.setdefault("FLYTE_IMAGE_REGISTRY", "localhost:30000")
    workflows = importlib.import_module("workflows")
    runs = [
        flyte_pulumi.Run(workflows.load, name="once", inputs={"rows": 1000}, wait=True),
        flyte_pulumi.Run(workflows.report, name="once", inputs={"packages": ["six==1.16.0"]}, wait=True),
    ]
    plans = flyte_pulumi.as_json(flyte_pulumi.plan(workflows, runs))
    Path(out).write_text(json.dumps({"uri": workflows.image.uri, "environments": plans}, indent=1))


if __name__ == "__main__":
    if sys.argv[1] == "images":
        images(sys.argv[2])
    else:
        plan(sys.argv[2], sys.argv[3])
