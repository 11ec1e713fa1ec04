"""docs/metrics.md describes every metric the scorecard shows."""

from pathlib import Path

from django.conf import settings

from metrics.definitions import METRICS


def test_it_documents_every_metric():
    text = (Path(settings.BASE_DIR) / "docs" / "metrics.md").read_text()
    missing = [metric.key for metric in METRICS if f"| `{metric.key}` |" not in text]
    assert missing == []
