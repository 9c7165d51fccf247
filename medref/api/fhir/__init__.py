"""FHIR R4 interface: the CapabilityStatement, the OperationDefinition of $check, and
DetectedIssue/$check itself (routes.py)."""
