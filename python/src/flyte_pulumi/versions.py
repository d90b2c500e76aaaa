"""The flyte releases the companion is tested with, and the one installed."""

from __future__ import annotations

from typing import Tuple

# Lowest and newest flyte releases served on PyPI that the tests run against
# (tests/e2e/python-companion.test.ts installs each into its own virtualenv). 2.2.3 is the
# first release whose default image's raw Dockerfile lines are LABELs only: 2.0.0 to 2.2.2
# create their user with a raw `RUN` line, which the data form does not pass through.
LOWEST = "2.2.3"
NEWEST = "2.12.1"


def tested_range() -> str:
    return f"{LOWEST} to {NEWEST}"


def parse(version: str) -> Tuple[int, ...]:
    parts = []
    for piece in version.split("+")[0].split("."):
        digits = "".join(ch for ch in piece if ch.isdigit())
        if not digits:
            break
        parts.append(int(digits))
        if digits != piece:
            break
    return tuple(parts)


def installed() -> str:
    import flyte

    return getattr(flyte, "__version__", "0")


def is_newer_than_tested(version: str) -> bool:
    return parse(version) > parse(NEWEST)


def is_older_than_tested(version: str) -> bool:
    return parse(version) < parse(LOWEST)
