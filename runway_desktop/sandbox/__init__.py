"""A local Runway for practice and tests: OIDC issuer, External API v1, S3, a simulated executor.

An independent implementation of the server side of the contract: it must not import
``runway_desktop.api`` or ``runway_desktop.bundles``, so a shared bug cannot hide in both.
"""
