"""The resident's request form and the "another time" form, with a message for every bad field."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from dispatch.clock import LOCAL_TZ, local_to_utc
from notifications.phone import InvalidPhone, parse_phone

# Parts of the day in local time, as residents think of them.
DAY_PARTS: dict[str, tuple[time, time, Any]] = {
    "morning": (time(7, 0), time(11, 0), _l("Morning (7:00 to 11:00)")),
    "noon": (time(11, 0), time(14, 0), _l("Midday (11:00 to 14:00)")),
    "afternoon": (time(14, 0), time(17, 0), _l("Afternoon (14:00 to 17:00)")),
    "evening": (time(17, 0), time(21, 0), _l("Evening (17:00 to 21:00)")),
}
DAYS_AHEAD = 7

PHONE_MESSAGES = {
    "empty": _l("Please enter your phone number."),
    "old_mobile": _l(
        "This 11-digit number was retired in 2018. Please enter the new 10-digit number."
    ),
    "foreign": _l("Please enter a Vietnamese mobile number."),
    "landline": _l("This looks like a landline. We reply by SMS: please enter a mobile number."),
}


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def phone_e164(raw: str) -> str:
    """The E.164 form, or ValidationError with a message a resident understands."""
    try:
        return parse_phone(raw).e164
    except InvalidPhone as error:
        default = _l("This is not a valid mobile number. Example: 0912 345 678.")
        raise ValidationError(str(PHONE_MESSAGES.get(error.reason, default))) from None


def _check_phone(_form: FlaskForm, field: StringField) -> None:
    phone_e164(field.data or "")


def upcoming_days(today: date) -> list[date]:
    return [today + timedelta(days=offset) for offset in range(DAYS_AHEAD)]


class TimeChoiceMixin:
    days = MultiCheckboxField(_l("Which days suit you?"), choices=[], validate_choice=True)
    parts = MultiCheckboxField(
        _l("Which part of the day?"),
        choices=[SelectChoice(key, label) for key, (_s, _e, label) in DAY_PARTS.items()],
        validate_choice=True,
    )

    def set_day_choices(self, today: date, day_label: Any) -> None:
        self.days.choices = [
            SelectChoice(d.isoformat(), day_label(d)) for d in upcoming_days(today)
        ]  # type: ignore[attr-defined]

    def windows(self, today: date) -> list[dict[str, str]]:
        """Preferred windows as ISO-8601 local times with offset; [] means any time."""
        chosen_days = [date.fromisoformat(d) for d in (self.days.data or [])]  # type: ignore[attr-defined]
        chosen_parts = list(self.parts.data or [])  # type: ignore[attr-defined]
        if not chosen_days and not chosen_parts:
            return []
        days = chosen_days or upcoming_days(today)
        spans = [DAY_PARTS[p][:2] for p in chosen_parts] or [(time(7, 0), time(21, 0))]
        windows = []
        for day in sorted(days):
            for start, end in sorted(spans):
                windows.append(
                    {
                        "start": _iso_local(local_to_utc(day, start)),
                        "end": _iso_local(local_to_utc(day, end)),
                    }
                )
        return windows


def _iso_local(instant: datetime) -> str:
    return instant.astimezone(LOCAL_TZ).isoformat(timespec="seconds")


class RequestForm(TimeChoiceMixin, FlaskForm):
    name = StringField(
        _l("Your name"),
        validators=[
            DataRequired(_l("Please enter your name.")),
            Length(max=120, message=_l("The name is too long (at most 120 letters).")),
        ],
    )
    phone = StringField(
        _l("Mobile phone number"),
        validators=[DataRequired(_l("Please enter your phone number.")), _check_phone],
    )
    commune = SelectField(
        _l("Commune"),
        choices=[],
        validators=[InputRequired(_l("Please choose your commune."))],
        validate_choice=False,  # checked against the database in the view
    )
    hamlet = SelectField(
        _l("Hamlet"),
        choices=[],
        validators=[InputRequired(_l("Please choose your hamlet."))],
        validate_choice=False,
    )
    kind = RadioField(
        _l("What do you need help with?"),
        choices=[],
        validators=[InputRequired(_l("Please choose what you need help with."))],
        validate_choice=False,
    )
    note = TextAreaField(
        _l("Anything else we should know? (optional)"),
        validators=[Length(max=500, message=_l("The note is too long (at most 500 letters)."))],
    )


class RescheduleForm(TimeChoiceMixin, FlaskForm):
    pass
