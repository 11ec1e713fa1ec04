"""The CSV downloads' cells: a spreadsheet shows them, never runs them."""

import csv
import io

import pytest

from mentorship.exports import csv_cell, csv_response


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ('=HYPERLINK("http://evil.test","click")', '\'=HYPERLINK("http://evil.test","click")'),
        ("+7 912 000", "'+7 912 000"),
        ("-cmd", "'-cmd"),
        ("-", "'-"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTAB", "'\tTAB"),
        ("\r=1+1", "'\r=1+1"),
        ("-3\n=1+1", "'-3\n=1+1"),
        ("Maria = Mentor", "Maria = Mentor"),
        # Numbers stay numbers: a spreadsheet reads them as values, never as formulas.
        (12, "12"),
        (-3, "-3"),
        (-0.25, "-0.25"),
        ("-3", "-3"),
        ("+7", "+7"),
        ("-1.5e3", "-1.5e3"),
        (None, ""),
    ],
)
def test_it_keeps_csv_cells_from_running(value, cell):
    assert csv_cell(value) == cell


def test_it_writes_a_download_of_safe_cells():
    response = csv_response(
        filename="team-2026-03.csv",
        header=["name", "change"],
        rows=[["=cmd|' /C calc'!A0", -2], ["Maria", None]],
    )

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="team-2026-03.csv"'
    assert list(csv.reader(io.StringIO(response.content.decode()))) == [
        ["name", "change"],
        ["'=cmd|' /C calc'!A0", "-2"],
        ["Maria", ""],
    ]
