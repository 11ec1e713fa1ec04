"""ASGI entry point."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorship.settings")

application = get_asgi_application()

# Imported after Django is set up.
from mentorship.startup import refuse_public_secret_key  # noqa: E402

refuse_public_secret_key()
