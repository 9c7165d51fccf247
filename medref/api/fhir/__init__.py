"""FHIR R4 interfaces: the DetectedIssue $check operation."""
