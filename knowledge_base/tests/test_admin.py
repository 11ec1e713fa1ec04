"""The knowledge base in the admin: staff open every question, article and topic, and
read an article's history of edits."""

from django.urls import reverse
from django.utils import timezone

from knowledge_base.models import Answer, Article, Question, Topic
from projects.tests.factories import EnrolmentFactory


def test_staff_open_a_question_an_article_its_history_and_a_topic(client, as_user, student):
    staff = as_user("staff")
    enrolment = EnrolmentFactory(student=student)
    question = Question.objects.create(
        author=student, programme=enrolment.programme, title="How do I read a CSV?"
    )
    Answer.objects.create(question=question, author=staff, body="With `csv.reader`.")
    topic = Topic.objects.create(name="Files", slug="files")
    article = Article(title="Reading CSV files", body="Use `csv.DictReader`.")
    article._history_user = staff
    article.save()
    article.title = "Reading CSV files in Python"
    article.save()

    pages = [
        reverse("admin:knowledge_base_question_change", args=[question.pk]),
        reverse("admin:knowledge_base_article_change", args=[article.pk]),
        reverse("admin:knowledge_base_article_history", args=[article.pk]),
        reverse("admin:knowledge_base_topic_change", args=[topic.pk]),
    ]
    for url in pages:
        assert client.get(url).status_code == 200, url
    history = client.get(pages[2]).content.decode()
    assert history.count(str(staff)) >= 2
    assert article.history.count() == 2
    assert article.history.first().history_user == staff
    assert article.history.last().title == "Reading CSV files"
    assert timezone.now() >= article.history.first().history_date
