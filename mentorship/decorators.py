from functools import wraps

from .access import NotAllowed


def role_required(*roles: str):
    """Let only people with one of ``roles`` in (login is already required by the
    middleware); others get 403 (``NotAllowed``, answered by the middleware). Object
    pages use selectors and answer 404 instead."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.user.role not in roles:
                raise NotAllowed
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
