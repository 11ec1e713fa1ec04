"""What a long-running process (a web or a Celery worker process) does once it has
started."""

import gc

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured
from django.urls import get_resolver

UNSAFE_KEY_MESSAGE = (
    "SECRET_KEY is unset or a public sample while DEBUG is false. Set SECRET_KEY "
    "to a long random value of this deployment's own (python -c 'import secrets; "
    "print(secrets.token_urlsafe(50))'), or DEBUG=true on a development machine."
)


def secret_key_is_public() -> bool:
    """Whether the portal would run in production with a key anyone can read (the
    repository's development key, the placeholder of .env.example, or none)."""
    return not settings.DEBUG and settings.SECRET_KEY in settings.PUBLIC_SECRET_KEYS


def refuse_public_secret_key() -> None:
    """Stop a process that serves or runs the portal (the WSGI and ASGI applications,
    a Celery worker, beat) before it does anything, when ``secret_key_is_public``."""
    if secret_key_is_public():
        raise ImproperlyConfigured(UNSAFE_KEY_MESSAGE)


@register(Tags.security, deploy=True)
def check_secret_key(app_configs=None, **kwargs) -> list[Error]:
    """``check --deploy`` fails, not only warns, on a public key."""
    if secret_key_is_public():
        return [Error(UNSAFE_KEY_MESSAGE, id="mentorship.E001")]
    return []


def freeze_start_up_objects(*, collect: bool = True) -> None:
    """Keep the objects the process holds from its start (Django's models, the URLconf
    and every view it imports, translations) out of the garbage collector's passes.

    They live as long as the process, and every full pass walked all of them: on the
    supervisor's dashboard one request in about eleven spent some 50 ms in one
    (docs/benchmarks.md, Scorecards), and a flagging run about a third of a second.
    The URLconf is loaded first so that the views' modules are among them.

    ``collect``: collect the garbage first, so that it is not kept for good. Not in a
    process forked from one that had Django running (a Celery pool process, a
    benchmark's pool): its garbage may hold the parent's database connections, whose
    finalizers would close them under the parent's feet."""
    get_resolver().url_patterns  # noqa: B018 -- imports every view module
    if collect:
        gc.collect()
    gc.freeze()
