"""The one error the companion raises: every field of a flyte object that cannot be
deployed, each named the way the program wrote it (``TaskEnvironment "train".plugin_config``)
with what was given and why it is refused."""

from __future__ import annotations

from typing import Any, List

from .versions import tested_range


class FlyteFieldError(ValueError):
    """Flyte objects that cannot become infrastructure: one line per field."""

    def __init__(self, problems: List[str]):
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(
            f"{len(self.problems)} flyte field(s) cannot be deployed (flyte_pulumi maps flyte {tested_range()}):\n{lines}"
        )


def show(value: Any) -> str:
    """A short rendering of a refused value (never a secret: refused fields carry no secret values)."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


class Problems:
    """Collects refusals during one conversion, so a preview reports all of them at once."""

    def __init__(self) -> None:
        self.items: List[str] = []

    def refuse(self, path: str, value: Any, why: str) -> None:
        self.items.append(f"{path}: got {show(value)}; {why}")

    def add(self, message: str) -> None:
        self.items.append(message)

    def raise_if_any(self) -> None:
        if self.items:
            raise FlyteFieldError(self.items)
