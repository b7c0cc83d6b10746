"""Out layer, whole database: the open failures a reviewer has to decide, refreshed after every run.

Operators see which reports fail which check without reading partitions one by one: the
materialization's metadata counts the queue and previews the reports with an open failure
(a failed check no current verdict covers), each linked to its page in the review app.
"""

import dagster as dg

from gaibao_pipeline.db import schema as db
from gaibao_pipeline.db import upgrade_schema
from gaibao_pipeline.db.review_queue import QueueFilter, review_queue
from gaibao_pipeline.orchestration.keys import table_key
from gaibao_pipeline.orchestration.resources import DatabaseResource, ReviewPagesResource

PREVIEW_ROWS = 50
GROUP = "out"


@dg.asset(
    group_name=GROUP,
    deps=[table_key(db.check_results), table_key(db.reviews)],
    code_version="1",
    kinds={"sql"},
)
def out_review_queue(database: DatabaseResource, review_pages: ReviewPagesResource) -> dg.MaterializeResult:  # type: ignore[type-arg]
    """Reports with open failures (failed checks no verdict covers yet), linked to the review app."""
    engine = database.engine()
    upgrade_schema(engine)
    page = review_queue(engine, QueueFilter(kind="failed", status="open"), page=1, per_page=PREVIEW_ROWS)
    schema = dg.TableSchema(
        columns=[
            dg.TableColumn("report_id", "string"),
            dg.TableColumn("agency", "string"),
            dg.TableColumn("year", "int"),
            dg.TableColumn("failed_checks", "string"),
            dg.TableColumn("open_failures", "int"),
            dg.TableColumn("review_app", "string"),
        ]
    )
    records = [
        dg.TableRecord(
            {
                "report_id": row.report_id,
                "agency": row.agency or "",
                "year": row.year or 0,
                "failed_checks": ", ".join(row.failed_checks),
                "open_failures": row.n_open,
                "review_app": review_pages.report_url(row.report_id),
            }
        )
        for row in page.reports
    ]
    return dg.MaterializeResult(
        metadata={
            "reports_with_open_failures": page.total,
            "reports_to_review": page.counts["all"],
            "reports_with_stale_decisions": page.counts["stale"],
            "preview": dg.MetadataValue.table(records, schema=schema),
            "review_app": dg.MetadataValue.url(review_pages.report_url("").removesuffix("/reports/")),
        }
    )
