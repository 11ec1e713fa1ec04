"""WSGI entry point (gunicorn mentorship.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorship.settings")

application = get_wsgi_application()

# Imported after Django is set up: the URLconf it loads needs the apps.
from mentorship.startup import freeze_start_up_objects  # noqa: E402

freeze_start_up_objects()
