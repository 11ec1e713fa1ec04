import factory
from allauth.account.models import EmailAddress

from mentorship.models import (
    Assignment,
    Invitation,
    MentorProfile,
    Role,
    StudentProfile,
    User,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    display_name = factory.Faker("name")
    role = Role.STUDENT
    password = factory.PostGenerationMethodCall("set_password", "password")

    @factory.post_generation
    def verified_email(obj, create, extracted, **kwargs):
        if create:
            obj.save()
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class StudentFactory(UserFactory):
    role = Role.STUDENT
    email = factory.Sequence(lambda n: f"student{n}@example.test")
    student_profile = factory.RelatedFactory(
        "mentorship.tests.factories.StudentProfileFactory", factory_related_name="user"
    )


class StudentProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StudentProfile

    user = factory.SubFactory(UserFactory)
    goals = "Become a web developer"
    weekly_hours = 12


class SupervisorFactory(UserFactory):
    role = Role.SUPERVISOR
    email = factory.Sequence(lambda n: f"supervisor{n}@example.test")


class MentorFactory(UserFactory):
    role = Role.MENTOR
    email = factory.Sequence(lambda n: f"mentor{n}@example.test")
    mentor_profile = factory.RelatedFactory(
        "mentorship.tests.factories.MentorProfileFactory", factory_related_name="user"
    )


class MentorProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MentorProfile

    user = factory.SubFactory(UserFactory, role=Role.MENTOR)
    capacity = 10
    languages = ["en"]


class StaffFactory(UserFactory):
    role = Role.STAFF
    email = factory.Sequence(lambda n: f"staff{n}@example.test")


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    student = factory.SubFactory(StudentFactory)
    mentor = factory.SubFactory(MentorFactory)


class InvitationFactory(factory.django.DjangoModelFactory):
    """An invitation whose secret is ``token`` (only its hash is stored, as in the
    service); pass ``token=...`` to know the link."""

    class Meta:
        model = Invitation

    class Params:
        token = factory.Sequence(lambda n: f"invitation-token-{n}")

    email = factory.Sequence(lambda n: f"invitee{n}@example.test")
    display_name = factory.Faker("name")
    role = Role.STUDENT
    invited_by = factory.SubFactory(StaffFactory)
    token_hash = factory.LazyAttribute(lambda o: Invitation.hash_token(o.token))
