"""Runs steered and watched from a page: pause, step, stop and new learning rates in, the
latest frame out. A training job trains on a server thread or in a warm worker process
borrowed from one pool; a sweep always runs in one of those workers. Every job in a worker
(`pooled_job.py`) comes under one cap on jobs at once, with one first-come queue behind it.
What a page may ask of any job, live or stored, is the `Job` protocol (`protocol.py`)."""
