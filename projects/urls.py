from django.urls import path

from .views import changes, curriculum, files, mentoring, reviews

app_name = "projects"

urlpatterns = [
    # Curriculum and the student's side of the loop
    path("programmes/", curriculum.programme_list, name="programmes"),
    path("programmes/<slug:slug>/", curriculum.programme_detail, name="programme"),
    path("programmes/<slug:slug>/changes/", changes.programme_changes, name="programme_changes"),
    path(
        "programmes/<slug:slug>/changes/read/",
        changes.changes_read_all,
        name="programme_changes_read_all",
    ),
    path(
        "programmes/<slug:slug>/changes/<int:pk>/read/",
        changes.change_set_read,
        name="programme_change_set_read",
    ),
    path("projects/<int:pk>/", curriculum.project_detail, name="project"),
    path("projects/<int:pk>/submit/", curriculum.submission_create, name="submit"),
    path("submissions/<int:pk>/", curriculum.submission_detail, name="submission"),
    path("submissions/<int:pk>/difficulty/", curriculum.difficulty_rate, name="rate"),
    path("submissions/files/<int:pk>/", files.submission_file, name="file"),
    # The reviewer's side
    path("reviews/", reviews.review_queue, name="queue"),
    path("reviews/<int:pk>/", reviews.review_page, name="review"),
    path("reviews/<int:pk>/claim/", reviews.claim, name="claim"),
    path("reviews/<int:pk>/release/", reviews.release, name="release"),
    path("reviews/<int:pk>/draft/", reviews.draft_save, name="draft"),
    path("reviews/<int:pk>/submit/", reviews.review_submit, name="review_submit"),
    path("reviews/<int:pk>/reassign/", reviews.reassign, name="reassign"),
    path("projects/<int:pk>/notes/", reviews.note_create, name="note_create"),
    path("notes/<int:pk>/use/", reviews.note_use, name="note_use"),
    # Recommendations (mentor to student)
    path("recommendations/", mentoring.recommendation_list, name="recommendations"),
    path(
        "recommendations/new/",
        mentoring.recommendation_create,
        name="recommendation_create",
    ),
    path(
        "recommendations/<int:pk>/",
        mentoring.recommendation_detail,
        name="recommendation",
    ),
    path(
        "recommendations/<int:pk>/answer/",
        mentoring.recommendation_answer,
        name="recommendation_answer",
    ),
]
