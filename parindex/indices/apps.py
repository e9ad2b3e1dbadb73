from django.apps import AppConfig


class IndicesConfig(AppConfig):
    """External indices (*các chỉ số bên ngoài*): SIPAS, PAPI, PCI, ICT Index, DTI per year."""

    name = "parindex.indices"
    default_auto_field = "django.db.models.BigAutoField"
