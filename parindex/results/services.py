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
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max

from parindex.accounts.models import Role, User
from parindex.assessments import workflow
from parindex.assessments.models import Cycle, CycleEvent, Phase
from parindex.criteria.services import criteria_set_of
from parindex.formats.results import results_document
from parindex.results.models import ComputedResult, Publication
from parindex.scoring import ENGINE_VERSION, compute
from parindex.scoring.model import NA, Entry, Fraction, Inputs, PreviousResult, SurveyTally

InputsBuilder = Callable[[Cycle], Inputs]

PUBLISHERS = (Role.SECRETARIAT, Role.COUNCIL_CHAIR)


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


MetricSource = Callable[[Cycle], Mapping[str, Mapping[str, Decimal]]]

# Where a cycle's metrics (`data` leaves, caps) come from: each app that measures something
# (one-stop dossiers, plan tasks) adds its reader here in its AppConfig.ready().
METRIC_SOURCES: list[MetricSource] = []


def metrics_for(cycle: Cycle) -> dict[str, dict[str, Decimal]]:
    """Every source's metrics of the cycle's units (unit code → metric → value); a metric
    given by two sources is an error of configuration, not something to pick from."""
    merged: dict[str, dict[str, Decimal]] = {}
    for source in METRIC_SOURCES:
        for unit, metrics in source(cycle).items():
            found = merged.setdefault(unit, {})
            for name, value in metrics.items():
                if name in found:
                    raise ValueError(f"metric {name} of {unit} comes from two sources")
                found[name] = value
    return merged


MetricNotes = Callable[[Cycle, str], Mapping[str, str]]

# Where a unit's metrics come from, in words (file, import time, counts), shown beside the
# points of its `data` leaves: each metric source's app adds its explainer here.
METRIC_NOTES: list[MetricNotes] = []


def metric_notes_for(cycle: Cycle, unit_code: str) -> dict[str, str]:
    """Metric name → where the unit's figure comes from, in the active language."""
    notes: dict[str, str] = {}
    for explain in METRIC_NOTES:
        notes.update({name: str(text) for name, text in explain(cycle, unit_code).items()})
    return notes


SurveySource = Callable[[Cycle], SurveyTally | None]

# Where a cycle's survey answers come from: the survey app adds its tally reader here.
SURVEY_SOURCES: list[SurveySource] = []


def survey_for(cycle: Cycle) -> SurveyTally | None:
    """The cycle's survey tally, when a source has one (at most one source may)."""
    tallies = [tally for source in SURVEY_SOURCES if (tally := source(cycle)) is not None]
    if len(tallies) > 1:
        raise ValueError(f"the survey of cycle {cycle.pk} comes from two sources")
    return tallies[0] if tallies else None


def cycle_inputs_final(cycle: Cycle) -> Inputs:
    """The engine's input for a cycle's final results: final sheet values, every metric
    source's metrics, the survey tally."""
    from parindex.assessments.selectors import engine_inputs_for

    inputs: Inputs = engine_inputs_for(cycle, stage="final")
    metrics = metrics_for(cycle)
    survey = survey_for(cycle)
    return dataclasses.replace(
        inputs,
        metrics=metrics or inputs.metrics,
        survey=survey if survey is not None else inputs.survey,
    )


@transaction.atomic
def results_compute(
    *, cycle: Cycle, by: User | None = None, build: InputsBuilder | None = None
) -> ComputedResult:
    """Run the engine on the cycle's final values and keep its result with version and hash."""
    criteria = criteria_set_of(cycle.criteria_set)
    inputs = (build or cycle_inputs_final)(cycle)
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
    if not workflow.holds_any(by, PUBLISHERS, authority_id=cycle.authority_id):
        raise PublicationError(
            "Chỉ thư ký hoặc Chủ tịch Hội đồng công bố kết quả "
            "(only the secretariat or the council chair publishes)"
        )
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
        CycleEvent.objects.create(
            cycle=cycle,
            old_phase=cycle.phase,
            new_phase=Phase.PUBLISHED,
            reason=reason.strip(),
            by=by,
        )
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
