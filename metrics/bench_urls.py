"""The site's URLs and the pages benchmark's floor: a view that does nothing but what
every signed-in page does first (the middleware, the session, the user), so a page's
throughput can be read against it (``metrics.bench_pages``)."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(f"ok {request.user.pk}", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare), path("", include("mentorship.urls"))]
