"""The JSON API (django-ninja): v1, and later CDS Hooks and FHIR."""
