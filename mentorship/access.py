"""How "you may not" is said, once for every app.

Who may see an object is its app's ``<objects>_visible_to(user)`` selector; who may
change it is a ``may_<verb>_<object>`` rule beside it. A service that writes on
someone's behalf asks that rule itself (a view or an API endpoint having asked first
is no excuse) and, when the answer is no, raises ``NotAllowed``. Pages turn it into a
404 or a 403 in ``mentorship.middleware.NotAllowedMiddleware``, the API in
``mentorship.api_errors.exception_handler``; nothing else catches it.

``ValidationError`` stays for what the person may do but asked wrongly (bad input) or
at the wrong moment (already logged, resolved meanwhile): a 400, beside the field.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet


class NotAllowed(PermissionDenied):
    """This person may not do this. ``hidden``: they may not even see the object, so
    they are answered as if it did not exist (404), as every page answers outsiders;
    otherwise they see it and only the action is refused (403), ``message`` saying
    why. A PermissionDenied, so whatever does not know this class still answers 403."""

    def __init__(self, message: str = "", *, hidden: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.hidden = hidden

    @classmethod
    def unless_visible(cls, message: str, *, visible: QuerySet, pk: int) -> "NotAllowed":
        """Refused (403) to someone who may see the object (``visible`` is what their
        ``<objects>_visible_to`` gives them), hidden (404) from everyone else. Asked
        only once a write is refused: one query."""
        return cls(message, hidden=not visible.filter(pk=pk).exists())
