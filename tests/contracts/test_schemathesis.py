"""Schemathesis, from the OpenAPI document, against a live server on a copy of the demo
city, with an administrator's key: no server error, and every answer a status, media type
and body its operation documents. Bounded: a few examples per operation, the generated
requests of each in well under the time budget (the two runs take about a minute)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from app.access.service import create_key
from app.db import unit_of_work
from app.settings import Settings
from tests.conftest import LiveServer, ThrowawayDatabases, clone_database

ST = str(Path(sys.executable).parent / "st")
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
)
MAX_EXAMPLES = 12
MAX_SECONDS = 240


def test_schemathesis_finds_no_server_error_and_nothing_undocumented(
    demo_template: str, databases: ThrowawayDatabases, tmp_path: Path
) -> None:
    db_url = clone_database(demo_template, "nis_test_schemathesis", databases)
    with unit_of_work(db_url) as session:
        key = create_key(session, None, admin=True, label="schemathesis")
    settings = Settings(database_url=db_url, analysis_after_upload=False)
    with LiveServer(settings) as server:
        reads = _schemathesis(server.url, key, tmp_path, "--include-method", "GET")
        # Running an analysis (999 permutations a request) is not a parser's work.
        writes = _schemathesis(
            server.url, key, tmp_path,
            "--include-method", "POST", "--exclude-path", "/api/analysis/runs",
        )  # fmt: skip
    for run in (reads, writes):
        summary = run.stdout[run.stdout.find("SUMMARY") :]
        print(summary)  # operations, cases and failures, shown with -s
        assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-2000:]
        assert re.search(r"Tested: [1-9]", summary), summary
        assert re.search(r"\d+ generated, \d+ passed", summary), summary


def _schemathesis(
    url: str, key: str, cwd: Path, *selection: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            ST, "run", f"{url}/openapi.json",
            "--header", f"Authorization: Bearer {key}",
            "--checks", ",".join(CHECKS),
            "--phases", "examples,coverage,fuzzing",
            "--max-examples", str(MAX_EXAMPLES),
            "--continue-on-failure",
            "--request-timeout", "60",
            "--seed", "1",
            "--no-color",
            *selection,
        ],
        cwd=cwd, capture_output=True, text=True, timeout=MAX_SECONDS,
    )  # fmt: skip
