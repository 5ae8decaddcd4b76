"""The tests' own DAGs (test_operators.py): one submission by its files, the sensor without
deferring, and downloading the sets it named; ``runway_files_resend`` sends again. Airflow runs
only DAGs it parsed from its DAG folder, so they live here (conftest puts this folder and the
example's in the tests' DAG folder). Run with ``{"drop": FOLDER, "folder": RESULTS}``."""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import DAG, Param

from runway_desktop.airflow import (
    RunwayDownloadOperator,
    RunwayOutputSetSensor,
    RunwaySubmitOperator,
)

STAR = {
    "INPUT_FILE": "SR_sample_anonymized_file.csv",
    "INPUT_FILE_DS": "SR_Dashboard_Standards_v2_sample_anonymized_file.csv",
    "INPUT_FILE_SA": "SR_SkillArea_v1_sample_anonymized_file.csv",
}


def files_dag(dag_id: str, *, resend: bool) -> DAG:
    with DAG(
        dag_id=dag_id,
        schedule=None,
        start_date=datetime(2026, 1, 1),
        params={"drop": Param("", type="string"), "folder": Param("", type="string")},
    ) as dag:
        submit = RunwaySubmitOperator(
            task_id="submit",
            bundle="assessments/STAR",
            partner="acme",
            tenant="district-a",
            school_year=2024,
            files={slot: "{{ params.drop }}/" + name for slot, name in STAR.items()},
            resend=resend,
        )
        wait = RunwayOutputSetSensor(
            task_id="wait",
            job_uid=submit.output,
            partner="acme",
            deferrable=False,
            poke_interval=0.5,
            timeout=120,
        )
        download = RunwayDownloadOperator(
            task_id="download",
            folder="{{ params.folder }}",
            partner="acme",
            new_only=False,
            set_uids=wait.output,
        )
        submit >> wait >> download
    return dag


runway_files = files_dag("runway_files", resend=False)
runway_files_resend = files_dag("runway_files_resend", resend=True)
