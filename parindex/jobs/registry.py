"""The kinds of job and their handlers. An app registers its own (`@job("dossiers.import")` in
its `tasks.py`, imported by its AppConfig.ready), so this app depends on none of them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

JobArguments = dict[str, Any]
JobResult = dict[str, Any]


class Progress(Protocol):
    def __call__(self, done: int, total: int, stage: str) -> None: ...


Handler = Callable[[JobArguments, Progress], JobResult]

_HANDLERS: dict[str, Handler] = {}


class JobError(Exception):
    """A job that ends in a clear, expected failure (a refused file): the user reads
    `vi`/`en`, and `result` keeps what the page shows (e.g. every problem by line)."""

    def __init__(self, *, vi: str, en: str, result: JobResult | None = None) -> None:
        super().__init__(en)
        self.vi = vi
        self.en = en
        self.result = result


def job(kind: str) -> Callable[[Handler], Handler]:
    """Register `handler` as the one that runs jobs of `kind`. Handlers take ids and plain
    values, and must be safe to run twice (a job whose worker died runs again)."""

    def register(handler: Handler) -> Handler:
        known = _HANDLERS.get(kind)
        if known is not None and known is not handler:
            qualified = f"{known.__module__}.{known.__qualname__}"
            if qualified != f"{handler.__module__}.{handler.__qualname__}":
                raise ValueError(f"job kind {kind!r} is registered twice")
        _HANDLERS[kind] = handler
        return handler

    return register


def handler_of(kind: str) -> Handler | None:
    return _HANDLERS.get(kind)


def kinds() -> list[str]:
    return sorted(_HANDLERS)
