"""User accounts, professions, the healthcare-professional notice and the metering ledger."""
