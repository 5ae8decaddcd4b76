"""Stable codes for every failure the API layer reports.

Runway itself has no machine-readable error codes (CONTRACT §2): its message prefixes are
turned into these in exactly one place (:mod:`.messages`), so screens, the CLI and the History
branch on a code and never compare server text. The values are stored in the local History
and printed by ``--json``: never rename one, only add.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    # --- signing in (the token endpoint) and the token itself --------------------------------
    SIGN_IN_FAILED = "sign_in_failed"  # client id/secret refused, or sign-in failed otherwise
    SIGN_IN_SCOPE_REFUSED = "sign_in_scope_refused"  # the IdP will not grant the scopes asked
    SIGN_IN_UNAVAILABLE = "sign_in_unavailable"  # the sign-in service had a 5xx/429
    TOKEN_NOT_SENT = "token_not_sent"  # Runway: "No token" (a proxy stripped the header?)
    TOKEN_REJECTED = "token_rejected"  # Runway: "Invalid token" (or any other 401)
    TOKEN_WITHOUT_SCOPES = "token_without_scopes"  # Runway: "Token missing scope claim"
    TOKEN_WITHOUT_CLIENT_ID = "token_without_client_id"  # "Token must include a client_id…"

    # --- permissions ---------------------------------------------------------------------
    PERMISSION_DENIED = "permission_denied"  # a 403 whose text is not in the catalogue
    INSUFFICIENT_SCOPES = "insufficient_scopes"  # "Insufficient scopes"
    PARTNER_NOT_ALLOWED = "partner_not_allowed"  # "Invalid partner code: <p>"

    # --- what Runway knows or has enabled -------------------------------------------------
    API_DISABLED = "api_disabled"  # "External API is disabled."
    TENANT_NOT_FOUND = "tenant_not_found"  # "Invalid tenant. <p>/<t> does not exist"
    BUNDLE_NOT_ENABLED = "bundle_not_enabled"  # "Bundle not found or not enabled for partner"
    BUNDLE_NOT_IN_REGISTRY = "bundle_not_in_registry"  # 500 "Bundle not found: <b>"
    SCHOOL_YEAR_UNKNOWN = "school_year_unknown"  # "Invalid school year" / "Unknown school year"
    SCHOOL_YEAR_NOT_ENABLED = "school_year_not_enabled"  # "School year is not enabled: <y>"
    NO_ODS_FOR_YEAR = "no_ods_for_year"  # "No ODS found for school year: <y>"
    NO_ROSTER_FOR_YEAR = "no_roster_for_year"  # "No roster file found and cross-year…"
    PARTNER_NOT_FOUND = "partner_not_found"  # "Partner not found: <p>" (list output sets)
    JOB_NOT_FOUND = "job_not_found"  # "Job not found: <uid>"
    OUTPUT_SET_NOT_FOUND = "output_set_not_found"  # "Output file set not found"
    NOT_FOUND = "not_found"  # a 404 whose text is not in the catalogue
    WRONG_API_URL = "wrong_api_url"  # "Cannot GET /…", or a 404 that is not Runway's

    # --- the request's content -----------------------------------------------------------
    INVALID_REQUEST = "invalid_request"  # POST /jobs body validation (the DTO's list)
    MISSING_PARAMS = "missing_params"  # "Missing required params: …"
    INVALID_PARAM_VALUES = "invalid_param_values"  # "Invalid param values: …"
    UNEXPECTED_PARAMS = "unexpected_params"  # "Unexpected params: …"
    UNEXPECTED_FILES = "unexpected_files"  # "Unexpected files: …"
    MISSING_FILES = "missing_files"  # "Missing required files: …"
    INVALID_FILTER = "invalid_filter"  # a bad output-set filter (partner, sentToOds, dates…)
    INVALID_ID = "invalid_id"  # "Validation failed (uuid is expected)"
    REQUEST_REFUSED = "request_refused"  # a 4xx whose text is not in the catalogue

    # --- jobs ------------------------------------------------------------------------------
    JOB_ALREADY_IN_PROGRESS = "job_already_in_progress"  # "Job already in progress: <uid>"
    UPLOADS_MISSING = "uploads_missing"  # "Some expected files were not found."
    JOB_NOT_INITIATED = "job_not_initiated"  # "Job not initiated properly: <uid>"
    JOB_START_FAILED = "job_start_failed"  # 500 "Failed to start job <uid>"

    # --- the server's health and its answers ---------------------------------------------------
    SERVER_ERROR = "server_error"  # a 5xx (Runway's own or a gateway's)
    RATE_LIMITED = "rate_limited"  # a 429
    ANSWER_UNREADABLE = "answer_unreadable"  # an answer not in the expected form
    ANSWER_TOO_LARGE = "answer_too_large"  # a JSON answer above the size cap

    # --- what stands between this computer and the server --------------------------------
    BLOCKED_BY_PROXY = "blocked_by_proxy"  # a refusal whose body is not the service's
    PROXY_AUTH_REQUIRED = "proxy_auth_required"  # a 407
    REDIRECTED = "redirected"  # a 3xx (redirects are never followed)

    # --- the network (no usable answer) ------------------------------------------------------
    TIMEOUT = "timeout"  # connect/read timeout, or the call's overall deadline passed
    STALLED = "stalled"  # a transfer moved (almost) no bytes for a whole stall window
    NETWORK = "network"  # could not connect, or the connection dropped
    CONNECTION_REFUSED = "connection_refused"
    DNS = "dns"  # the host name could not be looked up
    TLS = "tls"  # the certificate is not trusted, or TLS could not be set up
    PROXY_REFUSED = "proxy_refused"  # the proxy would not connect us (httpx.ProxyError)
    BAD_ADDRESS = "bad_address"  # the URL in Settings is not a valid web address

    # --- the storage service (presigned S3 URLs) ------------------------------------------
    UPLOAD_LINK_EXPIRED = "upload_link_expired"
    DOWNLOAD_LINK_EXPIRED = "download_link_expired"
    LINK_REFUSED = "link_refused"  # a signature/credential refusal: the link itself is bad
    STORED_FILE_MISSING = "stored_file_missing"  # NoSuchKey / NoSuchBucket
    STORAGE_UNAVAILABLE = "storage_unavailable"  # SlowDown, InternalError, any S3 5xx
    FILE_TOO_LARGE = "file_too_large"  # EntityTooLarge (S3's single-PUT limit)
    CHECKSUM_REFUSED = "checksum_refused"  # BadDigest and friends
    STORAGE_REFUSED = "storage_refused"  # any other S3 refusal
    INTEGRITY_MISMATCH = "integrity_mismatch"  # the bytes that arrived are not the ones sent
    REMOTE_FILE_CHANGED = "remote_file_changed"  # the object changed while it was downloaded
    DOWNLOAD_INCOMPLETE = "download_incomplete"  # fewer bytes than the answer announced

    # --- this computer -----------------------------------------------------------------------
    DISK_FULL = "disk_full"
    FOLDER_NOT_WRITABLE = "folder_not_writable"
    FILE_UNREADABLE = "file_unreadable"  # an upload's file may not be read
    FILE_CHANGED = "file_changed"  # an upload's file changed between checking and sending
    UNSAFE_FILE_NAME = "unsafe_file_name"  # a server name that would leave the folder
    LOCAL_FILE = "local_file"  # any other local disk problem

    FILES_REFUSED = "files_refused"  # this app's own checks refused a file (no start asked)
    CANCELLED = "cancelled"  # the user cancelled a transfer
    UNKNOWN = "unknown"  # a RunwayError made without a code (only outside the API layer)
