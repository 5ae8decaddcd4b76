"""Airflow's tests run only where Airflow is installed: CI's Airflow step, in a venv of its
own (requirements/airflow.txt). The main test run has no Airflow and collects nothing here.

Why not ``find_spec("airflow") is None``: tests/ is on sys.path (its helpers are imported by
bare name), so without Airflow this very folder is found as a namespace package "airflow"
(with no origin); an installed Airflow is a regular package, which always wins.

Airflow reads its configuration when first imported, so its home (a fresh SQLite metadata
database), the DAG folder (the example DAG and tests/airflow/dags) and the test settings are
set here, before any test module imports it.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

_spec = importlib.util.find_spec("airflow")
if _spec is None or _spec.origin is None:
    collect_ignore_glob = ["test_*.py"]
else:
    _HOME = Path(tempfile.mkdtemp(prefix="runway-airflow-home-"))
    os.environ["AIRFLOW_HOME"] = str(_HOME)
    # The DAG folder: the example DAG and the tests' own (tests/airflow/dags).
    _DAGS = _HOME / "dags"
    _DAGS.mkdir()
    _HERE = Path(__file__).resolve().parent
    for _dag_file in [_HERE.parents[1] / "examples" / "airflow" / "runway_nightly.py",
                      *sorted((_HERE / "dags").glob("*.py"))]:  # fmt: skip
        shutil.copyfile(_dag_file, _DAGS / _dag_file.name)
    os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(_DAGS)
    os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
    os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = f"sqlite:///{_HOME / 'airflow.db'}"
    # The example DAG's sensor polls every 60 s in production; here, twice a second.
    os.environ["RUNWAY_NIGHTLY_POLL_SECONDS"] = "0.5"

    @pytest.fixture(scope="module")
    def airflow_db() -> None:
        """A fresh metadata database (SQLite, in the Airflow home above) for each module."""
        from airflow.utils import db

        db.resetdb()

    @pytest.fixture(scope="module")
    def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
        """The practice server as a child process (``python -m runway_desktop.sandbox
        --data-dir X``, as the app starts it): its profile. Runs take 2 s, so a sensor's first
        look finds nothing and it defers."""
        from runway_desktop.core.practice_server import PracticeServer

        data = tmp_path_factory.mktemp("sandbox-data")
        server = PracticeServer(data, executor_delay=2.0)
        profile = server.start()
        try:
            yield profile
        finally:
            server.stop()
