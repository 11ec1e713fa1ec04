"""The metrics' API, one module per resource: ``analytics`` (a programme's analytics,
for staff). The root URLconf includes this package."""

from django.urls import path

from . import analytics

urlpatterns = [
    path(
        "programmes/<int:id>/analytics/",
        analytics.programme_analytics,
        name="programme-analytics",
    ),
]
