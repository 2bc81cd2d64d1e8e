"""Saved runs: the run store (configs, logged rows, checkpoints) in SQLite or PostgreSQL, the
recorder that saves a job's frames as it trains, run bundles for export and import, and a
stored run reopened read-only in the live view's shape."""
