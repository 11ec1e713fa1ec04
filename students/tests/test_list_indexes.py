"""The big lists' orders are read from indexes on PostgreSQL: the expressions each
list orders by must match its index's exactly, or PostgreSQL sorts every row
(``students.models.sessions_upcoming_first_order``, ``flags_queue_order``)."""

import pytest
from django.db import connection

from students.flags import flags_in_queue_order, flags_visible_to
from students.models import FlagStatus
from students.sessions import sessions_upcoming_first, sessions_visible_to

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's planner matches index expressions"
)


def plan_without_sorting(queryset) -> str:
    with connection.cursor() as cursor:
        # With sorting priced out, the planner sorts only when no index gives the order.
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
    return queryset.explain()


def test_it_reads_staffs_sessions_list_in_the_order_of_its_index(db, staff):
    sessions = sessions_upcoming_first(sessions_visible_to(staff))[:50]

    assert "session_upcoming_first_idx" in plan_without_sorting(sessions)


def test_it_reads_staffs_flag_queue_in_the_order_of_its_index(db, staff):
    flags = flags_in_queue_order(flags_visible_to(staff).filter(status=FlagStatus.OPEN))[:25]

    assert "riskflag_open_queue_idx" in plan_without_sorting(flags)
