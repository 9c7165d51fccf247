"""Where each fact comes from: one row per source, with its version and licence. The lowest app
with models, so that names, codes, classes, ratings and topics can all point to their source
without two apps pointing at each other."""
