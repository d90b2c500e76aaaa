"""flyte's Cache, ReusePolicy, RetryStrategy and timeouts as the data form's fields."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Dict, Optional

from .errors import Problems
from .fields import check_fields


def cache_spec(cache: Any, path: str, problems: Problems) -> Optional[Dict[str, Any]]:
    """"auto"/"override"/"disable" or a Cache; None for flyte's default (disable)."""
    if cache is None:
        return None
    if isinstance(cache, str):
        from flyte import Cache

        cache = Cache(behavior=cache)
    check_fields(cache, path, problems, "Cache")
    out: Dict[str, Any] = {"behavior": cache.behavior}
    if cache.version_override is not None:
        out["version"] = cache.version_override
    if cache.serialize:
        out["serialize"] = True
    ignored = cache.ignored_inputs
    if isinstance(ignored, str):
        ignored = (ignored,)
    if ignored:
        out["ignoredInputs"] = list(ignored)
    if cache.salt:
        out["salt"] = cache.salt
    return out


def seconds(value: Any) -> Optional[int]:
    if value is None:
        return None
    if isinstance(value, timedelta):
        return int(value.total_seconds())
    return int(value)


def duration(value: Any) -> Optional[str]:
    s = seconds(value)
    return None if s is None else f"{s}s"


def reuse_spec(policy: Any, path: str, problems: Problems) -> Optional[Dict[str, Any]]:
    if policy is None:
        return None
    check_fields(policy, path, problems, "ReusePolicy")
    out: Dict[str, Any] = {}
    if isinstance(policy.replicas, tuple):
        out["replicas"], out["maxReplicas"] = policy.replicas
    else:
        out["replicas"] = policy.replicas
    out["idleTtl"] = duration(policy.idle_ttl)
    out["scaledownTtl"] = duration(getattr(policy, "scaledown_ttl", None))
    out["concurrency"] = policy.concurrency
    scope = getattr(policy, "scope", None)
    if scope is not None:
        out["scope"] = scope
    return {k: v for k, v in out.items() if v is not None}


def retries_of(retries: Any, path: str, problems: Problems) -> Optional[int]:
    if retries is None:
        return None
    if isinstance(retries, int):
        return retries
    check_fields(retries, path, problems, "RetryStrategy")
    return retries.count


def timeout_of(timeout: Any, path: str, problems: Problems) -> Optional[str]:
    """An int (seconds), a timedelta or a Timeout; 0 or None is no timeout."""
    if timeout is None:
        return None
    if isinstance(timeout, (int, timedelta)):
        return duration(timeout)
    check_fields(timeout, path, problems, "Timeout")
    return duration(timeout.max_runtime) if timeout.max_runtime is not None else None
