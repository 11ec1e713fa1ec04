"""``/api/v1/questions/``: students' questions as ``questions_visible_to`` shows them
(a private question: the asker, their mentor, the mentor's supervisor, staff; a public
one also the programme's students and mentors; everyone else 404). Enrolled students
ask; whoever ``may_answer_question`` answers and the asker follows up
(``POST .../answers/``); the asker accepts an answer (``POST .../accept/``). The
services check who may; their ``NotAllowed`` is a 403 (or 404), their
``ValidationError`` a 400 naming the field (``mentorship.api_errors``).

Topics are given and filtered by id, as programmes and projects are; each topic is
shown with its slug and name. An asker who hid their name is "A student" to other
students, without an id (``asker_hidden_from``)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from mentorship.api_filters import (
    IdField,
    IdRelatedField,
    MomentField,
    filtered,
    filtered_by_happened,
    filtered_by_mentor_then,
    period_lookups,
    yes_no_field,
)
from mentorship.models import ContentLanguage, User
from mentorship.text import render_markdown
from projects.models import Programme, Project

from ..models import Answer, Question, QuestionStatus, QuestionVisibility, Topic
from ..questions import (
    answer_accept,
    answer_count,
    answer_post,
    asker_hidden_from,
    asker_name_for,
    duplicate_target_for,
    may_ask_question,
    question_ask,
    questions_visible_to,
)
from ..search import search
from .common import (
    SearchablePagination,
    SearchFilterSerializer,
    TopicSerializer,
    search_page,
    search_score_field,
    search_snippet_field,
)

# The languages a question is asked in: those the search has a dictionary for.
QUESTION_LANGUAGES = [
    (ContentLanguage.ENGLISH.value, ContentLanguage.ENGLISH.label),
    (ContentLanguage.RUSSIAN.value, ContentLanguage.RUSSIAN.label),
]

# --- Serializers ----------------------------------------------------------------------


class AuthorSerializer(serializers.Serializer):
    """Who wrote a question or a post, as you may know them."""

    # Describes what ``author_as_seen_by`` returns. Not read-only: the schema lists a
    # read-only field as always present, and ``id`` is not.
    id = serializers.IntegerField(
        required=False, help_text=_("Absent when the asker hid their name from you.")
    )
    display_name = serializers.CharField()


def author_as_seen_by(reader: User, *, question: Question, author: User) -> dict:
    """Who wrote something on a question, as this reader may know them: the asker
    (their question, their follow-ups) by ``asker_name_for`` and without an id when
    hidden from the reader; everyone else by name."""
    if author.pk != question.author_id:
        return {"id": author.pk, "display_name": author.display_name}
    name = asker_name_for(reader, question=question)
    if asker_hidden_from(reader, question=question):
        return {"display_name": name}
    return {"id": author.pk, "display_name": name}


class AnswerSerializer(serializers.ModelSerializer):
    """One post in a question's thread: an answer, or the asker's follow-up."""

    author = serializers.SerializerMethodField()
    body_html = serializers.SerializerMethodField(
        help_text=_("The body rendered to HTML, sanitised.")
    )
    is_accepted = serializers.SerializerMethodField()

    class Meta:
        model = Answer
        fields = [
            "id",
            "author",
            "body",
            "body_html",
            "is_follow_up",
            "is_accepted",
            "created_at",
        ]
        read_only_fields = fields
        extra_kwargs = {"body": {"help_text": _("Markdown.")}}

    @extend_schema_field(AuthorSerializer)
    def get_author(self, answer: Answer) -> dict:
        return author_as_seen_by(
            self.context["request"].user, question=answer.question, author=answer.author
        )

    def get_body_html(self, answer: Answer) -> str:
        return render_markdown(answer.body)

    def get_is_accepted(self, answer: Answer) -> bool:
        return answer.question.accepted_answer_id == answer.pk


class QuestionSerializer(serializers.ModelSerializer):
    """A question in a list: what it is about and where it stands, without its text."""

    asker = serializers.SerializerMethodField()
    topics = TopicSerializer(many=True, read_only=True)
    answer_count = serializers.IntegerField(
        read_only=True, help_text=_("Answers, not counting the asker's follow-ups.")
    )
    score = search_score_field()
    snippet = search_snippet_field()

    class Meta:
        model = Question
        fields = [
            "id",
            "title",
            "asker",
            "programme",
            "project",
            "topics",
            "language",
            "visibility",
            "hide_name",
            "status",
            "answer_count",
            "accepted_answer",
            "created_at",
            "first_answered_at",
            "score",
            "snippet",
        ]
        read_only_fields = fields

    @extend_schema_field(AuthorSerializer)
    def get_asker(self, question: Question) -> dict:
        return author_as_seen_by(
            self.context["request"].user, question=question, author=question.author
        )


class QuestionDetailSerializer(QuestionSerializer):
    """A question with its text and its thread, oldest post first."""

    body_html = serializers.SerializerMethodField(
        help_text=_("The body rendered to HTML, sanitised.")
    )
    answers = AnswerSerializer(many=True, read_only=True)
    duplicate_of = serializers.SerializerMethodField(
        help_text=_("The question this one duplicates, when you may see it.")
    )

    class Meta(QuestionSerializer.Meta):
        fields = [
            *(name for name in QuestionSerializer.Meta.fields if name not in ("score", "snippet")),
            "body",
            "body_html",
            "duplicate_of",
            "answers",
        ]
        read_only_fields = fields
        extra_kwargs = {"body": {"help_text": _("Markdown.")}}

    def get_body_html(self, question: Question) -> str:
        return render_markdown(question.body)

    def get_duplicate_of(self, question: Question) -> int | None:
        original = duplicate_target_for(self.context["request"].user, question=question)
        return original.pk if original else None


class QuestionFilterSerializer(SearchFilterSerializer):
    status = serializers.ChoiceField(choices=QuestionStatus.choices, required=False)
    programme = IdField(help_text=_("A programme id."))
    project = IdField(help_text=_("A project id."))
    topic = IdField(help_text=_("A topic id."))
    visibility = serializers.ChoiceField(choices=QuestionVisibility.choices, required=False)
    mentor = IdField(
        help_text=_("A mentor's id: the questions asked while the asker was their student."),
    )
    asked_after = MomentField(
        required=False, help_text=_("Questions asked at or after this moment (inclusive).")
    )
    asked_before = MomentField(
        required=False, help_text=_("Questions asked before this moment (exclusive).")
    )
    answered = yes_no_field(
        _("true: questions someone has answered; false: those nobody has answered yet.")
    )


class QuestionAskSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=_("Markdown.")
    )
    programme = IdRelatedField(
        queryset=Programme.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text=_(
            "One of your programmes; needed only when you are in several and give no project."
        ),
    )
    project = IdRelatedField(
        queryset=Project.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("A project of your programme the question is about."),
    )
    topics = IdRelatedField(
        queryset=Topic.objects.all(),
        many=True,
        required=False,
        default=list,
        help_text=_("Topic ids."),
    )
    language = serializers.ChoiceField(
        choices=QUESTION_LANGUAGES,
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Guessed from the title and body when not given."),
    )
    visibility = serializers.ChoiceField(
        choices=QuestionVisibility.choices, default=QuestionVisibility.PRIVATE
    )
    hide_name = serializers.BooleanField(
        default=False,
        help_text=_("Hide your name from other students (public questions only)."),
    )


class AnswerPostSerializer(serializers.Serializer):
    body = serializers.CharField(help_text=_("Markdown."))


class QuestionAnswerField(IdRelatedField):
    """An answer in the thread of the question in the context."""

    def get_queryset(self):
        return self.context["question"].answers.all()


class AnswerAcceptSerializer(serializers.Serializer):
    answer = QuestionAnswerField(
        queryset=Answer.objects.none(), help_text=_("The id of an answer in this thread.")
    )


# --- Views ----------------------------------------------------------------------------


def _with_listing(questions: QuerySet[Question]) -> QuerySet[Question]:
    """What a list row shows, loaded: the asker, the topics, the answer count."""
    return (
        questions.select_related("author")
        .prefetch_related("topics")
        .annotate(answer_count=answer_count())
    )


def _with_thread(questions: QuerySet[Question]) -> QuerySet[Question]:
    """A list row and the thread with its authors."""
    return _with_listing(questions).prefetch_related(
        Prefetch("answers", queryset=Answer.objects.select_related("author"))
    )


class OnlyStudentsAsk(permissions.BasePermission):
    """Only enrolled students ask (``may_ask_question``): refused up front, before the
    input is read. Who may answer and accept is the services' to say."""

    message = _("Only students enrolled in a programme ask questions.")

    def has_permission(self, request, view) -> bool:
        return view.action != "create" or may_ask_question(request.user)


_NOT_VISIBLE = OpenApiResponse(description="Not a question you may see.")


@extend_schema_view(
    list=extend_schema(
        summary="Questions",
        description=(
            "The questions you may see: a student their own and the public questions of "
            "their programmes; a mentor their students' and the public questions of the "
            "programmes they teach; a supervisor their team's; staff all. Newest first, "
            "or best match first with `search`, each row then with its score and "
            "snippet (and a null `count`: pages are fetched by `page` alike). The "
            "filters only narrow that: with `mentor` and a period (`asked_after` "
            "inclusive, `asked_before` exclusive) they give the questions behind a "
            "mentor's scorecard figure."
        ),
        parameters=[QuestionFilterSerializer],
        responses={
            200: QuestionSerializer(many=True),
            400: OpenApiResponse(description="Bad filter, named by field."),
        },
    ),
    retrieve=extend_schema(
        summary="A question with its answers",
        responses={200: QuestionDetailSerializer, 404: _NOT_VISIBLE},
    ),
)
class QuestionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Question.objects.none()  # for the schema; get_queryset applies access
    serializer_class = QuestionSerializer
    pagination_class = SearchablePagination

    def get_permissions(self):
        return [*super().get_permissions(), OnlyStudentsAsk()]

    def get_serializer_class(self):
        return QuestionSerializer if self.action == "list" else QuestionDetailSerializer

    def get_queryset(self) -> QuerySet[Question]:
        questions = questions_visible_to(self.request.user)
        if self.action == "retrieve":
            return _with_thread(questions)
        return questions.select_related("author")

    def _detail(self, pk: int) -> dict:
        question = _with_thread(questions_visible_to(self.request.user)).get(pk=pk)
        return QuestionDetailSerializer(question, context=self.get_serializer_context()).data

    def list(self, request: Request) -> Response:
        filters = QuestionFilterSerializer(data=request.query_params, context={"request": request})
        filters.is_valid(raise_exception=True)
        wanted = filters.validated_data
        questions = filtered(
            questions_visible_to(request.user),
            wanted,
            {
                "status": "status",
                "programme": "programme_id",
                "project": "project_id",
                "topic": "topics",
                "visibility": "visibility",
                **period_lookups("asked", "created_at"),
            },
        )
        questions = filtered_by_happened(questions, wanted, {"answered": "first_answered_at"})
        questions = filtered_by_mentor_then(questions, wanted, student="author", at="created_at")
        query = wanted.get("search", "").strip()
        if query:
            return search_page(
                self,
                search=search,
                query=query,
                kind="question",
                candidates=questions,
                rows=_with_listing(questions),
            )
        page = self.paginate_queryset(_with_listing(questions).order_by("-created_at", "-pk"))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        summary="Ask a question (students)",
        description=(
            "Private by default (you, your mentor, their supervisor, staff), or public to "
            "your programme. The programme follows from the project, or is the one you are "
            "in. Your mentor is told."
        ),
        request=QuestionAskSerializer,
        responses={
            201: QuestionDetailSerializer,
            400: OpenApiResponse(description="Invalid input, named by field."),
            403: OpenApiResponse(description="Only students enrolled in a programme ask."),
        },
    )
    def create(self, request: Request) -> Response:
        form = QuestionAskSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        question = question_ask(author=request.user, **form.validated_data)
        return Response(self._detail(question.pk), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Answer a question, or follow up on yours",
        description=(
            "Mentors, supervisors and staff answer any question they see, students the "
            "public questions of their programme. The asker's post is a follow-up: it "
            "reopens the question. Not on a duplicate."
        ),
        request=AnswerPostSerializer,
        responses={
            201: AnswerSerializer,
            400: OpenApiResponse(description="Invalid input, named by field."),
            403: OpenApiResponse(description="You see the question but may not answer it."),
            404: _NOT_VISIBLE,
        },
    )
    @action(detail=True, methods=["post"])
    def answers(self, request: Request, pk=None) -> Response:
        question = self.get_object()
        form = AnswerPostSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        answer = answer_post(
            question=question, author=request.user, body=form.validated_data["body"]
        )
        data = AnswerSerializer(answer, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Accept an answer (the asker)",
        description="The question is solved; the answer's author is told.",
        request=AnswerAcceptSerializer,
        responses={
            200: QuestionDetailSerializer,
            400: OpenApiResponse(description="Not an answer someone else wrote in this thread."),
            403: OpenApiResponse(description="Only the student who asked accepts."),
            404: _NOT_VISIBLE,
        },
    )
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk=None) -> Response:
        question = self.get_object()
        form = AnswerAcceptSerializer(data=request.data, context={"question": question})
        form.is_valid(raise_exception=True)
        try:
            answer_accept(answer=form.validated_data["answer"], by=request.user)
        except DjangoValidationError as error:
            if hasattr(error, "error_dict"):
                raise
            # The service's one objection is about the answer chosen: say so beside it.
            raise serializers.ValidationError({"answer": error.messages}) from error
        return Response(self._detail(question.pk))
