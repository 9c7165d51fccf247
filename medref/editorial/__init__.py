"""The editorial workflow: revisions of topics and interaction monographs moving through
draft -> in review -> published -> retired, with roles, sign-off, history and an audit log."""
