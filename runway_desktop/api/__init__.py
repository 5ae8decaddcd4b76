"""Runway External API v1 client: Qt-free, driven by the GUI, the CLI and the pipeline alike.

* :mod:`.http` — ``make_http_client()``: the one shared ``httpx.AsyncClient``.
* :mod:`.auth` — ``TokenProvider``: OAuth2 client credentials, cached and shared.
* :mod:`.client` — ``RunwayClient``: the five endpoints, typed (:mod:`.models`).
* :mod:`.transfer` — ``upload_file`` / ``download_file`` / ``safe_filename``.
* :mod:`.errors` — every failure as a ``RunwayError`` with a plain message and a next step.
* :mod:`.retry` — backoff with full jitter for idempotent calls.
"""
