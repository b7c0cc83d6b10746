"""The review app (`gaibao serve`): the queue, a report beside its source, an agency's panel, decisions.

Pure: no Dagster. Decisions are stored by `db.reviews`; the queue and panel are read by
`db.review_queue` and `db.panel`.
"""

from gaibao_pipeline.review.app.factory import create_app
from gaibao_pipeline.review.app.settings import ReviewSettings

__all__ = ["ReviewSettings", "create_app"]
