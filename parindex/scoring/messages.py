"""Bilingual messages: every problem the engine or the file layer reports, in vi and en."""

from __future__ import annotations

from dataclasses import dataclass

LANGS = ("vi", "en")


@dataclass(frozen=True, slots=True)
class Message:
    vi: str
    en: str

    def render(self, lang: str = "vi") -> str:
        return self.en if lang == "en" else self.vi

    def __str__(self) -> str:
        return self.en


def msg(vi: str, en: str, **params: object) -> Message:
    """A message with its parameters filled in, e.g. msg("Thiếu {k}", "Missing {k}", k="x")."""
    return Message(vi.format(**params), en.format(**params))


class ScoringError(ValueError):
    """A value or input the engine cannot use; carries a bilingual message."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.en)
        self.message = message
