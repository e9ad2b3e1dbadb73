"""The survey's records: questionnaires (*phiếu khảo sát*), campaigns (*đợt khảo sát*) with
their sample targets, one-use invitations, responses (*phiếu trả lời*), imported files, the
tally of accepted answers the engine scores, and respondents' identifying data kept apart.

Answers are kept per response as JSON (question code → answer code, null when skipped);
`AnswerCount` and `ResponseCount` hold the same answers and responses counted per unit and
group (and question and answer), written in the same transaction as the responses they count,
so that scoring a national survey never re-reads 9 million answers.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from parindex.core.models import TimeStampedModel


class Questionnaire(TimeStampedModel):
    """The questions put to one respondent group of a criteria set, as the questionnaire file
    says (`document`: options, questions, personal fields — FORMATS-like YAML, ADR 0008)."""

    criteria_set = models.ForeignKey(
        "criteria.CriteriaSetVersion", on_delete=models.CASCADE, related_name="questionnaires"
    )
    group = models.CharField(_("respondent group"), max_length=64)
    code = models.CharField(_("code"), max_length=128)
    title = models.CharField(_("title"), max_length=500)
    yaml_text = models.TextField(_("questionnaire file (YAML)"))

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["criteria_set", "group"]
        constraints = [
            models.UniqueConstraint(
                fields=["criteria_set", "group"], name="one_questionnaire_per_group"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Campaign(TimeStampedModel):
    """A cycle's survey: who rates which units, how many answers are wanted, and when."""

    cycle = models.OneToOneField(
        "assessments.Cycle", on_delete=models.CASCADE, related_name="survey_campaign"
    )
    title = models.CharField(_("title"), max_length=500)
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    margin = models.DecimalField(
        _("margin of error"), max_digits=4, decimal_places=3, default="0.050"
    )

    class Meta:
        verbose_name = _("survey campaign")
        verbose_name_plural = _("survey campaigns")
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="campaign_closes_after_it_opens",
            ),
            models.CheckConstraint(
                condition=models.Q(margin__gt=0) & models.Q(margin__lt=1),
                name="campaign_margin_between_0_and_1",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class SampleTarget(models.Model):
    """The responses wanted from one group about one unit: n = N / (1 + N·e²) from the
    population N (dossiers received, staff...) and the campaign's margin e, or set by hand."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="targets")
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    group = models.CharField(_("respondent group"), max_length=64)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    target = models.PositiveIntegerField(_("target sample"))

    class Meta:
        verbose_name = _("sample target")
        verbose_name_plural = _("sample targets")
        ordering = ["campaign", "unit__code", "group"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "unit", "group"], name="one_target_per_unit_group"
            )
        ]


class Invitation(models.Model):
    """A one-use link or short code (*mã phiếu*) for one answer about one unit by one group."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="invitations")
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    group = models.CharField(_("respondent group"), max_length=64)
    code = models.CharField(_("code"), max_length=16, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["campaign", "unit__code", "group", "pk"]
        indexes = [models.Index(fields=["campaign", "unit", "group"], name="invitation_scope")]

    def __str__(self) -> str:
        return self.code


class ResponseSource(models.TextChoices):
    ONLINE = "online", _("Online form")
    IMPORT = "import", _("Imported file")


class SurveyImport(models.Model):
    """One imported file of answers, known by its SHA-256: the same file twice changes nothing."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="imports")
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(max_length=64)
    columns = models.JSONField(_("column mapping"), default=dict)
    total = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    # the per-row report: [line, response id, [reasons in Vietnamese], [reasons in English]]
    rejections = models.JSONField(default=list)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("survey answers import")
        verbose_name_plural = _("survey answers imports")
        ordering = ["-imported_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "sha256"], name="survey_file_once")
        ]

    def __str__(self) -> str:
        return self.file_name


class ColumnMapping(TimeStampedModel):
    """A saved mapping of an outside tool's export to the survey's columns
    (`columns`: `formats.survey_responses.ColumnMap` as JSON), per authority."""

    authority = models.ForeignKey(
        "units.Authority", on_delete=models.CASCADE, related_name="survey_mappings"
    )
    name = models.CharField(_("name"), max_length=200)
    columns = models.JSONField(_("columns"), default=dict)

    class Meta:
        verbose_name = _("survey column mapping")
        verbose_name_plural = _("survey column mappings")
        ordering = ["authority", "name"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "name"], name="unique_survey_mapping")
        ]

    def __str__(self) -> str:
        return self.name


class Response(models.Model):
    """One respondent's answers about one unit; counted once `submitted_at` is set.

    `response_id` is the outside tool's id (Kobo `_uuid`) or the invitation code online.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="responses")
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    group = models.CharField(_("respondent group"), max_length=64)
    response_id = models.CharField(_("response id"), max_length=128)
    source = models.CharField(max_length=16, choices=ResponseSource.choices)
    answers = models.JSONField(default=dict)  # question code → answer code
    submitted_at = models.DateTimeField(null=True, blank=True)
    survey_import = models.ForeignKey(
        SurveyImport, null=True, blank=True, on_delete=models.CASCADE, related_name="responses"
    )
    invitation = models.OneToOneField(
        Invitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="response"
    )

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "response_id"], name="survey_response_id_once"
            )
        ]
        indexes = [models.Index(fields=["campaign", "unit", "group"], name="response_scope")]


class AnswerCount(models.Model):
    """How many counted responses about a unit from a group gave an answer to a question."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    group = models.CharField(max_length=64)
    question = models.CharField(max_length=64)
    answer = models.CharField(max_length=64)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "unit", "group", "question", "answer"],
                name="one_count_per_answer",
            )
        ]


class ResponseCount(models.Model):
    """How many counted responses about a unit came from a group (kept like `AnswerCount`)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    group = models.CharField(max_length=64)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "unit", "group"], name="one_count_per_unit_group"
            )
        ]


class RespondentDetail(models.Model):
    """Identifying data a respondent gave (only when the questionnaire asks for it), kept apart
    from the answers and readable only by a survey administrator; every read is logged."""

    response = models.OneToOneField(Response, on_delete=models.CASCADE, related_name="detail")
    data = models.JSONField(default=dict)  # personal field code → value

    class Meta:
        verbose_name = _("respondent detail")
        verbose_name_plural = _("respondent details")


class PersonalDataRead(models.Model):
    """Append-only log of who read respondents' identifying data, when, and which."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    responses = models.PositiveIntegerField()  # how many respondents' data were shown
    what = models.CharField(max_length=64)  # page | export

    class Meta:
        ordering = ["-at"]
