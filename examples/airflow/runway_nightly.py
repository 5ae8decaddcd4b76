"""Nightly Runway run: send last night's files, wait for Runway's output, download it.

    submit (a batch plan)  →  wait (deferrable: no worker slot while Runway works)  →  download

Put the connection in Airflow (id ``runway_default``; see the README's "Airflow" section),
e.g. as an environment variable:

    AIRFLOW_CONN_RUNWAY_DEFAULT='{"conn_type": "runway", "host": "https://api.example.org/api/v1",
      "login": "CLIENT_ID", "password": "SECRET",
      "extra": {"token_url": "https://idp.example.org/token", "data_dir": "/shared/runway"}}'

The plan is made and reviewed once with ``runway-desktop-cli batch plan FOLDER -o plan.toml``;
every night the same plan sends only what was not sent yet (a file that changed is new), and
a retry or a rerun never creates a second job. Trigger with ``{"plan": …, "folder": …}`` to
override the defaults below (``RUNWAY_NIGHTLY_PLAN``, ``RUNWAY_NIGHTLY_FOLDER``).
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta

from airflow.sdk import DAG, Param

from runway_desktop.airflow import (
    RunwayDownloadOperator,
    RunwayOutputSetSensor,
    RunwaySubmitOperator,
)

with DAG(
    dag_id="runway_nightly",
    schedule="0 2 * * *",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 2, "retry_delay": timedelta(minutes=5)},
    params={
        "plan": Param(
            os.environ.get("RUNWAY_NIGHTLY_PLAN", "/shared/runway/plan.toml"), type="string"
        ),
        "folder": Param(
            os.environ.get("RUNWAY_NIGHTLY_FOLDER", "/shared/runway/results"), type="string"
        ),
    },
    tags=["runway"],
) as dag:
    submit = RunwaySubmitOperator(task_id="submit", plan="{{ params.plan }}")
    # The partner the plan was sent for (the plan's, else the connection's).
    partner = "{{ ti.xcom_pull(task_ids='submit', key='partner') }}"
    wait = RunwayOutputSetSensor(
        task_id="wait_for_output",
        job_uid=submit.output,
        partner=partner,
        poll_interval=float(os.environ.get("RUNWAY_NIGHTLY_POLL_SECONDS", "60")),
        timeout=timedelta(hours=3),
    )
    # Every new set of the partner, by watch mode's cursor: this night's and any that came late.
    download = RunwayDownloadOperator(
        task_id="download", folder="{{ params.folder }}", partner=partner
    )
    submit >> wait >> download
