"""flyte's PodTemplate as the data form's PodTemplate (Flyte style: podSpec, labels, ...)."""

from __future__ import annotations

from typing import Any, Dict, Optional

from .errors import Problems
from .fields import check_fields

NAMED_TEMPLATE = "a named pod template lives in the Flyte backend's configuration; pass a flyte.PodTemplate"


def pod_spec_json(pod_spec: Any) -> Any:
    """A kubernetes V1PodSpec (or a dict) as the JSON the API server takes (camelCase)."""
    if pod_spec is None or isinstance(pod_spec, dict):
        return pod_spec
    from kubernetes.client import ApiClient

    return ApiClient().sanitize_for_serialization(pod_spec)


def pod_template_spec(
    template: Any, path: str, problems: Problems, service_account: Optional[str] = None
) -> Optional[Dict[str, Any]]:
    if template is None and service_account is None:
        return None
    if isinstance(template, str):
        problems.refuse(path, template, NAMED_TEMPLATE)
        return None
    out: Dict[str, Any] = {}
    if template is not None:
        check_fields(template, path, problems, "PodTemplate")
        spec = pod_spec_json(template.pod_spec)
        if spec is not None:
            out["podSpec"] = spec
        if template.primary_container_name and template.primary_container_name != "primary":
            out["primaryContainerName"] = template.primary_container_name
        if template.labels:
            out["labels"] = dict(template.labels)
        if template.annotations:
            out["annotations"] = dict(template.annotations)
    if service_account is not None:
        spec = dict(out.get("podSpec") or {})
        spec.setdefault("serviceAccountName", service_account)
        out["podSpec"] = spec
    return out
