"""Saved medication lists: private per user, re-checked against the knowledge base on demand."""
