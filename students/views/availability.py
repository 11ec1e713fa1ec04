"""A mentor's weekly availability and blocked dates; a student booking a free time."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mentorship.decorators import role_required
from mentorship.models import Role

from .. import availability as rules
from ..forms import (
    AvailabilityBlockForm,
    AvailabilitySlotForm,
    BookingWeeksForm,
    SessionBookingForm,
)
from ..sessions import mentor_default_call_url


def _render_availability(
    request: HttpRequest,
    *,
    slot_form: AvailabilitySlotForm | None = None,
    block_form: AvailabilityBlockForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The mentor's page: their weekly slots, blocked dates, default call link, and the
    free times their students see over the next weeks (on the mentor's clock)."""
    mentor = request.user
    start, end = rules.booking_window(weeks=rules.BOOKING_WEEKS)
    upcoming = rules.free_slots(mentor=mentor, start=start, end=end)
    return render(
        request,
        "students/session_availability.html",
        {
            "slots": rules.availability_slots_of(mentor),
            "blocks": rules.availability_blocks_of(mentor),
            "slot_form": slot_form or AvailabilitySlotForm(),
            "block_form": block_form or AvailabilityBlockForm(),
            "call_url": mentor_default_call_url(mentor),
            "upcoming_by_day": rules.slots_by_day(upcoming, mentor.zone),
            "upcoming_weeks": rules.BOOKING_WEEKS,
        },
        status=status,
    )


@role_required(Role.MENTOR)
@require_GET
def availability(request: HttpRequest) -> HttpResponse:
    return _render_availability(request)


@role_required(Role.MENTOR)
@require_POST
def availability_slot_add(request: HttpRequest) -> HttpResponse:
    form = AvailabilitySlotForm(request.POST)
    if form.is_valid():
        try:
            rules.availability_slot_add(mentor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request, _("The weekly slot is published; your students can book it.")
            )
            return redirect("students:session_availability")
    return _render_availability(request, slot_form=form, status=400)


@role_required(Role.MENTOR)
@require_POST
def availability_slot_remove(request: HttpRequest, pk: int) -> HttpResponse:
    slot = rules.availability_slot_for_user(request.user, pk)
    rules.availability_slot_remove(slot=slot, mentor=request.user)
    messages.success(request, _("The weekly slot is removed; sessions already booked stay."))
    return redirect("students:session_availability")


@role_required(Role.MENTOR)
@require_POST
def availability_block_add(request: HttpRequest) -> HttpResponse:
    form = AvailabilityBlockForm(request.POST)
    if form.is_valid():
        try:
            rules.availability_block_add(mentor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("The dates are blocked out; sessions already booked on them stay."),
            )
            return redirect("students:session_availability")
    return _render_availability(request, block_form=form, status=400)


@role_required(Role.MENTOR)
@require_POST
def availability_block_remove(request: HttpRequest, pk: int) -> HttpResponse:
    block = rules.availability_block_for_user(request.user, pk)
    rules.availability_block_remove(block=block, mentor=request.user)
    messages.success(request, _("The dates are open again."))
    return redirect("students:session_availability")


@role_required(Role.STUDENT)
@require_http_methods(["GET", "POST"])
def session_book(request: HttpRequest) -> HttpResponse:
    """A student picks one of their mentor's free times, shown by day in the student's
    time zone; a time taken meanwhile is said beside the list, the agenda kept."""
    weeks = BookingWeeksForm(request.GET).weeks_or_default()
    options = rules.booking_options(student=request.user, weeks=weeks)
    form = SessionBookingForm(
        request.POST if request.method == "POST" else None, slots=options.slots
    )
    if request.method == "POST" and form.is_valid():
        try:
            session = rules.session_book(student=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The session is booked; your mentor is told."))
            return redirect("students:session_detail", pk=session.pk)
    return render(
        request,
        "students/session_book.html",
        {
            "form": form,
            "mentor": options.mentor,
            "days": rules.slots_by_day(options.slots, request.user.zone),
            "weeks": options.weeks,
            "more_weeks": options.weeks < rules.BOOKING_WEEKS_MAX
            and min(options.weeks + rules.BOOKING_WEEKS, rules.BOOKING_WEEKS_MAX),
            "chosen": form["scheduled_at"].value() if form.is_bound else None,
        },
        status=400 if form.errors else 200,
    )
