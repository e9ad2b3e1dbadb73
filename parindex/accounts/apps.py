from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class AccountsConfig(AppConfig):
    name = "parindex.accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from parindex.accounts.models import Membership
        from parindex.accounts.permissions import grants_forget

        post_save.connect(grants_forget, sender=Membership, dispatch_uid="grants_forget_save")
        post_delete.connect(grants_forget, sender=Membership, dispatch_uid="grants_forget_del")
