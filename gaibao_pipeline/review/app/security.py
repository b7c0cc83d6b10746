"""Who may write, and forms that only this app's pages can submit.

- Reviewer: every write names its reviewer (checked by `db.reviews`).
- Token: when the app listens beyond this machine, or a token is configured, a write must
  present `GAIBAO_REVIEW_TOKEN`: the JSON API as `Authorization: Bearer <token>` (or
  `X-Review-Token`), a form in its `token` field. Beyond localhost without a configured
  token, every write is refused: the app is read-only rather than open to anyone.
- CSRF: a page sets a random cookie (HttpOnly, SameSite=Strict) and puts its HMAC under the
  app's secret in each form; a form post must carry both, so another site cannot post one.
  The JSON API takes `application/json` only, which a cross-site page cannot send without a
  CORS preflight that this app never grants.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from gaibao_pipeline.review.app.settings import TOKEN_ENV_VAR, ReviewSettings

CSRF_COOKIE = "gaibao_csrf"
CSRF_FIELD = "csrf_token"
REVIEWER_COOKIE = "gaibao_reviewer"


class Refused(Exception):
    """A write refused before it reached the database: HTTP `status` and why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def new_csrf_cookie() -> str:
    return secrets.token_hex(16)


def csrf_token(settings: ReviewSettings, cookie: str) -> str:
    """The token a form carries for this browser's cookie."""
    return hmac.new(settings.secret, cookie.encode(), hashlib.sha256).hexdigest()


def check_csrf(settings: ReviewSettings, cookie: str | None, token: object) -> None:
    if not cookie or not isinstance(token, str) or not token:
        raise Refused(403, "the form is missing its CSRF token: reload the page and submit it again")
    if not hmac.compare_digest(csrf_token(settings, cookie), token):
        raise Refused(403, "the form's CSRF token does not match: reload the page and submit it again")


def check_token(settings: ReviewSettings, presented: str | None) -> None:
    """Refuse a write without the configured token, where one is needed."""
    if not settings.writes_need_token:
        return
    if settings.token is None:
        raise Refused(
            403,
            f"this app listens on {settings.host}, beyond this machine, and no {TOKEN_ENV_VAR} is "
            "configured: it is read-only. Restart it with the variable set to allow reviewers to write.",
        )
    if not presented:
        raise Refused(401, "this app needs the review token for every write (GAIBAO_REVIEW_TOKEN)")
    if not hmac.compare_digest(presented.encode(), settings.token.encode()):
        raise Refused(403, "wrong review token")


def bearer_token(authorization: str | None, header_token: str | None) -> str | None:
    if authorization and authorization.lower().startswith("bearer "):
        return authorization[7:].strip() or None
    return header_token.strip() if header_token else None
