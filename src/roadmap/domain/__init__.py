"""The domain: typed records and pure rules every layer speaks; no I/O, imports nothing from
the rest of the project."""
