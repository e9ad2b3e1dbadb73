"""Evidence documents (*tài liệu kiểm chứng*): real files in, type from the bytes, limits."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import time
import zipfile
from pathlib import Path

import pytest
from assessment_builders import EXE, build, docx_bytes, pdf_bytes, png_bytes, zip_bomb_bytes
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from parindex.assessments.errors import AssessmentError, InvalidValueError, NotAllowedError
from parindex.assessments.files import NOT_ACCEPTED, PDF, PNG, safe_name, sniff
from parindex.assessments.models import Change, Evidence, EvidenceLink
from parindex.assessments.services import (
    evidence_link,
    evidence_orphans_remove,
    evidence_unlink,
    evidence_upload,
)

pytestmark = pytest.mark.django_db


def upload(  # type: ignore[no-untyped-def]
    world, content: bytes, name: str = "tai_lieu.pdf", codes=("1.1.1",), unit="SO_NV", by=None
):
    return evidence_upload(
        assessment=world.sheet(unit),
        file=SimpleUploadedFile(name, content, content_type="application/octet-stream"),
        codes=list(codes),
        by=by or world.focal[unit],
    )


def refusal(error: pytest.ExceptionInfo[AssessmentError]) -> str:
    with translation.override("en"):
        return str(error.value)


def stored_files(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def test_a_real_pdf_is_kept_with_its_hash_under_media_root_and_linked(media_root: Path):
    world = build()
    content = pdf_bytes()
    evidence = upload(world, content, name="QĐ ban hành kế hoạch.pdf")
    assert evidence.content_type == "application/pdf"
    assert evidence.original_name == "QĐ ban hành kế hoạch.pdf"
    assert evidence.size == len(content)
    assert evidence.sha256 == hashlib.sha256(content).hexdigest()
    assert evidence.uploaded_by == world.focal["SO_NV"]
    path = Path(evidence.file.path)
    assert path.is_relative_to(media_root)
    assert path.read_bytes() == content
    assert path.name == f"{evidence.sha256}.pdf"  # never the uploaded name
    assert list(EvidenceLink.objects.values_list("code", flat=True)) == ["1.1.1"]
    change = Change.objects.get(kind="evidence")
    assert (change.code, change.old, change.by) == ("1.1.1", "", world.focal["SO_NV"])
    assert change.new.startswith("QĐ ban hành kế hoạch.pdf (SHA-256 ")
    assert world.sheet().revision == 1


def test_a_real_docx_and_png_are_recognised_from_their_bytes():
    world = build()
    docx = upload(world, docx_bytes(), name="bao-cao.docx")
    assert docx.content_type == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    image = upload(world, png_bytes(), name="anh-chup.PNG")
    assert (image.content_type, image.original_name) == ("image/png", "anh-chup.PNG")


def test_a_file_whose_name_lies_gets_the_extension_of_what_it_is():
    world = build()
    evidence = upload(world, png_bytes(), name="bien-ban.pdf")
    assert (evidence.content_type, evidence.original_name) == ("image/png", "bien-ban.pdf.png")


def test_a_renamed_program_is_refused_and_nothing_is_stored(media_root: Path):
    world = build()
    with pytest.raises(AssessmentError) as error:
        upload(world, EXE, name="bao-cao.pdf")
    with translation.override("en"):
        assert refusal(error) == str(NOT_ACCEPTED)
    assert not Evidence.objects.exists()
    assert stored_files(media_root) == []


def test_a_zip_bomb_is_refused_before_anything_is_stored(media_root: Path):
    world = build()
    bomb = zip_bomb_bytes(megabytes=64)
    assert len(bomb) < 1024 * 1024
    with pytest.raises(AssessmentError) as error:
        upload(world, bomb, name="bao-cao.docx")
    assert refusal(error) == "The document expands to far more than its size (a zip bomb)."
    assert not Evidence.objects.exists()
    assert stored_files(media_root) == []


def test_a_plain_zip_a_damaged_archive_and_a_document_with_macros_are_refused():
    world = build()
    plain = io.BytesIO()
    with zipfile.ZipFile(plain, "w") as archive:
        archive.writestr("readme.txt", "xin chào")
    with pytest.raises(AssessmentError) as error:
        upload(world, plain.getvalue(), name="ho-so.zip")
    assert refusal(error).startswith("This file is not an accepted document.")

    damaged = docx_bytes()[:-40]
    with pytest.raises(AssessmentError) as error:
        upload(world, damaged, name="hong.docx")
    assert refusal(error) == "The file is damaged: its archive cannot be read."

    macro = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx_bytes())) as source, zipfile.ZipFile(macro, "w") as out:
        for item in source.infolist():
            out.writestr(item, source.read(item))
        out.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0macro")
    with pytest.raises(AssessmentError) as error:
        upload(world, macro.getvalue(), name="macro.docx")
    assert refusal(error) == "Documents with macros are not accepted."


def test_a_file_over_the_size_limit_or_empty_is_refused(settings):  # type: ignore[no-untyped-def]
    world = build()
    settings.EVIDENCE_MAX_BYTES = 2 * 1024 * 1024
    big = pdf_bytes() + b"%" * (2 * 1024 * 1024)
    with pytest.raises(AssessmentError) as error:
        upload(world, big)
    assert refusal(error) == "The file is larger than the limit of 2.0 MB."
    with pytest.raises(AssessmentError) as error:
        upload(world, b"")
    assert refusal(error) == "The file is empty."
    assert not Evidence.objects.exists()


def test_the_same_file_twice_on_one_sheet_is_one_document_backing_both_leaves(media_root: Path):
    world = build()
    first = upload(world, pdf_bytes(), name="ke-hoach.pdf", codes=["1.1.1"])
    second = upload(world, pdf_bytes(), name="ke-hoach (1).pdf", codes=["1.1.1", "1.1.2"])
    assert second.pk == first.pk
    assert second.original_name == "ke-hoach.pdf"
    assert sorted(first.links.values_list("code", flat=True)) == ["1.1.1", "1.1.2"]
    assert Change.objects.filter(kind="evidence").count() == 2
    assert len(stored_files(media_root)) == 1
    other = upload(world, pdf_bytes(), unit="SO_TP")
    assert other.pk != first.pk  # another unit's sheet keeps its own copy


def test_a_document_links_to_more_leaves_and_unlinks_with_history():
    world = build()
    evidence = upload(world, docx_bytes(), name="bao-cao.docx", codes=["1.1.1"])
    evidence_link(evidence=evidence, codes=["1.2", "B", "1.2"], by=world.head["SO_NV"])
    assert sorted(evidence.links.values_list("code", flat=True)) == ["1.1.1", "1.2", "B"]
    evidence_unlink(evidence=evidence, code="1.1.1", by=world.focal["SO_NV"], reason="Nhầm")
    assert sorted(evidence.links.values_list("code", flat=True)) == ["1.2", "B"]
    unlinked = Change.objects.filter(kind="evidence", code="1.1.1").last()
    assert unlinked is not None
    assert (unlinked.new, unlinked.reason) == ("", "Nhầm")
    assert unlinked.old.startswith("bao-cao.docx")
    assert Evidence.objects.filter(pk=evidence.pk).exists()  # the document stays, with history
    evidence_unlink(evidence=evidence, code="1.1.1", by=world.focal["SO_NV"])  # nothing to do
    assert Change.objects.filter(kind="evidence").count() == 4


def test_evidence_backs_only_leaves_the_unit_fills_and_only_its_people_add_it():
    world = build()
    with pytest.raises(InvalidValueError):
        upload(world, pdf_bytes(), codes=["2.3"])
    with pytest.raises(AssessmentError) as error:
        upload(world, pdf_bytes(), codes=[])
    assert refusal(error) == "Choose the criterion the document backs."
    with pytest.raises(NotAllowedError):
        upload(world, pdf_bytes(), by=world.focal["SO_TP"])
    evidence = upload(world, pdf_bytes())
    with pytest.raises(NotAllowedError):
        evidence_link(evidence=evidence, codes=["1.2"], by=world.focal["SO_TP"])
    with pytest.raises(NotAllowedError):
        evidence_unlink(evidence=evidence, code="1.1.1", by=world.secretariat)


def test_no_url_serves_the_media_folder():
    world = build()
    evidence = upload(world, pdf_bytes())
    client = Client()
    client.force_login(world.focal["SO_NV"])
    assert client.get(f"/media/{evidence.file.name}").status_code == 404


def test_sniffing_reads_only_the_bytes():
    assert sniff(io.BytesIO(pdf_bytes()), len(pdf_bytes())) is PDF
    assert sniff(io.BytesIO(png_bytes()), len(png_bytes())) is PNG


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\an\\Báo cáo.PDF", "Báo cáo.PDF"),
        ("", "document.pdf"),
        (".pdf", "pdf.pdf"),
        ("a\x00b\x1f.pdf", "ab.pdf"),
        ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
    ],
)
def test_stored_names_lose_folders_and_control_characters(name: str, expected: str):
    assert safe_name(name, PDF) == expected


def test_an_upload_file_object_or_a_plain_content_file_both_work():
    world = build()
    evidence = evidence_upload(
        assessment=world.sheet(),
        file=ContentFile(pdf_bytes(), name="qd.pdf"),
        codes=["1.1.1"],
        by=world.focal["SO_NV"],
    )
    assert evidence.content_type == "application/pdf"


def test_files_that_no_document_names_are_removed_once_old_enough(media_root: Path):
    world = build()
    kept = upload(world, pdf_bytes())
    folder = media_root / "evidence" / "2026" / "11"
    folder.mkdir(parents=True, exist_ok=True)
    old_orphan = folder / "left-by-a-rollback.pdf"
    young_orphan = folder / "upload-in-flight.pdf"
    for path in (old_orphan, young_orphan):
        path.write_bytes(pdf_bytes("orphan"))
    two_hours_ago = time.time() - 2 * 3600
    os.utime(old_orphan, (two_hours_ago, two_hours_ago))

    out = io.StringIO()
    call_command("remove_orphan_evidence", stdout=out)

    assert out.getvalue().splitlines() == [
        "removed evidence/2026/11/left-by-a-rollback.pdf",
        "1 orphan file(s) removed",
    ]
    assert not old_orphan.exists()
    assert young_orphan.exists()  # within the hour: maybe an upload about to be committed
    assert Path(kept.file.path).exists()
    assert evidence_orphans_remove(older_than=dt.timedelta(0)) == [
        "evidence/2026/11/upload-in-flight.pdf"
    ]
    assert Path(kept.file.path).exists()  # a document's own file is never touched
