"""Uploaded files, before and after they belong to anything.

* What every upload passes: an allowed type, within the size limit, not empty, and
  content that is what its name says (``upload_problem``: the first bytes are sniffed,
  so a program renamed ``report.pdf`` or a zip renamed ``notes.txt`` is refused).
* Kept uploads (``PendingUpload``): when a form with several files is refused, the
  files that passed are kept for their sender and that form, so the sender re-picks
  only the refused one. Only the sender reads, attaches or drops them (anyone else:
  404); they are swept a day after they were kept (``pending_uploads_sweep``, hourly).

Any app's upload form uses these; ``projects`` (the submission form) is the first.
"""

import mimetypes
from datetime import timedelta
from pathlib import PurePath

import filetype
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import PendingUpload, User

# How long a kept upload waits for its form to be sent again.
KEEP_FOR = timedelta(days=1)

# How much of a file is sniffed: every signature the sniffer knows is within it.
SNIFF_BYTES = 8192

# Text and code: what a browser may show as plain text, and what must read as text.
# Markup a browser would run (html, svg, xml, js) is here on purpose: the portal only
# ever serves it as text/plain (projects.views.files).
TEXT_EXTENSIONS = frozenset(
    {
        "txt", "md", "markdown", "rst", "log", "csv", "tsv", "json", "ipynb", "yaml", "yml",
        "toml", "ini", "cfg", "env", "sql", "py", "pyi", "r", "rb", "php", "pl", "lua",
        "js", "mjs", "cjs", "ts", "tsx", "jsx", "vue", "svelte", "html", "htm", "xhtml",
        "css", "scss", "sass", "less", "svg", "xml", "java", "kt", "kts", "scala", "groovy",
        "go", "rs", "c", "h", "cpp", "cc", "hpp", "cs", "swift", "m", "dart", "sh", "bash",
        "zsh", "ps1", "bat", "dockerfile", "makefile", "gradle", "tex", "properties",
    }
)  # fmt: skip

# Formats that are one another underneath: a .docx is a zip, a .jpeg a .jpg. The
# sniffer may name either member of a family for a file of that family.
_FAMILIES = (
    frozenset({"jpg", "jpeg"}),
    frozenset({"png", "apng"}),
    frozenset({"tif", "tiff"}),
    frozenset({"zip", "docx", "xlsx", "pptx", "odt", "ods", "odp", "epub", "jar"}),
    frozenset({"doc", "xls", "ppt", "msi"}),
)
# Signatures long and specific enough that a text file never starts with them by
# chance (unlike, say, "BM", which the sniffer takes for a bitmap).
_BINARY_SIGNATURES = frozenset(
    {
        "exe", "elf", "zip", "docx", "xlsx", "pptx", "odt", "ods", "odp", "epub", "pdf",
        "png", "apng", "jpg", "gif", "webp", "gz", "bz2", "xz", "7z", "rar", "tar", "zst",
        "sqlite", "wasm", "doc", "xls", "ppt", "swf", "crx", "deb", "rpm",
    }
)  # fmt: skip
# Programs: refused under any name the sniffer has no signature for.
_PROGRAMS = frozenset({"exe", "elf", "swf", "crx", "deb", "rpm", "wasm"})


def upload_clean_name(name: str) -> str:
    """The last path component only, without control characters: ``../../x`` is
    ``x``. What is stored on disk is a random name anyway; this is for display."""
    base = PurePath(name.replace("\\", "/")).name
    base = "".join(char for char in base if char.isprintable() and char not in '<>:"|?*')
    return base.strip(" .")[:200] or "file"


def upload_extension(name: str) -> str:
    return PurePath(upload_clean_name(name)).suffix.lower().lstrip(".")


def _family(extension: str) -> frozenset[str]:
    return next((family for family in _FAMILIES if extension in family), frozenset({extension}))


def upload_content_matches(upload: UploadedFile, *, extension: str) -> bool:
    """Whether the file's first bytes are what its extension says: a text type reads
    as text (no NUL byte, no binary signature); a type with a signature (pdf, png,
    zip...) carries it; any other type is anything but a program."""
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    sniffed = filetype.guess(head)
    found = sniffed.extension if sniffed is not None else None
    if extension in TEXT_EXTENSIONS:
        return b"\x00" not in head and found not in _BINARY_SIGNATURES
    family = _family(extension)
    if any(filetype.get_type(ext=member) is not None for member in family):
        return found is not None and found in family
    return found not in _PROGRAMS


def upload_problem(
    upload: UploadedFile, *, allowed_extensions: set[str], max_size_mb: int
) -> str | None:
    """Why this upload is refused, naming it (type, size, empty, content), or None."""
    name = upload_clean_name(upload.name)
    extension = upload_extension(name)
    if extension not in allowed_extensions:
        return _("%(name)s: this type of file is not accepted (allowed: %(allowed)s).") % {
            "name": name,
            "allowed": ", ".join(sorted(allowed_extensions)),
        }
    if upload.size > max_size_mb * 1024 * 1024:
        return _("%(name)s is larger than %(limit)d MB.") % {"name": name, "limit": max_size_mb}
    if upload.size == 0:
        return _("%(name)s is empty.") % {"name": name}
    if not upload_content_matches(upload, extension=extension):
        return _("%(name)s: its content is not a .%(extension)s file.") % {
            "name": name,
            "extension": extension,
        }
    return None


def upload_content_type(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


# --- Kept uploads ---------------------------------------------------------------------


def pending_uploads_for(*, user: User, purpose: str) -> QuerySet[PendingUpload]:
    """The files kept for this person and this form, oldest first, less than a day
    old: what the form lists as already chosen."""
    return PendingUpload.objects.filter(
        user=user, purpose=purpose, created_at__gt=timezone.now() - KEEP_FOR
    ).order_by("created_at", "id")


def pending_upload_for_user(user: User, pk: int) -> PendingUpload:
    """One kept file of this person's; 404 for anyone else's, as for any object."""
    upload = pending_uploads_owned(user).filter(pk=pk).first()
    if upload is None:
        raise Http404
    return upload


def pending_uploads_owned(user: User) -> QuerySet[PendingUpload]:
    """Who may see a kept upload: its sender, nobody else (staff included: it belongs
    to nothing yet)."""
    return PendingUpload.objects.filter(user=user, created_at__gt=timezone.now() - KEEP_FOR)


def pending_uploads_chosen(*, user: User, purpose: str, ids: list[str]) -> list[PendingUpload]:
    """The kept files a form sent back by id (its ticked "kept" boxes). Someone
    else's id, or one kept for another form, is not found (404). One of the sender's
    that has expired since is left out (``pending_uploads_expired`` says so beside
    the files, so they choose it again)."""
    try:
        wanted = {int(value) for value in ids}
    except ValueError as error:
        raise Http404 from error
    if not wanted:
        return []
    found = list(pending_uploads_for(user=user, purpose=purpose).filter(pk__in=wanted))
    missing = wanted - {upload.pk for upload in found}
    if PendingUpload.objects.filter(pk__in=missing).exclude(user=user, purpose=purpose).exists():
        raise Http404
    return found


def pending_uploads_expired(
    *, ids: list[str], chosen: list[PendingUpload]
) -> ValidationError | None:
    """Why a form that sent back kept files it no longer has (swept or a day old)
    is refused, beside its files; None when it has them all."""
    if len(set(ids)) > len(chosen):
        return ValidationError(
            {"files": _("A file kept from your last try has expired; choose it again.")}
        )
    return None


def pending_upload_keep(*, user: User, purpose: str, upload: UploadedFile) -> PendingUpload:
    """Keep one accepted file of a refused form for its sender, under a random name."""
    name = upload_clean_name(upload.name)
    upload.seek(0)
    return PendingUpload.objects.create(
        user=user,
        purpose=purpose,
        file=upload,
        original_name=name,
        size=upload.size,
        content_type=upload_content_type(name),
    )


def pending_uploads_discard(uploads) -> int:
    """Drop kept files (rows now, stored files once the transaction commits)."""
    uploads = list(uploads)
    if not uploads:
        return 0
    names = [upload.file.name for upload in uploads]
    count = PendingUpload.objects.filter(pk__in=[upload.pk for upload in uploads]).delete()[0]
    storage = PendingUpload._meta.get_field("file").storage

    def delete_files():
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete_files)
    return count


def pending_uploads_release(*, user: User, purpose: str, keep: list[PendingUpload]) -> int:
    """The form was sent again: drop this person's kept files for it that it no longer
    lists (unticked, or expired), keeping ``keep``."""
    stale = PendingUpload.objects.filter(user=user, purpose=purpose).exclude(
        pk__in=[upload.pk for upload in keep]
    )
    return pending_uploads_discard(stale)


def pending_uploads_sweep(*, now=None) -> int:
    """Drop every kept file older than a day, in batches. Safe to run twice or at
    once: a second run finds nothing left, and a file already gone is no error."""
    cutoff = (now or timezone.now()) - KEEP_FOR
    swept = 0
    while True:
        with transaction.atomic():
            batch = list(PendingUpload.objects.filter(created_at__lte=cutoff).order_by("id")[:500])
            if not batch:
                return swept
            swept += pending_uploads_discard(batch)
