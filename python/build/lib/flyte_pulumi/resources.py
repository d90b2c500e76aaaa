"""flyte Resources as the data form's Resources: requests, limits and the accelerator."""

from __future__ import annotations

from typing import Any, Dict, Optional

from .errors import Problems
from .fields import check_fields

# flyte's devices no Kubernetes cluster can be asked for (the TypeScript catalogue's
# sdk/src/core/catalog/refused.ts gives the same reason for the data form)
REFUSED_CLASSES = {
    "APPLE_SILICON": (
        "Apple Silicon is the Metal GPU of the Mac a flyte devbox runs on (flyte runs such a task natively on "
        "the Mac, outside any container); no Kubernetes node advertises it, so a pod cannot request it: run the "
        "task on a devbox, or request a cluster GPU"
    )
}


def _quantity(value: Any) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _pair(spec: Dict[str, Any], value: Any, request: str, limit: str) -> None:
    if value is None:
        return
    if isinstance(value, tuple):
        spec[request] = _quantity(value[0])
        spec[limit] = _quantity(value[1])
    else:
        spec[request] = _quantity(value)


def resources_spec(resources: Optional[Any], path: str, problems: Problems) -> Optional[Dict[str, Any]]:
    if resources is None:
        return None
    check_fields(resources, path, problems, "Resources")
    spec: Dict[str, Any] = {}
    _pair(spec, resources.cpu, "cpu", "cpuLimit")
    _pair(spec, resources.memory, "memory", "memoryLimit")
    if resources.disk is not None:
        spec["disk"] = str(resources.disk)
    if resources.shm is not None:
        spec["shm"] = str(resources.shm)
    gpu = resources.gpu
    if gpu is None:
        return spec
    if isinstance(gpu, bool):
        problems.refuse(f"{path}.gpu", gpu, "a GPU count, an accelerator string or a Device")
    elif isinstance(gpu, int):
        if gpu > 0:
            spec["device"] = {"deviceClass": "GPU", "quantity": gpu}
    elif isinstance(gpu, str):
        name = gpu.partition(":")[0]
        if name == "AppleSilicon":
            problems.refuse(f"{path}.gpu", gpu, REFUSED_CLASSES["APPLE_SILICON"])
        else:
            spec["gpu"] = gpu
    else:
        device = device_spec(gpu, f"{path}.gpu", problems)
        if device is not None:
            spec["device"] = device
    return spec


def device_spec(device: Any, path: str, problems: Problems) -> Optional[Dict[str, Any]]:
    check_fields(device, path, problems, "Device")
    cls = device.device_class
    if cls in REFUSED_CLASSES:
        problems.refuse(f"{path}.device_class", cls, REFUSED_CLASSES[cls])
        return None
    out: Dict[str, Any] = {"deviceClass": cls}
    if device.device is not None:
        out["device"] = device.device
    if cls != "TPU":
        out["quantity"] = device.quantity
    if device.partition is not None:
        out["partition"] = device.partition
    return out
