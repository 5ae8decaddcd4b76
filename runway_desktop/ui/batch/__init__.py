"""The batch window: a folder planned into submissions, reviewed, and sent (core/batch/)."""
