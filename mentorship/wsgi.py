"""WSGI entry point (gunicorn mentorship.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorship.settings")

application = get_wsgi_application()

# Imported after Django is set up: the URLconf it loads needs the apps.
from mentorship.startup import freeze_start_up_objects, refuse_public_secret_key  # noqa: E402

refuse_public_secret_key()
freeze_start_up_objects()
