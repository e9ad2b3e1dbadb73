"""The Jinja2 environment of the pages whose size calls for compiled templates (the sheet).

Texts go through Django's `gettext`, so the same catalogues serve both engines; a translated
text is plain text and is escaped like any other value.
"""

from __future__ import annotations

from typing import Any

from django.template.defaultfilters import filesizeformat
from django.templatetags.static import static
from django.utils.translation import get_language, gettext, ngettext
from jinja2 import Environment

from parindex.assessments.templatetags import sheet_tags


class _Texts(dict[str, str]):
    """One language's texts, each translated on first use: `t["Save"]` in a template."""

    def __missing__(self, message: str) -> str:
        self[message] = translated = gettext(message)
        return translated


_TEXTS: dict[str, _Texts] = {}


def texts() -> _Texts:
    """The active language's texts (a page of 120 leaves asks for a thousand of them, and a
    dictionary answers faster than gettext through Jinja's call machinery)."""
    language = get_language() or "vi"
    found = _TEXTS.get(language)
    if found is None:
        found = _TEXTS[language] = _Texts()
    return found


def environment(**options: Any) -> Environment:
    options.setdefault("trim_blocks", True)
    options.setdefault("lstrip_blocks", True)
    env = Environment(**options)
    env.globals.update(
        _=gettext,
        ngettext=ngettext,
        static=static,
        rule_hint=sheet_tags.rule_hint,
    )
    env.filters.update(
        pts=sheet_tags.pts,
        dotted=sheet_tags.dotted,
        vn=sheet_tags.vn,
        ratio_part=sheet_tags.ratio_part,
        yes_no=sheet_tags.yes_no,
        not_applicable=sheet_tags.not_applicable,
        plain_value=sheet_tags.plain_value,
        filesizeformat=filesizeformat,
    )
    return env
