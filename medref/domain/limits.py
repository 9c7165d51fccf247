"""Limits on what one check may ask for, shared by every interface (web form, API, CLI)."""

MAX_DRUGS = 50  # medicines in one check
MAX_NAME_LENGTH = 200  # characters in one medicine name
