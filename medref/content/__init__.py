"""Content files <-> the database: the team's curated folder (content/) parsed into typed
records (schema.py), validated and written (load.py), written back as files and re-imported with
conflict detection (files.py).

It sits above the apps it writes (vocab, knowledge, reference) and reads (editorial), and no app
below imports it: the `medref import content` and `medref content` commands reach it from the top.
"""
