"""The interaction knowledge base: sources with provenance and licences, interactions rated by each source, the severity scale, and the importers."""
