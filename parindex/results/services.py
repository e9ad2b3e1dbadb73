"""Computing a cycle's results with the engine, and publishing them as hash-stamped snapshots.

The web app never computes points itself: it builds the engine's input through one selector
(`parindex.assessments.selectors.engine_inputs_for`), stores the engine's result with the
engine version and a hash of the inputs, and publishes an immutable canonical JSON snapshot.
A correction after publication is a new revision, never an edit.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max

from parindex.accounts.models import User
from parindex.assessments.models import Cycle, Phase
from parindex.criteria.services import criteria_set_of
from parindex.formats.results import results_document
from parindex.results.models import ComputedResult, Publication
from parindex.scoring import ENGINE_VERSION, compute
from parindex.scoring.model import NA, Entry, Fraction, Inputs, PreviousResult

InputsBuilder = Callable[[Cycle], Inputs]


class PublicationError(ValueError):
    """A publication that cannot be made (wrong phase, nothing computed, ...)."""


def canonical_json(document: Any) -> str:
    """One text for one content: sorted keys, no spaces, UTF-8 kept, no float surprises."""
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def inputs_hash(yaml_text: str, inputs: Inputs) -> str:
    """A hash of everything the engine reads: the set's YAML and every unit's inputs."""
    document = {
        "criteria": yaml_text,
        "units": [[u.code, u.name, u.group, list(u.predecessors)] for u in inputs.units],
        "values": {
            unit: {code: _entry_text(entry) for code, entry in sorted(entries.items())}
            for unit, entries in sorted(inputs.values.items())
        },
        "metrics": {
            unit: {name: str(value) for name, value in sorted(metrics.items())}
            for unit, metrics in sorted(inputs.metrics.items())
        },
        "survey": None
        if inputs.survey is None
        else sorted(
            [*key, str(answer), count]
            for key, counts in inputs.survey.answers.items()
            for answer, count in counts.items()
        ),
        "previous": None
        if inputs.previous is None
        else {code: [str(p.index), p.rank] for code, p in sorted(inputs.previous.items())},
    }
    return sha256_text(canonical_json(document))


def _entry_text(entry: Entry) -> str:
    value = entry.value
    if value is NA:
        return "NA"
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, Decimal | bool | int | str):
        return str(value)
    return entry.text


def _default_builder(cycle: Cycle) -> Inputs:
    from parindex.assessments.selectors import engine_inputs_for

    inputs: Inputs = engine_inputs_for(cycle, stage="final")
    return inputs


@transaction.atomic
def results_compute(
    *, cycle: Cycle, by: User | None = None, build: InputsBuilder | None = None
) -> ComputedResult:
    """Run the engine on the cycle's final values and keep its result with version and hash."""
    criteria = criteria_set_of(cycle.criteria_set)
    inputs = (build or _default_builder)(cycle)
    if inputs.previous is None:
        inputs = dataclasses.replace(inputs, previous=previous_year_results(cycle))
    results = compute(criteria, inputs)
    document = results_document(results, criteria)
    return ComputedResult.objects.create(
        cycle=cycle,
        engine_version=ENGINE_VERSION,
        input_hash=inputs_hash(cycle.criteria_set.yaml_text, inputs),
        document=document,
    )


@transaction.atomic
def publication_publish(
    *, cycle: Cycle, by: User, reason: str = "", result: ComputedResult | None = None
) -> Publication:
    """Publish the latest computed result as the next revision of the cycle's snapshot.

    The first publication needs the cycle in finalisation or published; a later one is a
    correction and needs a reason, shown beside it on the public page.
    """
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.phase not in (Phase.FINALISATION, Phase.PUBLISHED):
        raise PublicationError(
            "Chỉ công bố được khi kỳ đánh giá đã ở bước hoàn thiện kết quả "
            "(the cycle must be in finalisation)"
        )
    result = result or cycle.computed_results.order_by("-computed_at", "-id").first()
    if result is None:
        raise PublicationError("Chưa tính kết quả (no computed result to publish)")
    previous = cycle.publications.aggregate(last=Max("revision"))["last"] or 0
    if previous and not reason.strip():
        raise PublicationError(
            "Đính chính sau khi công bố phải nêu lý do (a correction needs a reason)"
        )
    snapshot = canonical_json(
        {
            "cycle": {"id": cycle.pk, "title": cycle.title, "year": cycle.year},
            "revision": previous + 1,
            "engine_version": result.engine_version,
            "input_hash": result.input_hash,
            "results": result.document,
        }
    )
    publication = Publication.objects.create(
        cycle=cycle,
        revision=previous + 1,
        snapshot=snapshot,
        sha256=sha256_text(snapshot),
        engine_version=result.engine_version,
        input_hash=result.input_hash,
        reason=reason.strip(),
        published_by=by,
    )
    if cycle.phase != Phase.PUBLISHED:
        cycle.phase = Phase.PUBLISHED
        cycle.save(update_fields=["phase", "updated_at"])
    return publication


def previous_year_results(cycle: Cycle) -> dict[str, PreviousResult] | None:
    """Last year's published index and rank per unit code, for year-over-year deltas."""
    last = (
        Publication.objects.filter(
            cycle__authority=cycle.authority,
            cycle__unit_group=cycle.unit_group,
            cycle__year=cycle.year - 1,
        )
        .order_by("-revision")
        .first()
    )
    if last is None:
        return None
    units = json.loads(last.snapshot)["results"]["units"]
    return {u["unit"]: PreviousResult(Decimal(str(u["index"])), u.get("rank")) for u in units}


def publication_verify(publication: Publication) -> bool:
    """True when the stored snapshot still has the hash it was published with."""
    return sha256_text(publication.snapshot) == publication.sha256
