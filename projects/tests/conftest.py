import pytest


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded and seeded files go to a temporary folder, never to var/media."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"
