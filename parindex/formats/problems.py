"""Problems found in input files, each saying where (file, line or key path) and what."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from parindex.scoring.messages import Message

MAX_LISTED = 100


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    message: Message
    line: int | None = None  # CSV/XLSX: 1 is the header row
    path: str | None = None  # YAML: the key path, e.g. nodes[0].children[1].max

    def render(self, lang: str = "vi") -> str:
        """`FILE:LINE: message`, or `FILE: path.to.key: message` for YAML."""
        text = self.message.render(lang)
        if self.line is not None:
            return f"{self.file}:{self.line}: {text}"
        if self.path is not None:
            return f"{self.file}: {self.path}: {text}"
        return f"{self.file}: {text}"


class InputError(Exception):
    """Bad input: every problem found, none of the output written."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(f"{len(self.problems)} problem(s) in the input")

    def render(self, lang: str = "vi", limit: int = MAX_LISTED) -> list[str]:
        return [p.render(lang) for p in self.problems[:limit]]
