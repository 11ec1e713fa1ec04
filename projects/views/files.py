"""Submitted files, served only through this view and only to whoever may see the
submission they belong to."""

from django.http import FileResponse, Http404, HttpRequest
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET

from mentorship.uploads import TEXT_EXTENSIONS

from .. import selectors
from ..models import SubmissionFile

IMAGE_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
}
PDF_TYPE = "application/pdf"
# Text and code (``TEXT_EXTENSIONS``): shown as plain text, whatever the language.
TEXT_TYPE = "text/plain; charset=utf-8"
DOWNLOAD_TYPE = "application/octet-stream"

# An inline document may show itself and nothing else: scripts, forms, plugins and
# navigation are off (sandbox, a unique origin); only the portal's own pages may frame
# it. PDFs get the same policy: Chromium's built-in viewer works in a sandboxed
# document (checked with Chromium 156, top level and in an <iframe>; see
# test_it_previews_a_pdf_in_the_browser), so nothing is loosened for them.
INLINE_POLICY = (
    "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; "
    "frame-ancestors 'self'"
)
DOWNLOAD_POLICY = "sandbox; default-src 'none'; frame-ancestors 'none'"


def preview_type(extension: str) -> str | None:
    """The Content-Type a file may be shown inline with, or None when it may only be
    downloaded."""
    extension = extension.lower()
    if extension in IMAGE_TYPES:
        return IMAGE_TYPES[extension]
    if extension == "pdf":
        return PDF_TYPE
    if extension in TEXT_EXTENSIONS:
        return TEXT_TYPE
    return None


@xframe_options_sameorigin
@require_GET
def submission_file(request: HttpRequest, pk: int) -> FileResponse:
    """Download a submitted file, or with ``?inline=1`` preview it.

    Why these headers: a student's upload is untrusted, and it is served from the
    portal's own origin, next to the session cookie.

    * Only images (png, jpeg, gif, webp), PDFs and text/code are ever inline. Text
      and code are always ``text/plain; charset=utf-8`` (never the type their
      extension suggests) so HTML, SVG or JavaScript is read, not run.
    * Everything else, and any file without ``?inline=1``, is
      ``Content-Disposition: attachment`` with the original (sanitised) name and a
      neutral type (``application/octet-stream`` unless it is previewable).
    * ``X-Content-Type-Options: nosniff`` so no browser guesses a more dangerous type.
    * Inline responses carry ``Content-Security-Policy: sandbox`` (no script, no forms,
      a unique origin) and ``default-src 'none'``, PDFs included: Chromium's viewer
      runs in a sandboxed document, so nothing needs loosening for it.
    * ``X-Frame-Options: SAMEORIGIN`` and ``frame-ancestors 'self'`` let the review page
      embed a preview in an ``<iframe>``/``<img>``; no other site can.
    * ``Cache-Control: private``: shared caches must not keep anyone's work.
    """
    submission_file = (
        SubmissionFile.objects.filter(
            pk=pk, submission__in=selectors.submissions_visible_to(request.user)
        )
        .only("file", "original_name", "size")
        .first()
    )
    if submission_file is None:
        raise Http404
    content_type = preview_type(submission_file.extension)
    inline = request.GET.get("inline") == "1" and content_type is not None
    try:
        handle = submission_file.file.storage.open(submission_file.file.name, "rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=submission_file.original_name,
        content_type=content_type or DOWNLOAD_TYPE,
    )
    response.headers["Content-Security-Policy"] = INLINE_POLICY if inline else DOWNLOAD_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True)
    patch_vary_headers(response, ["Cookie"])
    return response
