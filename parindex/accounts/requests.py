"""Who is asking: the signed-in user of a request."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from parindex.accounts.models import User


def signed_in(request: HttpRequest) -> User:
    """The signed-in user of a view behind `login_required` (or an API behind its auth).

    Anything else is a 404, like every object the caller may not see.
    """
    user = request.user
    if not isinstance(user, User):
        raise Http404
    return user
