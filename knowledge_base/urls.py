from django.urls import path

from .views import articles, cases, patterns, proposals, questions, search

app_name = "knowledge_base"

urlpatterns = [
    # Case discussions (mentors among themselves)
    path("cases/", cases.case_list, name="case_list"),
    path("cases/new/", cases.case_open, name="case_open"),
    path("cases/<int:pk>/", cases.case_detail, name="case_detail"),
    path("cases/<int:pk>/reply/", cases.case_reply, name="case_reply"),
    path("cases/<int:pk>/resolve/", cases.case_resolve, name="case_resolve"),
    # Question patterns (mentors, supervisors, staff)
    path("questions/patterns/", patterns.pattern_overview, name="patterns"),
    # Improvement proposals (a mentor to the school)
    path("proposals/", proposals.proposal_list, name="proposals"),
    path("proposals/new/", proposals.proposal_create, name="proposal_create"),
    path("proposals/<int:pk>/", proposals.proposal_detail, name="proposal"),
    path("proposals/<int:pk>/update/", proposals.proposal_update, name="proposal_update"),
    # Articles ("cases" of the knowledge base)
    path("kb/", articles.article_list, name="article_list"),
    path("kb/new/", articles.article_create, name="article_create"),
    path("kb/<int:pk>/", articles.article_detail, name="article_detail"),
    path("kb/<int:pk>/edit/", articles.article_edit, name="article_edit"),
    path("kb/<int:pk>/publish/", articles.article_publish, name="article_publish"),
    path("kb/<int:pk>/archive/", articles.article_archive, name="article_archive"),
    path("kb/<int:pk>/history/", articles.article_history, name="article_history"),
    path("kb/<int:pk>/helped/", articles.article_helped, name="article_helped"),
    path(
        "questions/<int:pk>/to-article/",
        articles.article_from_question,
        name="article_from_question",
    ),
    # Students' questions and their answers
    path("questions/", questions.question_list, name="question_list"),
    path("questions/queue/", questions.question_queue, name="question_queue"),
    path("questions/ask/", questions.question_ask, name="question_ask"),
    path("questions/suggest/", questions.question_suggest, name="question_suggest"),
    path("questions/solved/", questions.question_solved, name="question_solved"),
    path("questions/<int:pk>/", questions.question_detail, name="question"),
    path("questions/<int:pk>/answer/", questions.question_answer, name="question_answer"),
    path(
        "questions/<int:pk>/answers/<int:answer_pk>/accept/",
        questions.answer_accept,
        name="answer_accept",
    ),
    path("questions/<int:pk>/duplicate/", questions.question_duplicate, name="question_duplicate"),
    path(
        "questions/<int:pk>/duplicate/search/",
        questions.question_duplicate_search,
        name="question_duplicate_search",
    ),
    # Search across articles and questions
    path("search/", search.search, name="search"),
]
