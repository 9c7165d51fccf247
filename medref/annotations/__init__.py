"""Private per-user notes attached to reference pages."""
