"""The review app's JSON API and form posts, on SQLite and PostgreSQL: every endpoint, refused writes
(no reviewer, wrong or missing token, bad cell or check, missing CSRF token, wrong content type)
answered with a clear error and nothing written; the app listening beyond localhost needs a token.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.review.conftest import HONGZE, make_client

VERDICT = {"check_id": "t4.block_total", "row": "review", "verdict": "source_error", "note": "printed so"}
CORRECTION = {"table": "t4", "row": "review", "col": "total", "value": 11, "reason": "10 + 1"}


def _count(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar_one())


def _nothing_written(engine: Engine) -> bool:
    return _count(engine, "reviews") == 0 and _count(engine, "corrections") == 0


def test_list_reports_with_failed_checks(client: TestClient) -> None:
    body = client.get("/api/reports", params={"failed": "true"}).json()
    assert body["total"] == 2 and body["page"] == 1
    hongze = next(r for r in body["reports"] if r["report_id"] == HONGZE)
    assert (hongze["agency"], hongze["year"]) == ("淮安市洪泽区人民政府", 2023)
    assert hongze["failed_checks"] == ["t4.block_total", "report.timely"]
    assert hongze["open_failures"] == 3 and hongze["url"] == f"/reports/{HONGZE}"
    assert client.get("/api/reports", params={"year": 2023}).json()["total"] == 1
    assert client.get("/api/reports", params={"check": "t3.balance"}).json()["total"] == 0
    refused = client.get("/api/reports", params={"status": "nonsense"})
    assert refused.status_code == 422 and "status must be one of" in refused.json()["error"]


def test_get_one_report(client: TestClient) -> None:
    body = client.get(f"/api/reports/{HONGZE}").json()
    assert {c["id"] for c in body["checks"]} == {"t4.block_total", "report.timely", "t3.row_total"}
    assert body["verdicts"] == [] and body["corrections"] == []
    missing = client.get("/api/reports/rnothing")
    assert missing.status_code == 404 and "no report" in missing.json()["error"]


def test_verdict_and_correction_are_recorded(client: TestClient, loaded_db: Engine) -> None:
    verdict = client.post(f"/api/reports/{HONGZE}/verdicts", json={**VERDICT, "reviewer": "王审"})
    assert verdict.status_code == 201, verdict.text
    assert verdict.json()["verdict"] == "source_error" and verdict.json()["reviewer"] == "王审"
    correction = client.post(f"/api/reports/{HONGZE}/corrections", json={**CORRECTION, "reviewer": "王审"})
    assert correction.status_code == 201, correction.text
    assert correction.json()["value"] == 11
    body = client.get(f"/api/reports/{HONGZE}").json()
    assert [v["verdict"] for v in body["verdicts"]] == ["source_error"]
    assert [c["value"] for c in body["corrections"]] == [11]
    decided = client.get("/api/reports", params={"status": "source_error"}).json()
    assert [r["report_id"] for r in decided["reports"]] == [HONGZE]
    assert decided["reports"][0]["verdicts"] == {"source_error": 1}


@pytest.mark.parametrize(
    ("path", "body", "status", "message"),
    [
        # no reviewer name
        ("verdicts", VERDICT, 422, "reviewer is required"),
        # a verdict that does not exist
        ("verdicts", {**VERDICT, "verdict": "wrong", "reviewer": "a"}, 422, "verdict must be one of"),
        # a check the report passed
        (
            "verdicts",
            {**VERDICT, "check_id": "t3.balance", "reviewer": "a"},
            422,
            "no failed or not evaluable",
        ),
        # a cell the report does not have
        ("corrections", {**CORRECTION, "row": "nope", "reviewer": "a"}, 422, "has no cell t4 nope total"),
        # a value that is no number
        ("corrections", {**CORRECTION, "value": "ten", "reviewer": "a"}, 422, "must be a number"),
        # no reason
        ("corrections", {**CORRECTION, "reason": " ", "reviewer": "a"}, 422, "reason is required"),
    ],
)
def test_refused_writes_say_why_and_write_nothing(
    client: TestClient, loaded_db: Engine, path: str, body: dict[str, Any], status: int, message: str
) -> None:
    answer = client.post(f"/api/reports/{HONGZE}/{path}", json=body)
    assert answer.status_code == status and message in answer.json()["error"]
    assert _nothing_written(loaded_db)


def test_writes_to_a_missing_report_are_not_found(client: TestClient, loaded_db: Engine) -> None:
    answer = client.post("/api/reports/rnothing/verdicts", json={**VERDICT, "reviewer": "a"})
    assert answer.status_code == 404 and "no report" in answer.json()["error"]
    assert _nothing_written(loaded_db)


@pytest.mark.parametrize(
    ("content", "headers", "status", "message"),
    [
        # a body that is not JSON
        (b"{not json", {"content-type": "application/json"}, 400, "not valid JSON"),
        # JSON that is not an object
        (b"[1, 2]", {"content-type": "application/json"}, 400, "JSON object"),
        # text/plain: what a cross-site page can send without a preflight
        (b'{"reviewer": "a"}', {"content-type": "text/plain"}, 415, "application/json"),
        # a form without its CSRF token (another site's form)
        (b"check_id=t4.block_total&verdict=confirmed&reviewer=a",
         {"content-type": "application/x-www-form-urlencoded"}, 403, "CSRF"),
    ],
)  # fmt: skip
def test_bodies_other_than_json_or_the_apps_form_are_refused(
    client: TestClient, loaded_db: Engine, content: bytes, headers: dict[str, str], status: int, message: str
) -> None:
    answer = client.post(f"/api/reports/{HONGZE}/verdicts", content=content, headers=headers)
    assert answer.status_code == status and message in answer.text
    assert _nothing_written(loaded_db)


def _form_token(client: TestClient, report_id: str) -> str:
    page = client.get(f"/reports/{report_id}")
    match = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text)
    assert match, "the report page carries a CSRF token"
    return match.group(1)


def test_the_report_pages_form_posts_and_returns_to_the_page(client: TestClient, loaded_db: Engine) -> None:
    token = _form_token(client, HONGZE)
    form = {"csrf_token": token, "reviewer": "张三", **{k: str(v) for k, v in CORRECTION.items()}}
    answer = client.post(f"/api/reports/{HONGZE}/corrections", data=form, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/reports/{HONGZE}?table=t4&row=review&col=total#source"
    assert _count(loaded_db, "corrections") == 1
    page = client.get(answer.headers["location"])
    assert 'value="张三"' in page.text  # the reviewer is remembered for the next form
    # a forged token is refused, with nothing written
    forged = client.post(f"/api/reports/{HONGZE}/verdicts", data={**form, "csrf_token": "0" * 64, **VERDICT})
    assert forged.status_code == 403 and "CSRF" in forged.text
    assert _count(loaded_db, "reviews") == 0


def test_a_configured_token_is_needed_for_every_write(db_url: str, landing: Path, loaded_db: Engine) -> None:
    with make_client(db_url, landing, token="s3cret") as client:
        body = {**VERDICT, "reviewer": "a"}
        missing = client.post(f"/api/reports/{HONGZE}/verdicts", json=body)
        assert missing.status_code == 401 and "review token" in missing.json()["error"]
        wrong = client.post(
            f"/api/reports/{HONGZE}/verdicts", json=body, headers={"authorization": "Bearer x"}
        )
        assert wrong.status_code == 403 and wrong.json()["error"] == "wrong review token"
        assert _nothing_written(loaded_db)
        right = client.post(
            f"/api/reports/{HONGZE}/verdicts", json=body, headers={"authorization": "Bearer s3cret"}
        )
        assert right.status_code == 201
        # the form has a token field; a wrong one is refused as well
        token = _form_token(client, HONGZE)
        assert 'name="token"' in client.get(f"/reports/{HONGZE}").text
        form = {
            "csrf_token": token,
            "reviewer": "a",
            "token": "nope",
            **{k: str(v) for k, v in CORRECTION.items()},
        }
        refused = client.post(f"/api/reports/{HONGZE}/corrections", data=form)
        assert refused.status_code == 403 and "wrong review token" in refused.text
        assert _count(loaded_db, "corrections") == 0


def test_beyond_localhost_without_a_token_the_app_is_read_only(
    db_url: str, landing: Path, loaded_db: Engine
) -> None:
    with make_client(db_url, landing, host="0.0.0.0") as client:
        assert client.get("/queue").status_code == 200
        assert "read-only" in client.get(f"/reports/{HONGZE}").text
        answer = client.post(f"/api/reports/{HONGZE}/verdicts", json={**VERDICT, "reviewer": "a"})
        assert answer.status_code == 403 and "GAIBAO_REVIEW_TOKEN" in answer.json()["error"]
        assert _nothing_written(loaded_db)


def test_on_localhost_other_host_names_are_refused(client: TestClient) -> None:
    """DNS rebinding: a page of another site resolving its name to 127.0.0.1 gets nothing."""
    assert client.get("/queue", headers={"host": "attacker.example"}).status_code == 400
    assert client.get("/queue", headers={"host": "localhost:8000"}).status_code == 200


def test_security_headers(client: TestClient) -> None:
    headers = client.get("/queue").headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "DENY"
