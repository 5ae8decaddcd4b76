"""Jobs, output sets and transfers against the sandbox: happy paths, real error answers,
and fault switches (5xx, dropped uploads, expired presigned URLs)."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from test_api_sandbox import (
    QUICK,
    Api,
    connect,
    send,
    star_job,
    stat_of,
    wait_for_sets,
    write_csv,
)

from runway_desktop.api.errors import (
    ApiDisabled,
    NotFound,
    PermissionDenied,
    S3Error,
    ServerError,
    ValidationFailed,
)
from runway_desktop.api.http import make_http_client
from runway_desktop.api.models import OutputSetFilter
from runway_desktop.api.retry import RetryNotice
from runway_desktop.api.transfer import download_file, upload_file
from runway_desktop.sandbox.server import Sandbox

UNKNOWN_UID = "0b0e4f1c-6f5e-4c55-9a43-6f0d2f3c8a10"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def api(sandbox: Sandbox) -> AsyncIterator[Api]:
    http = make_http_client()
    yield connect(sandbox, http)
    await http.aclose()


@pytest.mark.anyio
async def test_submit_process_list_and_download(api: Api, tmp_path: Path) -> None:
    job = await api.client.create_job(star_job())
    assert list(job.upload_urls) == ["INPUT_FILE"]
    path = write_csv(tmp_path)
    size, mtime = stat_of(path)
    uploaded = await upload_file(
        api.http, job.upload_urls["INPUT_FILE"], path, expected_size=size, expected_mtime_ns=mtime
    )
    assert uploaded.etag_checked, uploaded.etag_note
    started = await api.client.start_job(job.uid)
    assert started.started_now and started.job_uid == job.uid

    (output_set,) = await wait_for_sets(api, job.uid)
    assert output_set.partner == "acme" and output_set.tenant == "district-a"
    assert output_set.bundle == "assessments/STAR" and output_set.sent_to_ods

    links = await api.client.download_links(output_set.uid)
    assert list(links) == list(output_set.files)  # the server's order is kept
    name = output_set.files[0]

    async def fresh_link() -> str:
        return (await api.client.download_links(output_set.uid))[name]

    dest = tmp_path / "out"
    dest.mkdir()
    result = await download_file(api.http, fresh_link, dest, name)
    content = result.path.read_bytes()
    assert content and content.endswith(b"\n")


@pytest.mark.anyio
async def test_second_start_while_running_counts_as_started(api: Api, tmp_path: Path) -> None:
    api.sandbox.set_executor(delay_seconds=30)
    job = await api.client.create_job(star_job())
    await send(api, write_csv(tmp_path), job)
    assert (await api.client.start_job(job.uid)).started_now
    again = await api.client.start_job(job.uid)
    assert again.already_started and not again.started_now


@pytest.mark.anyio
async def test_output_set_filters_are_sent_as_the_server_wants(api: Api, tmp_path: Path) -> None:
    job = await api.client.create_job(star_job())
    await send(api, write_csv(tmp_path), job)
    await api.client.start_job(job.uid)
    (found,) = await wait_for_sets(api, job.uid)
    query = OutputSetFilter(
        "acme",
        tenant="district-a",
        school_year="2026",
        bundle="assessments/STAR",
        sent_to_ods=True,
        created_after=found.created_at.replace(year=2000),
    )
    assert [s.uid for s in await api.client.list_output_sets(query)] == [found.uid]
    # createdAt is cut to milliseconds, created_on is not, so "after my last createdAt" usually
    # returns that set again (CONTRACT §5.5): one millisecond later it is gone.
    later = OutputSetFilter("acme", created_after=found.created_at + timedelta(milliseconds=1))
    assert found.uid not in [s.uid for s in await api.client.list_output_sets(later)]
    none = OutputSetFilter("acme", sent_to_ods=False)
    assert found.uid not in [s.uid for s in await api.client.list_output_sets(none)]


# --- real error answers ------------------------------------------------------------------


@pytest.mark.anyio
async def test_create_job_errors_name_the_field(api: Api) -> None:
    cases = [
        (star_job(partner="globex"), PermissionDenied, ("partner",)),
        (star_job(tenant="district-z"), ValidationFailed, ("tenant",)),
        (star_job(school_year="2021"), ValidationFailed, ("school_year",)),
        (star_job(school_year="26"), ValidationFailed, ("school_year",)),
        (star_job(tenant=""), ValidationFailed, ("tenant",)),
        (star_job(files={}), ValidationFailed, ("file:INPUT_FILE",)),
        (star_job(files={"INPUT_FILE": "a.csv", "NOPE": "b"}), ValidationFailed, ("file:NOPE",)),
        (star_job(params={"API_YEAR": "2026", "X": "1"}), ValidationFailed, ("param:X",)),
        (
            star_job(bundle="assessments/PSAT_SAT"),
            ValidationFailed,
            ("param:TEST_TYPE",),
        ),
        (
            star_job(bundle="assessments/PSAT_SAT", params={"TEST_TYPE": "ACT"}),
            ValidationFailed,
            ("param:TEST_TYPE",),
        ),
        (star_job(bundle="assessments/Retired_Assessment"), ServerError, ("bundle",)),
    ]
    for request, cls, fields in cases:
        with pytest.raises(cls) as raised:
            await api.client.create_job(request)
        assert raised.value.fields == fields, raised.value.server_message
        assert not raised.value.possibly_created or cls is ServerError


@pytest.mark.anyio
async def test_other_endpoints_map_real_answers(api: Api) -> None:
    with pytest.raises(NotFound) as partner:
        await api.client.list_output_sets(OutputSetFilter("globex"))
    assert partner.value.field == "partner"
    with pytest.raises(NotFound):
        await api.client.start_job(UNKNOWN_UID)
    with pytest.raises(ValidationFailed) as bad_uid:
        await api.client.start_job("not-a-uuid")
    assert bad_uid.value.server_message == "Validation failed (uuid is expected)"
    with pytest.raises(NotFound):
        await api.client.download_links(UNKNOWN_UID)
    with pytest.raises(ValidationFailed) as year:
        await api.client.list_output_sets(OutputSetFilter("acme", school_year="1850"))
    assert year.value.field == "school_year"


@pytest.mark.anyio
async def test_start_before_upload(api: Api) -> None:
    job = await api.client.create_job(star_job())
    with pytest.raises(ValidationFailed) as raised:
        await api.client.start_job(job.uid)
    assert raised.value.fields == ("files",)


@pytest.mark.anyio
async def test_api_disabled(api: Api) -> None:
    api.sandbox.faults.set("api_disabled", True)
    with pytest.raises(ApiDisabled):
        await api.client.verify_token()
    with pytest.raises(ApiDisabled) as raised:
        await api.client.create_job(star_job())
    assert not raised.value.possibly_created  # refused before anything was made


@pytest.mark.anyio
async def test_read_only_client_cannot_verify(api: Api) -> None:
    http = make_http_client()
    try:
        reader = connect(api.sandbox, http, client_id="read-only", client_secret="read-only-secret")
        with pytest.raises(PermissionDenied) as raised:
            await reader.client.verify_token()
        assert raised.value.server_message == "Insufficient scopes"
    finally:
        await http.aclose()


# --- retries with fault switches ------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("status", [500, 503])
async def test_list_succeeds_on_the_third_try(api: Api, status: int) -> None:
    await api.tokens.get_token()  # so the faults hit the list, not a token-less first call
    api.sandbox.faults.set("api_error", {"status": status, "count": 2})
    notices: list[RetryNotice] = []
    await api.client.list_output_sets(OutputSetFilter("acme"), on_retry=notices.append)
    assert [n.attempt for n in notices] == [2, 3]
    assert api.statuses[-3:] == [status, status, 200]


@pytest.mark.anyio
async def test_create_job_is_never_retried(api: Api) -> None:
    await api.tokens.get_token()
    api.sandbox.faults.set("api_error", {"status": 504, "count": 2})
    with pytest.raises(ServerError) as raised:
        await api.client.create_job(star_job())
    assert raised.value.possibly_created and not raised.value.retryable
    fault = api.sandbox.faults.peek("api_error")
    assert fault is not None and fault.count == 1  # exactly one request was made


@pytest.mark.anyio
async def test_download_links_retried_after_a_gateway_error(api: Api) -> None:
    (set_uid,) = api.sandbox.inject_output_sets(
        partner="acme",
        tenant="district-a",
        school_year="2026",
        bundle="assessments/STAR",
        count=1,
        sent_to_ods=True,
        files={"b.jsonl": b"{}\n", "a.jsonl": b"{}\n"},
    )
    await api.tokens.get_token()
    api.sandbox.faults.set("api_error", {"status": 502, "count": 1})
    links = await api.client.download_links(set_uid)
    assert list(links) == ["a.jsonl", "b.jsonl"]


@pytest.mark.anyio
async def test_expired_upload_url_needs_a_new_job(api: Api, tmp_path: Path) -> None:
    job = await api.client.create_job(star_job())
    api.sandbox.faults.set("s3_expired", {"count": 1})
    with pytest.raises(S3Error) as raised:
        await send(api, write_csv(tmp_path), job)
    assert raised.value.needs_new_url and raised.value.status == 403
    assert "expired" in raised.value.message


@pytest.mark.anyio
async def test_upload_survives_s3_errors_and_a_dropped_connection(api: Api, tmp_path: Path) -> None:
    job = await api.client.create_job(star_job())
    path = tmp_path / "big.csv"
    path.write_bytes(b"student_id,score\n" + b"605000,1200\n" * 300_000)
    size, mtime = stat_of(path)
    api.sandbox.faults.set("s3_error", {"status": 503, "count": 1})
    api.sandbox.faults.set("s3_drop", {"after_bytes": 1_000_000, "count": 1})
    notices: list[RetryNotice] = []
    result = await upload_file(
        api.http,
        job.upload_urls["INPUT_FILE"],
        path,
        expected_size=size,
        expected_mtime_ns=mtime,
        retry_policy=QUICK,
        on_retry=notices.append,
    )
    assert result.attempts == 3 and len(notices) == 2
    assert result.md5_hex == hashlib.md5(path.read_bytes()).hexdigest()
    assert (await api.client.start_job(job.uid)).started_now


@pytest.mark.anyio
async def test_expired_download_link_is_fetched_again(api: Api, tmp_path: Path) -> None:
    (set_uid,) = api.sandbox.inject_output_sets(
        partner="acme",
        tenant="district-a",
        school_year="2026",
        bundle="assessments/STAR",
        count=1,
        sent_to_ods=True,
        files={"studentAssessments.jsonl": b'{"score": 1}\n' * 1000},
    )
    asked = 0

    async def fresh_link() -> str:
        nonlocal asked
        asked += 1
        return (await api.client.download_links(set_uid))["studentAssessments.jsonl"]

    api.sandbox.faults.set("s3_expired", {"count": 1})
    result = await download_file(api.http, fresh_link, tmp_path, "studentAssessments.jsonl")
    assert asked == 2 and result.url_refreshes == 1
    assert result.size == len(b'{"score": 1}\n' * 1000)
