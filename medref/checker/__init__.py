"""The interaction checker. The engine in engine.py depends on no web framework; this app only wires it to Django (repository, views)."""
