"""flyte Secrets as data-form secret references and build-time secret mounts."""

from __future__ import annotations

from typing import Any, Dict, List

from .errors import Problems
from .fields import check_fields


def secret_spec(secret: Any, path: str, problems: Problems) -> Dict[str, Any]:
    """A flyte Secret (or a bare key) as the data form's Secret: env var or file, as flyte decided."""
    from flyte import Secret

    if isinstance(secret, str):
        secret = Secret(key=secret)
    check_fields(secret, path, problems, "Secret")
    out: Dict[str, Any] = {"key": secret.key}
    if secret.group:
        out["group"] = secret.group
    if secret.mount:
        out["mount"] = str(secret.mount)
    if secret.as_env_var:
        out["asEnvVar"] = secret.as_env_var
    return out


def secrets_spec(request: Any, path: str, problems: Problems) -> List[Dict[str, Any]]:
    """flyte's SecretRequest: a key, a Secret, or a list of them."""
    if request is None:
        return []
    items = request if isinstance(request, (list, tuple)) else [request]
    return [secret_spec(s, f"{path}[{i}]", problems) for i, s in enumerate(items)]


def secret_mount_spec(mount: Any) -> Dict[str, Any]:
    """A build-time secret of an image layer: a bare key (hashed as the string) or a Secret."""
    if isinstance(mount, str):
        return {"key": mount, "byKey": True}
    out: Dict[str, Any] = {"key": mount.key}
    if mount.group:
        out["group"] = mount.group
    if mount.mount:
        out["mount"] = str(mount.mount)
    if mount.as_env_var:
        out["asEnvVar"] = mount.as_env_var
    return out
