"""CDS Hooks 2.0 services (order-select, order-sign) for drug interactions."""
