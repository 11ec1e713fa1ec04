import gc
import importlib
import sys

import pytest

from mentorship import startup


def test_a_web_process_freezes_what_it_holds_from_its_start():
    gc.unfreeze()
    sys.modules.pop("mentorship.wsgi", None)
    try:
        wsgi = importlib.import_module("mentorship.wsgi")
        assert callable(wsgi.application)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


@pytest.mark.parametrize(
    ("collect", "expected"),
    [(True, ["urlconf", "collect", "freeze"]), (False, ["urlconf", "freeze"])],
    ids=["a process of its own", "a forked pool process"],
)
def test_the_urlconf_and_its_views_are_loaded_before_the_freeze(monkeypatch, collect, expected):
    calls = []

    class Resolver:
        @property
        def url_patterns(self):
            calls.append("urlconf")
            return []

    monkeypatch.setattr(startup, "get_resolver", Resolver)
    monkeypatch.setattr(gc, "collect", lambda: calls.append("collect"))
    monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze"))
    startup.freeze_start_up_objects(collect=collect)
    assert calls == expected
