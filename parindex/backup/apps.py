from django.apps import AppConfig


class BackupConfig(AppConfig):
    """Backup and restore (*sao lưu và phục hồi*) of the database and the uploaded files."""

    name = "parindex.backup"
    default_auto_field = "django.db.models.BigAutoField"
