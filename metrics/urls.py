from django.urls import path

from .views import dashboard, development, home, reports, scorecards

app_name = "metrics"

urlpatterns = [
    path("", home.home, name="home"),
    # Weekly reports
    path("reports/", reports.weekly_report_list, name="weekly_report_list"),
    path("reports/draft/", reports.weekly_report_draft_now, name="weekly_report_draft_now"),
    path("reports/<int:pk>/", reports.weekly_report_detail, name="weekly_report_detail"),
    path("reports/<int:pk>/refresh/", reports.weekly_report_refresh, name="weekly_report_refresh"),
    path("reports/<int:pk>/send/", reports.weekly_report_send, name="weekly_report_send"),
    # Scorecards and the team dashboard
    path("scorecards/", scorecards.scorecard_mine, name="scorecard_mine"),
    path("scorecards/<int:mentor_pk>/", scorecards.scorecard, name="scorecard"),
    path(
        "scorecards/<int:mentor_pk>/<slug:metric_key>/",
        scorecards.scorecard_records,
        name="scorecard_records",
    ),
    path("team/", dashboard.team_dashboard, name="dashboard"),
    path("team/export.csv", dashboard.team_dashboard_csv, name="dashboard_csv"),
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
]
