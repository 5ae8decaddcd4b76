"""The example DAG (submit → wait → download) run with ``dag.test()`` against the sandbox,
started as a child process (``python -m runway_desktop.sandbox --data-dir X``, the app's own
``PracticeServer``). The sandbox's ``GET <control_url>/state`` is the witness of what Runway
received: one job, started once, however often the DAG runs."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

pytest.importorskip("airflow.sdk")  # see conftest: "airflow" alone may be this folder

from airflow.sdk import DAG
from airflow_helpers import STAR, connection_json, copy_star, sandbox_jobs, set_folders, xcom

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "airflow" / "runway_nightly.py"


def load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("runway_nightly", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_plan(folder: Path, plan: Path) -> None:
    """STAR's three practice files for district-a, 2023–24, as `batch plan` would list them."""
    copy_star(folder)
    files = "\n".join(f'{slot} = "{name}"' for slot, name in STAR.items())
    plan.write_text(
        f'version = 1\nfolder = "{folder}"\npartner = "acme"\n\n'
        '[[item]]\nbundle = "assessments/STAR"\ntenant = "district-a"\nyear = "2024"\n'
        f"[item.files]\n{files}\n",
        encoding="utf-8",
    )


def test_nightly_dag_sends_once_waits_and_downloads_once(
    airflow_db: None,
    sandbox: dict[str, Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_RUNWAY_DEFAULT", connection_json(sandbox, tmp_path / "runway"))
    plan, results = tmp_path / "plan.toml", tmp_path / "results"
    write_plan(tmp_path / "drop", plan)
    dag: DAG = load_example().dag
    for task in dag.tasks:
        task.retries = 0  # a failure shows at once, not after the example's 5-minute retry delay
    conf = {"plan": str(plan), "folder": str(results)}

    first = dag.test(run_conf=conf)
    assert first.state == "success"
    assert "running trigger in line" in caplog.text  # the sensor deferred: no slot held
    jobs = sandbox_jobs(sandbox)
    assert len(jobs) == 1, jobs
    job = jobs[0]
    assert (job["tenant"], job["bundle"], job["schoolYear"]) == (
        "district-a", "assessments/STAR", "2024"
    )  # fmt: skip
    assert len(job["runs"]) == 1 and job["runs"][0]["status"] == "success"  # started once
    assert xcom(first, "submit") == [job["uid"]]
    made = job["runs"][0]["outputSets"]
    assert made and sorted(xcom(first, "wait_for_output")) == sorted(made)
    downloaded = set_folders(results)
    assert len(downloaded) == len(made)
    assert sorted(xcom(first, "download")) == sorted(str(p) for p in downloaded)
    assert all(any(p.iterdir()) for p in downloaded)

    # A rerun (or a retry) with the same files for the same target: no second job, the first
    # job's uid, and nothing downloaded again.
    second = dag.test(run_conf=conf)
    assert second.state == "success"
    again = sandbox_jobs(sandbox)
    assert [(j["uid"], len(j["runs"])) for j in again] == [(job["uid"], 1)]
    assert xcom(second, "submit") == [job["uid"]]
    assert xcom(second, "download") == []
    assert set_folders(results) == downloaded
