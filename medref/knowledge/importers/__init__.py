"""The importers of the data sources, each validate-then-write: ddinter, ansm, drugbank,
rxnorm, and the shared machinery (base, matching, yamlfile, errors). The registry behind
`medref import` is medref/imports.py."""
