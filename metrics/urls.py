from django.urls import path

from .views import (
    analytics,
    consistency,
    dashboard,
    development,
    home,
    reports,
    scorecards,
    second_reading,
    surveys,
)

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
    path("team/sample/", dashboard.team_dashboard_sample, name="dashboard_sample"),
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
    # Supervisor's dashboard: second reading and review consistency
    path("team/second-reading/", second_reading.second_reading, name="second_reading"),
    path(
        "team/second-reading/<int:pk>/",
        second_reading.second_reading_review,
        name="second_reading_review",
    ),
    path(
        "team/second-reading/<int:pk>/rate/",
        second_reading.second_reading_rate,
        name="second_reading_rate",
    ),
    path("team/consistency/", consistency.review_consistency, name="review_consistency"),
    # Student surveys: the student answers theirs; supervisors and staff read the answers.
    path("surveys/<int:pk>/", surveys.survey_detail, name="survey"),
    path("team/surveys/", surveys.survey_comments, name="survey_comments"),
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
