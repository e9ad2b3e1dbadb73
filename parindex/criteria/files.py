"""Uploaded criteria set files (YAML or XLSX) → the YAML text that a version stores."""

from __future__ import annotations

from pathlib import Path

from parindex.formats.criteria_xlsx import criteria_from_xlsx
from parindex.formats.criteria_yaml import dump_criteria
from parindex.formats.problems import InputError, Problem
from parindex.scoring.messages import msg

UPLOAD_SUFFIXES = (".yaml", ".yml", ".xlsx")
UPLOAD_MAX_BYTES = 5 * 1024 * 1024
_ZIP_MAGIC = b"PK\x03\x04"


def criteria_yaml_of_upload(name: str, content: bytes) -> str:
    """The YAML text of an uploaded file; InputError with every problem of a bad one.

    A workbook is read and checked (problems carry sheet, row and column), then written as
    YAML: the stored text is always YAML, the source of truth. A YAML file is kept as written,
    comments included (the import checks it).
    """
    if Path(name).suffix.lower() == ".xlsx" or content.startswith(_ZIP_MAGIC):
        return dump_criteria(criteria_from_xlsx(content, name))
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(
            [Problem(name, msg("tệp không phải văn bản UTF-8", "the file is not UTF-8 text"))]
        ) from None
