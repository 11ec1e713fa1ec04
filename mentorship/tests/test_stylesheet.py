"""The portal's own stylesheet parses: every block it opens it closes, so a rule
lost in an edit never swallows the rules after it (the browser would ignore them
without a word)."""

from pathlib import Path

from django.conf import settings


def test_every_block_of_the_stylesheet_is_closed():
    text = (Path(settings.BASE_DIR) / "static" / "css" / "app.css").read_text()
    depth = 0
    for number, line in enumerate(text.splitlines(), start=1):
        for character in line.split("/*")[0]:
            depth += {"{": 1, "}": -1}.get(character, 0)
            assert depth >= 0, f"line {number} closes a block never opened"
        if line.startswith("/* ---"):
            assert depth == 0, f"line {number} starts a section inside an open block"
    assert depth == 0
