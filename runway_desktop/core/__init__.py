"""The core: the app's use cases, Qt-free, driven by both front ends (``ui/`` and ``cli/``).

Each use case exposes coroutines and emits plain event values. The core imports neither
``ui/`` nor ``cli/``; the layers below it (``api``, ``bundles``, ``history``, ``outputs``,
``settings``, ``submit``, ``base``) never import the core.
"""
