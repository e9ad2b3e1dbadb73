"""Vietnamese first: every catalogue of the site is complete, free of fuzzy entries and
compiled — one test per ``locale/vi/LC_MESSAGES/django.po`` found under the package."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest

import parindex

CATALOGUES = sorted(Path(parindex.__file__).parent.glob("**/locale/vi/LC_MESSAGES/django.po"))


def _text(found: re.Match[str] | None) -> str:
    return "".join(re.findall(r'"(.*)"', found.group(1))) if found else ""


def po_entries(po: Path) -> dict[tuple[str, str], str]:
    """(context, msgid) → msgstr of every entry; the header has an empty msgid."""
    entries: dict[tuple[str, str], str] = {}
    for block in po.read_text(encoding="utf-8").split("\n\n"):
        msgid = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        msgstr = re.search(r'^msgstr(?:\[0\])? ((?:".*"\n?)+)', block, re.M)
        if msgid and msgstr:
            context = _text(re.search(r'^msgctxt ((?:".*"\n?)+)', block, re.M))
            entries[context, _text(msgid)] = _text(msgstr)
    return entries


def _name(po: Path) -> str:
    return po.parent.parent.parent.parent.name


def test_the_site_has_a_catalogue_per_app_with_texts() -> None:
    names = {_name(po) for po in CATALOGUES}
    assert {"parindex", "accounts", "assessments", "survey", "dossiers", "results"} <= names


@pytest.mark.parametrize("po", CATALOGUES, ids=_name)
def test_every_message_has_a_vietnamese_translation(po: Path) -> None:
    entries = po_entries(po)
    assert len(entries) > 5
    assert [key for key, value in entries.items() if key[1] and not value] == []
    assert "#, fuzzy" not in po.read_text(encoding="utf-8")


@pytest.mark.parametrize("po", CATALOGUES, ids=_name)
def test_the_compiled_catalogue_holds_every_message_of_the_po_file(po: Path) -> None:
    with po.with_suffix(".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for (context, key), value in po_entries(po).items():
        if key and "\\" not in key and "\\" not in value:
            found = compiled.pgettext(context, key) if context else compiled.gettext(key)
            assert found == value, (context, key)
