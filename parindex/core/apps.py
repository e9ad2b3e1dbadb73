from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Shared base of the parindex Django apps: abstract models, nothing domain-specific."""

    name = "parindex.core"
    label = "core"
    verbose_name = _("Core")
