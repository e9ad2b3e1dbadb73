"""ASGI entry point, e.g. ``uvicorn parindex.site.asgi:application``."""

import os

from django.conf import settings
from django.core.asgi import get_asgi_application
from django.core.exceptions import ImproperlyConfigured

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parindex.site.settings")

# A server must fail at start-up, not at the first login, when it has no secret key.
try:
    settings.SECRET_KEY  # noqa: B018 - reading it is the check
except ImproperlyConfigured as error:
    raise ImproperlyConfigured(
        "PARINDEX_SECRET_KEY must be set when PARINDEX_DEBUG is off"
    ) from error

application = get_asgi_application()
