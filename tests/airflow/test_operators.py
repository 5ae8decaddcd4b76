"""The operators one by one, in DAGs of the tests' own, with ``dag.test()`` against the
sandbox child: one submission by its files (idempotent; ``resend=True`` sends again), the
sensor without deferring, downloading named sets, and the connection's forms."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

pytest.importorskip("airflow.sdk")  # see conftest: "airflow" alone may be this folder

from airflow_helpers import connection_json, copy_star, sandbox_jobs, set_folders, xcom

from runway_desktop.airflow.runtime import RunwaySettingsError, settings_from_connection

DAGS = Path(__file__).resolve().parent / "dags" / "runway_files.py"


def load_dags() -> ModuleType:
    spec = importlib.util.spec_from_file_location("runway_files", DAGS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_one_submission_by_its_files_then_resend(
    airflow_db: None, sandbox: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_RUNWAY_DEFAULT", connection_json(sandbox, tmp_path / "h"))
    copy_star(tmp_path / "drop")
    results = tmp_path / "results"
    conf = {"drop": str(tmp_path / "drop"), "folder": str(results)}
    before = {j["uid"] for j in sandbox_jobs(sandbox)}
    dags = load_dags()

    first = dags.runway_files.test(run_conf=conf)
    assert first.state == "success"
    new = [j for j in sandbox_jobs(sandbox) if j["uid"] not in before]
    assert len(new) == 1 and len(new[0]["runs"]) == 1
    job_uid = new[0]["uid"]
    assert xcom(first, "submit") == job_uid
    assert xcom(first, "submit", "job_uids") == [job_uid]
    assert xcom(first, "submit", "partner") == "acme"
    sets = new[0]["runs"][0]["outputSets"]
    assert sorted(xcom(first, "wait")) == sorted(sets)
    downloaded = set_folders(results)
    assert len(downloaded) == len(sets)

    # The same files again: the first job's uid, nothing sent, the named sets not fetched again.
    again = dags.runway_files.test(run_conf=conf)
    assert again.state == "success"
    assert {j["uid"] for j in sandbox_jobs(sandbox)} == before | {job_uid}
    assert xcom(again, "submit") == job_uid
    assert xcom(again, "download") == []
    assert set_folders(results) == downloaded

    # resend=True: a second job, started once, whose sets are downloaded beside the first's.
    resent = dags.runway_files_resend.test(run_conf=conf)
    assert resent.state == "success"
    newer = [j for j in sandbox_jobs(sandbox) if j["uid"] not in before | {job_uid}]
    assert len(newer) == 1 and len(newer[0]["runs"]) == 1
    assert xcom(resent, "submit") == newer[0]["uid"]
    assert len(set_folders(results)) == len(downloaded) + len(newer[0]["runs"][0]["outputSets"])


def test_connection_forms() -> None:
    # The URI form splits the URL: host, port and schema (the path) make it again.
    uri = settings_from_connection(
        "runway_default",
        host="api.example.org",
        port=8443,
        schema="api/v1",
        login="client",
        password="secret",
        extra={"token_url": "https://idp.example.org/token", "scopes": ["a", "b"]},
    )
    assert uri.profile.api_base_url == "https://api.example.org:8443/api/v1"
    assert uri.profile.name == "airflow:runway_default"
    assert uri.profile.scopes == "a b" and uri.data_dir is None
    assert uri.history_path.name == "history.sqlite3"
    assert "secret" not in repr(uri)
    with pytest.raises(RunwaySettingsError, match="unknown extra keys tokenurl"):
        settings_from_connection(
            "c", host="https://x.org", login="id", password="s", extra={"tokenurl": "u"}
        )
    with pytest.raises(RunwaySettingsError, match="no password"):
        settings_from_connection(
            "c",
            host="https://x.org/api/v1",
            login="id",
            password=None,
            extra={"token_url": "https://x.org/token"},
        )


def test_params_are_the_assessments_and_the_dags_are_left_out() -> None:
    from airflow.sdk import DAG, Param

    from runway_desktop.airflow import RunwaySubmitOperator

    with DAG("params_check", schedule=None, params={"drop": Param("", type="string")}):
        by_params = RunwaySubmitOperator(
            task_id="by_params", bundle="assessments/PSAT_SAT", tenant="d", school_year=2026,
            files={"INPUT_FILE": "/x.csv"}, params={"TEST_TYPE": "SAT"},
        )  # fmt: skip
        both = RunwaySubmitOperator(
            task_id="both", bundle="assessments/PSAT_SAT", tenant="d", school_year=2026,
            files={"INPUT_FILE": "/x.csv"}, params={"TEST_TYPE": "SAT", "extra": "1"},
            bundle_params={"TEST_TYPE": "PSAT"},
        )  # fmt: skip
    assert by_params.bundle_params == {"TEST_TYPE": "SAT"}
    assert "drop" in by_params.params  # Airflow's own params keep the DAG's
    assert both.bundle_params == {"TEST_TYPE": "PSAT", "extra": "1"}
