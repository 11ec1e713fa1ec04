"""Fixtures of the students app's tests."""

import pytest

from students.models import FlagSettings


@pytest.fixture
def no_flag_budget(request):
    """Every red flag kept red, in histories of a few students where the default budget
    (10 % of a programme's students) would allow none: for tests about the signals and
    the run, not the budget (``test_flag_budget.py``)."""
    marker = request.node.get_closest_marker("django_db")
    transactional = marker is not None and marker.kwargs.get("transaction", False)
    request.getfixturevalue("transactional_db" if transactional else "db")
    FlagSettings.objects.update_or_create(pk=1, defaults={"red_share_percent": 100})
