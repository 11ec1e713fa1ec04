"""What the portal's CSV downloads share: cells a spreadsheet shows as text and never
runs, and the download itself.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (a tab or a
carriage return first is read past) as a formula: a student who calls themself
``=HYPERLINK("http://evil.test","click")`` would put a live link, or worse, into the
supervisor's spreadsheet. OWASP's advice is to start such a cell with ``'``, which
spreadsheets show as text. A number written as one (``-3``, ``+7``, ``-0.25``) is read
as a number, never a formula, so it keeps its value and stays a number cell."""

import csv
import re
from collections.abc import Iterable, Sequence

from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def csv_cell(value: object) -> str:
    """A value as a CSV cell that a spreadsheet shows as it is, never runs."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(text):
        return f"'{text}"
    return text


def csv_response(
    *, filename: str, header: Sequence[str], rows: Iterable[Iterable[object]]
) -> HttpResponse:
    """A CSV file to download, every cell through ``csv_cell``. The response is
    private and never stored (``mentorship.middleware.PrivateCacheMiddleware``)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow([csv_cell(name) for name in header])
    writer.writerows([csv_cell(value) for value in row] for row in rows)
    return response
