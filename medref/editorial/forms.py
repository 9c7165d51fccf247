"""The references of a topic as rows an editor fills in (label, PMID, DOI, URL), each checked as
it is typed in, instead of a JSON list typed by hand.

The rows produce exactly the list `medref.domain.fields.validate_references` accepts
({"text", "pmid"?, "doi"?, "url"?}), which the editorial actions check again before storing it.
"""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

# PubMed ids are whole numbers; the validator allows up to nine digits.
_PMID = re.compile(r"\d{1,9}")
# A DOI is "10.", a registrant code of four or more digits (dot-separated parts allowed), "/" and
# a suffix without spaces (the DOI Handbook, section 2.2).
_DOI = re.compile(r"10\.\d{4,9}(?:\.\d+)*/\S+")
# Editors often paste the resolver link or the "doi:" form; both are stored as the bare DOI.
_DOI_PREFIXES = ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "doi:")
_URL = URLValidator(schemes=["http", "https"])
MAX_REFERENCES = 200
BLANK_ROWS = 3  # empty rows offered under the existing references, for adding new ones


class ReferenceRow(forms.Form):
    text = forms.CharField(label="Label", required=False, max_length=2_000)
    pmid = forms.CharField(label="PMID", required=False, max_length=9)
    doi = forms.CharField(label="DOI", required=False, max_length=500)
    url = forms.CharField(label="URL", required=False, max_length=500)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The rows are table cells under one set of column headings: each input still needs
        # its own accessible name, numbered like the citation it answers to.
        number = int(self.prefix.rsplit("-", 1)[-1]) + 1 if self.prefix else 1
        for field in self.fields.values():
            field.widget.attrs["aria-label"] = f"Reference {number}: {field.label}"
        self.fields["pmid"].widget.attrs.update(inputmode="numeric", pattern=r"\d{1,9}")
        self.fields["url"].widget.input_type = "url"

    def clean_pmid(self) -> str:
        pmid = self.cleaned_data["pmid"].strip()
        if pmid and not _PMID.fullmatch(pmid):
            raise ValidationError("A PMID is a number of up to nine digits, such as 31978945.")
        return pmid

    def clean_doi(self) -> str:
        doi = self.cleaned_data["doi"].strip()
        for prefix in _DOI_PREFIXES:
            if doi.lower().startswith(prefix):
                doi = doi[len(prefix) :].strip()
        if doi and not _DOI.fullmatch(doi):
            raise ValidationError("A DOI starts with 10. and has a slash, such as 10.1000/182.")
        return doi

    def clean_url(self) -> str:
        url = self.cleaned_data["url"].strip()
        if url:
            try:
                _URL(url)
            except ValidationError:
                raise ValidationError(
                    "Enter a full web address starting with https:// or http://."
                ) from None
        return url

    def clean(self) -> dict:
        data = super().clean()
        has_link = any(data.get(k) for k in ("pmid", "doi", "url"))
        if has_link and not (data.get("text") or "").strip():
            self.add_error("text", "Give this reference a label, such as the title and source.")
        return data

    def as_reference(self) -> dict[str, str] | None:
        """The row in the stored shape, or None for a blank row (a reference removed)."""
        data = self.cleaned_data
        text = (data.get("text") or "").strip()
        if not text:
            return None
        return {"text": text, **{k: data[k] for k in ("pmid", "doi", "url") if data.get(k)}}


class BaseReferenceRows(forms.BaseFormSet):
    def references(self) -> list[dict[str, str]]:
        """The filled rows in order (call after is_valid())."""
        return [r for r in (form.as_reference() for form in self.forms) if r is not None]


ReferenceRows = forms.formset_factory(
    ReferenceRow,
    formset=BaseReferenceRows,
    extra=BLANK_ROWS,
    max_num=MAX_REFERENCES,
    validate_max=True,
)
PREFIX = "ref"


def reference_rows(*, references: list[dict] | None = None, data=None) -> BaseReferenceRows:
    """Rows showing `references`, or bound to posted `data`."""
    initial = [
        {k: str(ref.get(k) or "") for k in ("text", "pmid", "doi", "url")}
        for ref in references or []
    ]
    return ReferenceRows(data=data, initial=initial, prefix=PREFIX)


def posted_rows(post) -> BaseReferenceRows | None:
    """The posted reference rows, or None when the form posted none (references unchanged)."""
    if f"{PREFIX}-TOTAL_FORMS" not in post:
        return None
    return reference_rows(data=post)
