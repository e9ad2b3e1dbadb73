"""Vietnamese first: every text of the cycle and sheet pages is translated and compiled."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

from django.utils import translation

import parindex.assessments

LOCALE = Path(parindex.assessments.__file__).parent / "locale" / "vi" / "LC_MESSAGES"


def po_entries() -> dict[str, str]:
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    entries: dict[str, str] = {}
    for block in text.split("\n\n"):
        msgid = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        msgstr = re.search(r'^msgstr(?:\[0\])? ((?:".*"\n?)+)', block, re.M)
        if msgid and msgstr:
            key = "".join(re.findall(r'"(.*)"', msgid.group(1)))
            entries[key] = "".join(re.findall(r'"(.*)"', msgstr.group(1)))
    return entries


def test_every_message_has_a_vietnamese_translation():
    entries = po_entries()
    assert len(entries) > 150
    untranslated = [key for key, value in entries.items() if key and not value]
    assert untranslated == []
    assert "#, fuzzy" not in (LOCALE / "django.po").read_text(encoding="utf-8")


def test_the_compiled_catalogue_holds_every_message_of_the_po_file():
    with (LOCALE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for key, value in po_entries().items():
        if key and "\\" not in key and "\\" not in value:
            assert compiled.gettext(key) == value, key


def test_the_pages_speak_vietnamese_by_default_and_english_on_request():
    with translation.override("vi"):
        assert translation.gettext("Approve and submit the sheet") == "Phê duyệt và gửi phiếu"
    with translation.override("en"):
        assert translation.gettext("Approve and submit the sheet") == "Approve and submit the sheet"
