"""The professional clinical reference: topic pages, editorial pages, citations."""
