from django.urls import path

from .views import analytics, development, home, reports

app_name = "metrics"

urlpatterns = [
    path("", home.home, name="home"),
    # Weekly reports
    path("reports/", reports.weekly_report_list, name="weekly_report_list"),
    path("reports/draft/", reports.weekly_report_draft_now, name="weekly_report_draft_now"),
    path("reports/<int:pk>/", reports.weekly_report_detail, name="weekly_report_detail"),
    path("reports/<int:pk>/refresh/", reports.weekly_report_refresh, name="weekly_report_refresh"),
    path("reports/<int:pk>/send/", reports.weekly_report_send, name="weekly_report_send"),
    # Self-development
    path("development/", development.development_list, name="development_list"),
    path("development/add/", development.development_add, name="development_add"),
    path(
        "development/<int:pk>/delete/", development.development_delete, name="development_delete"
    ),
    path(
        "development/<int:pk>/verify/", development.development_verify, name="development_verify"
    ),
    path(
        "development/<int:pk>/unverify/",
        development.development_unverify,
        name="development_unverify",
    ),
    # Programme analytics (staff)
    path(
        "programmes/analytics/",
        analytics.programme_analytics_list,
        name="programme_analytics_list",
    ),
    path(
        "programmes/<int:pk>/analytics/",
        analytics.programme_analytics,
        name="programme_analytics",
    ),
]
