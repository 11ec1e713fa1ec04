"""Messages kept untranslated and rendered in the reader's language when read: what a
notification stores (mentorship.notifications) so a person who switches language reads
their existing notifications in the new one.

A *message* is the English msgid of a string from the code as plain JSON, ``{"msgid":
..., "plural": ..., "number": "count", "context": ...}`` (only the keys it needs). The
code still writes ``gettext_lazy``/``ngettext_lazy``/``pgettext_lazy``/
``npgettext_lazy``, which ``makemessages`` extracts; ``message_from_lazy`` turns one
into a message. A message is rendered with ``message_render(message, params)`` in the
active language.

*Params* are JSON too. Most are plain values (a name, a count, what someone typed);
those that are themselves translatable are stored so they can be rendered in the
reader's language:

- ``choice_param(Model, "field", value)``: a code rendered through the field's choices
  label (a status);
- ``translated_param(obj, "field")``: a content field in each language the site speaks
  (modeltranslation's ``<field>_<language>`` columns when the model has them, else the
  one text), shown in the reader's language with a fallback to the others;
- ``date_param(day, format)``, ``moment_param(moment, zone)``: a day or a moment,
  formatted in the reader's language (a moment on the clock of the zone given);
- ``number_param(value, decimals)``: a number with the reader's separators;
- ``message_param(lazy, params)``: a message within a message (the week of a report);
- ``lines_param([...])``: params rendered one per line (a digest's lines).
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.apps import apps
from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext, npgettext, pgettext

# --- From the code's lazy strings -----------------------------------------------------


def message_from_lazy(lazy) -> dict:
    """The message of a lazy translatable string: its msgid, and for plurals the plural
    msgid and the name of the parameter that carries the number, and its context.

    Django gives no public accessor for what a lazy string was made of, so this reads
    it through the pickling protocol (``__reduce__``), which Django keeps for these
    objects (lazy strings are pickled with forms and in caches): the function and the
    arguments it will call. This is the only place that does; its tests cover each
    kind (mentorship/tests/test_messages.py), so a Django upgrade that changes it
    fails there, not in a notification."""
    if not isinstance(lazy, Promise):
        raise TypeError("A message is made from a lazy translatable string.")
    reduced = lazy.__reduce__()
    arguments = reduced[1]
    if len(arguments) == 4 and not isinstance(arguments[1], tuple):
        # ngettext_lazy / npgettext_lazy with a named number:
        # (function, result class, the number's name, the keyword arguments).
        function, _result_class, number, kwargs = arguments
    else:
        # Any other lazy: (function, args, kwargs, *result classes).
        function, args, kwargs = arguments[0], arguments[1], arguments[2]
        number = kwargs.get("number")
        if args:
            names = {
                gettext: ("msgid",),
                pgettext: ("context", "msgid"),
                ngettext: ("singular", "plural", "number"),
                npgettext: ("context", "singular", "plural", "number"),
            }.get(function)
            if names is None:
                raise TypeError(f"Not a translatable string of the code: {function!r}")
            kwargs = dict(zip(names, args, strict=False)) | kwargs
            number = kwargs.get("number")
    if function in (gettext, pgettext):
        message = {"msgid": kwargs.get("msgid", kwargs.get("message"))}
    elif function in (ngettext, npgettext):
        if not isinstance(number, str):
            raise TypeError(
                "A plural message names the parameter that carries its number "
                '(ngettext_lazy(singular, plural, "count")).'
            )
        message = {"msgid": kwargs["singular"], "plural": kwargs["plural"], "number": number}
    else:
        raise TypeError(f"Not a translatable string of the code: {function!r}")
    if function in (pgettext, npgettext):
        message["context"] = kwargs["context"]
    return message


# --- Params that are translatable themselves ------------------------------------------


def choice_param(model, field_name: str, value) -> dict:
    """A code shown through the choices label of ``model.field_name``."""
    return {"choice": model._meta.label + "." + field_name, "value": value}


def translated_param(obj, field_name: str) -> dict:
    """A content field in every language the site speaks. With django-modeltranslation
    the model has a column per language (``title_en``, ``title_ru``); without it the one
    text stands for all."""
    texts = {}
    for code, _name in settings.LANGUAGES:
        text = getattr(obj, f"{field_name}_{code.replace('-', '_')}", None)
        if text:
            texts[code] = str(text)
    if not texts:
        texts[settings.LANGUAGE_CODE] = str(getattr(obj, field_name) or "")
    return {"i18n": texts}


def date_param(day: date, format_name: str = "DATE_FORMAT") -> dict:
    return {"date": day.isoformat(), "format": format_name}


def moment_param(moment: datetime, zone) -> dict:
    """A moment as read on the clock of ``zone`` (a ZoneInfo), with the zone's name."""
    return {"moment": moment.isoformat(), "zone": str(zone)}


def number_param(value, decimals: int | None = None) -> dict:
    return {"number": float(value), "decimals": decimals}


def message_param(lazy, params: dict | None = None) -> dict:
    return {"message": message_from_lazy(lazy), "params": params or {}}


def lines_param(items: list) -> dict:
    return {"lines": list(items)}


# --- Rendering in the active language -------------------------------------------------


def message_render(message: dict, params: dict | None = None) -> str:
    """The message in the active language, filled with its params (each rendered in
    the active language too)."""
    context = message.get("context")
    if "plural" in message:
        count = (params or {})[message["number"]]
        if context:
            text = npgettext(context, message["msgid"], message["plural"], count)
        else:
            text = ngettext(message["msgid"], message["plural"], count)
    else:
        text = pgettext(context, message["msgid"]) if context else gettext(message["msgid"])
    if not params:
        return text
    return text % {name: param_render(value) for name, value in params.items()}


def param_render(value):
    """One param in the active language; plain values as they are."""
    if not isinstance(value, dict):
        return value
    if "choice" in value:
        model_label, field_name = value["choice"].rsplit(".", 1)
        field = apps.get_model(model_label)._meta.get_field(field_name)
        return str(dict(field.flatchoices).get(value["value"], value["value"]))
    if "i18n" in value:
        texts = value["i18n"]
        language = translation.get_language() or settings.LANGUAGE_CODE
        for code in (language, language.split("-")[0], settings.LANGUAGE_CODE):
            if texts.get(code):
                return texts[code]
        return next(iter(texts.values()), "")
    if "date" in value:
        return formats.date_format(date.fromisoformat(value["date"]), value["format"])
    if "moment" in value:
        moment = timezone.localtime(
            datetime.fromisoformat(value["moment"]), ZoneInfo(value["zone"])
        )
        return f"{formats.date_format(moment, 'DATETIME_FORMAT')} ({value['zone']})"
    if "number" in value:
        return formats.number_format(value["number"], value.get("decimals"))
    if "message" in value:
        return message_render(value["message"], value.get("params"))
    if "lines" in value:
        return "\n".join(str(param_render(line)) for line in value["lines"])
    return value
