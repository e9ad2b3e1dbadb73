"""Vietnamese first: every text of the external index pages speaks Vietnamese by default
(catalogue completeness is checked for every app in tests/site/test_site_translations.py)."""

from __future__ import annotations

from django.utils import translation

from parindex.indices.models import IndexCode


def test_indices_the_index_names_are_the_official_vietnamese_ones() -> None:
    with translation.override("vi"):
        names = [str(label) for label in IndexCode.labels]
    assert names == [
        "Chỉ số hài lòng về sự phục vụ hành chính (SIPAS)",
        "Chỉ số hiệu quả quản trị và hành chính công cấp tỉnh (PAPI)",
        "Chỉ số năng lực cạnh tranh cấp tỉnh (PCI)",
        "Chỉ số sẵn sàng cho phát triển và ứng dụng CNTT (ICT Index)",
        "Chỉ số chuyển đổi số cấp tỉnh (DTI)",
    ]
