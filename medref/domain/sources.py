"""The keys of the sources medref knows by name, defined once."""

CURATED = "medref-curated"  # the team's own content/ files
DUPLICATION = "medref-duplication"  # therapeutic duplication findings (computed, not imported)
ANSM = "ansm"
DDINTER = "ddinter"
DRUGBANK_VOCABULARY = "drugbank-vocabulary"
