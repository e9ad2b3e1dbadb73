"""What the cycle and sheet services say when they refuse an action.

Every refusal carries its messages as lazy strings, rendered in the active language when shown
(Vietnamese first, English available). The engine's bilingual `Message` (for a value that does
not fit its rule) becomes such a string through `bilingual`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import cast

from django.http import HttpRequest
from django.utils.functional import Promise, lazy
from django.utils.translation import override

from parindex.accounts.security import security_event
from parindex.core.language import message_lang
from parindex.scoring.messages import Message


def _render(message: Message) -> str:
    return message.render(message_lang())


_lazy_render = lazy(_render, str)


def bilingual(message: Message) -> Promise:
    """The engine's message in the language active when it is shown."""
    return cast(Promise, _lazy_render(message))


def _interpolate(template: str | Promise, params: dict[str, object]) -> str:
    return str(template) % params


_lazy_interpolate = lazy(_interpolate, str)


def fmt(template: str | Promise, **params: object) -> Promise:
    """`template % params`, rendered only when shown, in the language active then."""
    return cast(Promise, _lazy_interpolate(template, params))


class AssessmentError(Exception):
    """A service refused what was asked; `messages` say why (lazy, translated when shown)."""

    def __init__(self, *messages: str | Promise) -> None:
        super().__init__(*messages)
        self.messages: tuple[str | Promise, ...] = messages

    def __str__(self) -> str:
        return " ".join(str(m) for m in self.messages)


class NotAllowedError(AssessmentError):
    """The user's role does not allow the action on this object."""


class InvalidValueError(AssessmentError):
    """A value that does not fit its leaf's rule, or a leaf that takes no value."""

    def __init__(self, code: str, *messages: str | Promise) -> None:
        super().__init__(*messages)
        self.code = code


@dataclass(frozen=True)
class EntryState:
    """A leaf's stored value as another person left it: what a refused save is shown."""

    value: str
    note: str
    version: int
    by: str  # the person's display name; empty when nobody has saved the leaf yet
    at: dt.datetime | None


class ConflictError(AssessmentError):
    """Someone saved the leaf since the form was loaded; `current` is what they left."""

    def __init__(self, code: str, current: EntryState, *messages: str | Promise) -> None:
        super().__init__(*messages)
        self.code = code
        self.current = current


@dataclass(frozen=True)
class Missing:
    """A leaf that blocks submission: no value, or no evidence where the set requires it."""

    code: str
    title: str
    what: str  # "value" | "evidence"


class SheetIncompleteError(AssessmentError):
    """The sheet cannot be submitted yet; `missing` lists every leaf that blocks it."""

    def __init__(self, missing: list[Missing], *messages: str | Promise) -> None:
        super().__init__(*messages)
        self.missing = missing


def refusal(request: HttpRequest, error: AssessmentError) -> list[str]:
    """The messages of a refused action, logged as a security event on the way to the user."""
    texts = [str(message) for message in error.messages]
    with override("en"):  # the log reads the same whatever the user's language
        reasons = [str(message) for message in error.messages]
    security_event("refused", request, error=type(error).__name__, reasons=reasons)
    return texts
