from django.apps import AppConfig


class PlansConfig(AppConfig):
    """Reform plans (*kế hoạch CCHC*), their tasks and progress reports."""

    name = "parindex.plans"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from parindex.plans.selectors import plan_completion_metrics, plan_metric_notes
        from parindex.results.services import METRIC_NOTES, METRIC_SOURCES

        if plan_completion_metrics not in METRIC_SOURCES:
            METRIC_SOURCES.append(plan_completion_metrics)
        if plan_metric_notes not in METRIC_NOTES:
            METRIC_NOTES.append(plan_metric_notes)
