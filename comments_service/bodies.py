"""The body of a write request (comments, edits, votes, reports, the preview): read as JSON or
a submitted form, its fields verified against an allow-list, a comment's text rendered, and each
refusal an APIError (400, 415) naming what to correct.

On SQLite a write request holds the one writer's turn from its first statement on, so views run
these before it (`checked_first`) and answer a refusal where their order of checks wants it.
"""

from typing import Any

from flask import current_app, request
from werkzeug.exceptions import HTTPException, UnsupportedMediaType

from .core.render import count_links, render
from .core.validation import COMMENT_FIELDS, InvalidInput, check_about_reference, verify
from .errors import APIError, is_form_post


def request_body(*, form_allowed: bool) -> Any:
    """The request body as a mapping: JSON always, a submitted form where `form_allowed`."""
    if request.mimetype == "application/json":
        try:
            data = request.get_json(silent=True)
        except RecursionError:  # silent=True covers decoding errors, not nesting 20,000 deep
            data = None
        if data is None:
            raise APIError(400, "bad_json", "The body is not valid JSON.")
        return data
    if form_allowed and is_form_post():
        return request.form.to_dict()
    raise UnsupportedMediaType()


def verified_fields(data: Any, allowed: frozenset[str] = COMMENT_FIELDS,
                    references: int = 0) -> dict[str, Any]:
    """The body's fields, clean (`references`: the article's count, bounding about_reference)."""
    try:
        fields = verify(data, allowed)
        check_about_reference(fields, references)
        return fields
    except InvalidInput as problem:
        raise APIError(400, "invalid", "Please correct the marked fields.", problem.fields) from None


def rendered_text(text: str) -> str:
    """The comment's HTML, or 400 past MAX_LINKS: for posts, edits and the preview alike."""
    max_links = current_app.config["MAX_LINKS"]
    if count_links(text) > max_links:
        message = f"may contain at most {max_links} links"
        raise APIError(400, "too_many_links", f"A comment {message}.", {"text": message})
    return render(text)


def checked_first(check, *args):
    """Run `check(*args)` now, before the request's first statement. The callable returned gives
    its result, or raises its refusal (APIError, HTTPException) at the point of the view that
    calls it, after the checks that answer first."""
    try:
        result = check(*args)
    except (APIError, HTTPException) as refusal:
        def refuse(refusal=refusal):
            raise refusal
        return refuse
    return lambda: result
