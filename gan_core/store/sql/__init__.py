"""The run store's two databases: an SQLite file (the default) or a PostgreSQL server shared
by several app processes, with the few ways their SQL differs kept in `dialect.py`."""
