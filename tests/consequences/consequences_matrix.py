"""The consequences routes of tests/test_permission_matrix.py: the page and the XLSX of
authority A's cycle. Authority-wide readers see every line; a unit of the cycle's group sees
the page with its own lines only (so another unit of A gets 200, with none of U1's lines);
another authority gets 404."""

from __future__ import annotations

from typing import Any


def routes(route: Any) -> dict[str, Any]:
    """`route` is the matrix's `Route`."""
    return {
        "consequences:page": route(
            lambda w: f"/consequences/{w.cycle.pk}/", same_authority_may_view=True
        ),
        "consequences:xlsx": route(
            lambda w: f"/consequences/{w.cycle.pk}/consequences.xlsx",
            same_authority_may_view=True,
        ),
    }
