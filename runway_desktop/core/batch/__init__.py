"""Batches: a folder of vendor files planned into submissions, and the plan sent (Qt-free)."""
