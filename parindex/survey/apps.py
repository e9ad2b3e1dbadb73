from django.apps import AppConfig


class SurveyConfig(AppConfig):
    """The sociological survey (*điều tra xã hội học*): questionnaires, campaigns, one-use
    invitations, online answering, imported answers, and the tally the engine scores."""

    name = "parindex.survey"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from parindex.assessments.workflow import FINALISATION_NOTICES
        from parindex.results.services import SURVEY_SOURCES
        from parindex.survey import tasks  # noqa: F401 - registers the import job
        from parindex.survey.selectors import low_sample_notices, survey_tally_of_cycle

        if survey_tally_of_cycle not in SURVEY_SOURCES:
            SURVEY_SOURCES.append(survey_tally_of_cycle)
        if low_sample_notices not in FINALISATION_NOTICES:
            FINALISATION_NOTICES.append(low_sample_notices)
