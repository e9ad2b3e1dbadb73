"""Vietnamese first: every text of the cycle and sheet pages speaks Vietnamese by default
(catalogue completeness is checked for every app in tests/site/test_site_translations.py)."""

from __future__ import annotations

from django.utils import translation


def test_the_pages_speak_vietnamese_by_default_and_english_on_request():
    with translation.override("vi"):
        assert translation.gettext("Approve and submit the sheet") == "Phê duyệt và gửi phiếu"
    with translation.override("en"):
        assert translation.gettext("Approve and submit the sheet") == "Approve and submit the sheet"
