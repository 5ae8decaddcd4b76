"""Helpers of the Airflow tests: the sandbox's witness, the connection, XComs, practice files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import httpx

from runway_desktop.base.resources import samples_dir

# STAR's three practice files (2023–24) by slot.
STAR = {
    "INPUT_FILE": "SR_sample_anonymized_file.csv",
    "INPUT_FILE_DS": "SR_Dashboard_Standards_v2_sample_anonymized_file.csv",
    "INPUT_FILE_SA": "SR_SkillArea_v1_sample_anonymized_file.csv",
}


def copy_star(folder: Path) -> dict[str, str]:
    """STAR's practice files copied into ``folder``: {slot: path}."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for slot, name in STAR.items():
        shutil.copyfile(samples_dir() / "STAR" / name, folder / name)
        files[slot] = str(folder / name)
    return files


def sandbox_jobs(profile: dict[str, Any]) -> list[dict[str, Any]]:
    """What Runway received: ``GET <control_url>/state``'s jobs, each with its runs."""
    with httpx.Client(trust_env=False, timeout=30) as http:
        answer = http.get(f"{profile['control_url']}/state")
    answer.raise_for_status()
    jobs: list[dict[str, Any]] = answer.json()["jobs"]
    return jobs


def connection_json(profile: dict[str, Any], data_dir: Path, **extra: Any) -> str:
    """The sandbox's profile as an Airflow connection (AIRFLOW_CONN_… JSON form)."""
    return json.dumps(
        {
            "conn_type": "runway",
            "host": profile["api_base_url"],
            "login": profile["client_id"],
            "password": profile["client_secret"],
            "extra": {
                "token_url": profile["token_url"],
                "token_style": profile.get("token_style", "form"),
                "audience": profile.get("audience"),
                "scopes": profile.get("scopes", ""),
                "data_dir": str(data_dir),
                **extra,
            },
        }
    )


class _Row:
    def __init__(self, value: Any) -> None:
        self.value = value


def xcom(run: Any, task_id: str, key: str = "return_value") -> Any:
    """A task's XCom in the run, read back from the metadata database."""
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        query = XComModel.get_many(run_id=run.run_id, key=key, task_ids=task_id, dag_ids=run.dag_id)
        value = session.scalars(query.with_only_columns(XComModel.value)).first()
    return XComModel.deserialize_value(_Row(value))


def set_folders(root: Path) -> list[Path]:
    """Downloaded sets: <root>/<partner>/<tenant>/<year>/<assessment>/<created>_<id>/."""
    return sorted(p for p in root.glob("*/*/*/*/*") if p.is_dir())
