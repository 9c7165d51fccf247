"""A source of facts (DDInter, the ANSM thesaurus, DrugBank, the team's own files) with the
provenance every statement shown must carry: version, licence, language, checksum of the input."""

from __future__ import annotations

from django.db import models


class Source(models.Model):
    key = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    version = models.CharField(max_length=100)
    licence = models.CharField(max_length=200)
    licence_url = models.URLField(blank=True)
    url = models.URLField(blank=True)
    non_commercial = models.BooleanField(default=False)
    language = models.CharField(max_length=8, default="en")
    citation = models.TextField(blank=True)
    imported_at = models.DateTimeField(null=True, blank=True)
    checksum = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of the imported input"
    )

    class Meta:
        ordering = ["key"]
        # The model lived in the knowledge app until vocab and knowledge pointed at each other
        # through it; the table keeps its name so existing databases move without copying.
        db_table = "knowledge_source"

    def __str__(self) -> str:
        return f"{self.name} {self.version}"
