"""Vietnamese first: every text of the survey pages speaks Vietnamese by default
(catalogue completeness is checked for every app in tests/site/test_site_translations.py)."""

from __future__ import annotations

from django.utils import translation


def test_the_respondent_pages_speak_vietnamese_by_default_and_english_on_request():
    with translation.override("vi"):
        assert translation.gettext("Send my answers") == "Gửi phiếu trả lời"
        assert translation.gettext("Survey administrator") == "Quản trị khảo sát"
        assert translation.gettext("Survey") == "Điều tra xã hội học"
    with translation.override("en"):
        assert translation.gettext("Send my answers") == "Send my answers"
