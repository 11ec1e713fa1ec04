"""The site's URLs and the pages benchmark's two floors (``metrics.bench_pages``): a
view that does nothing but what every signed-in page does first (the middleware, the
session, the user), so a page's throughput can be read against it; and the site's
layout with nothing in it (navigation, notifications badge, messages, footer), what
every page costs before its own content."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import include, path


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(f"ok {request.user.pk}", content_type="text/plain")


def layout(request: HttpRequest) -> HttpResponse:
    return render(request, "base.html")


urlpatterns = [
    path("bench/bare/", bare),
    path("bench/layout/", layout),
    path("", include("mentorship.urls")),
]
