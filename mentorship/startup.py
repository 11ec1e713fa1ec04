"""What a long-running process (a web or a Celery worker process) does once it has
started."""

import gc

from django.urls import get_resolver


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
