from django.apps import AppConfig


class DossiersConfig(AppConfig):
    name = "parindex.dossiers"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from parindex.dossiers import tasks  # noqa: F401 - registers the import job
        from parindex.dossiers.selectors import dossier_metric_notes, dossier_metrics
        from parindex.results.services import METRIC_NOTES, METRIC_SOURCES

        if dossier_metrics not in METRIC_SOURCES:
            METRIC_SOURCES.append(dossier_metrics)
        if dossier_metric_notes not in METRIC_NOTES:
            METRIC_NOTES.append(dossier_metric_notes)
