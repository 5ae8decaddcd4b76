"""History's base schema: the tables exactly as 0.1.0 created them (``user_version`` 1).

Later changes are migrations (history/migrations.py), never edits here: a 0.1.0 database must
open with all its rows, and a new one is made by this text plus every migration in order.
"""

from __future__ import annotations

SCHEMA_V1 = """
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    profile TEXT NOT NULL,
    api_base_url TEXT NOT NULL,
    partner TEXT NOT NULL,
    tenant TEXT NOT NULL,
    school_year TEXT NOT NULL,
    bundle TEXT NOT NULL,
    bundle_name TEXT NOT NULL,
    params_json TEXT NOT NULL DEFAULT '{}',
    state TEXT NOT NULL,
    job_uid TEXT,
    job_created_at TEXT,
    start_requested_at TEXT,
    started_at TEXT,
    finished_at TEXT,
    error_kind TEXT,
    error_message TEXT,
    error_next_step TEXT,
    orphan_job_possible INTEGER NOT NULL DEFAULT 0,
    resumed_from INTEGER REFERENCES submissions(id)
);
CREATE INDEX IF NOT EXISTS submissions_job ON submissions(job_uid);
CREATE TABLE IF NOT EXISTS submission_files (
    submission_id INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
    env_var TEXT NOT NULL,
    path TEXT NOT NULL,
    upload_name TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    md5 TEXT NOT NULL,
    uploaded_at TEXT,
    etag TEXT,
    etag_checked INTEGER,
    PRIMARY KEY (submission_id, env_var)
);
CREATE TABLE IF NOT EXISTS submission_steps (
    id INTEGER PRIMARY KEY,
    submission_id INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
    step TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    message TEXT
);
CREATE TABLE IF NOT EXISTS output_sets_seen (
    set_uid TEXT PRIMARY KEY,
    job_uid TEXT NOT NULL,
    partner TEXT NOT NULL,
    tenant TEXT NOT NULL,
    school_year TEXT NOT NULL,
    bundle TEXT,
    sent_to_ods INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    seen_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sets_job ON output_sets_seen(job_uid);
CREATE TABLE IF NOT EXISTS downloads (
    profile TEXT NOT NULL,
    set_uid TEXT NOT NULL,
    folder TEXT NOT NULL,
    state TEXT NOT NULL,
    files_json TEXT NOT NULL DEFAULT '[]',
    message TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (profile, set_uid)
);
CREATE TABLE IF NOT EXISTS watch_cursors (
    profile TEXT NOT NULL,
    partner TEXT NOT NULL,
    cursor TEXT NOT NULL,
    PRIMARY KEY (profile, partner)
);
"""
