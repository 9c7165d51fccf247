"""Ingredients, their names and codes, combination products and drug classes."""

from __future__ import annotations

from django.db import models

from medref.domain.kinds import IngredientKind


class NameKind(models.TextChoices):
    INN = "inn", "International non-proprietary name"
    US = "us", "US name"
    UK = "uk", "UK name"
    BRAND = "brand", "Brand name"
    SYNONYM = "synonym", "Synonym"
    SALT = "salt", "Salt or form"
    MISSPELLING = "misspelling", "Common misspelling"
    SOURCE = "source", "Name used by a data source"


class CodeSystem(models.TextChoices):
    ATC = "atc", "WHO ATC"
    RXCUI = "rxcui", "RxNorm RxCUI"
    DRUGBANK = "drugbank", "DrugBank ID"
    UNII = "unii", "FDA UNII"
    WIKIDATA = "wikidata", "Wikidata QID"
    DDINTER = "ddinter", "DDInter ID"


class Ingredient(models.Model):
    slug = models.SlugField(max_length=120, unique=True)
    name = models.CharField(
        max_length=200, help_text="Canonical English name (INN where there is one)"
    )
    source = models.ForeignKey(
        "sources.Source", on_delete=models.PROTECT, related_name="ingredients"
    )
    kind = models.CharField(
        max_length=8,
        choices=IngredientKind.choices(),
        default=IngredientKind.MEDICINE.value,
        help_text="Medicine, or a food, drink or herbal product: chooses the words pages use",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Code(models.Model):
    ingredient = models.ForeignKey(Ingredient, on_delete=models.CASCADE, related_name="codes")
    system = models.CharField(max_length=12, choices=CodeSystem.choices)
    value = models.CharField(max_length=40)
    source = models.ForeignKey("sources.Source", on_delete=models.CASCADE, related_name="codes")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ingredient", "system", "value"], name="code_unique")
        ]
        indexes = [models.Index(fields=["system", "value"])]

    def __str__(self) -> str:
        return f"{self.system}:{self.value}"


class Name(models.Model):
    ingredient = models.ForeignKey(Ingredient, on_delete=models.CASCADE, related_name="names")
    name = models.CharField(max_length=300)
    normalized = models.CharField(max_length=300, db_index=True)
    kind = models.CharField(max_length=12, choices=NameKind.choices)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166 alpha-2, brands only")
    source = models.ForeignKey("sources.Source", on_delete=models.CASCADE, related_name="names")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["ingredient", "normalized", "kind", "country", "source"],
                name="name_unique",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    """A combination product: one name a person types that means several ingredients."""

    name = models.CharField(max_length=300)
    normalized = models.CharField(max_length=300, db_index=True)
    country = models.CharField(max_length=2, blank=True)
    ingredients = models.ManyToManyField(Ingredient, related_name="products")
    source = models.ForeignKey("sources.Source", on_delete=models.CASCADE, related_name="products")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["normalized", "source"], name="product_unique")
        ]

    def __str__(self) -> str:
        return self.name


class ClassKind(models.TextChoices):
    PHARMACOLOGICAL = "pharmacological", "Pharmacological group"
    ATC = "atc", "ATC group"
    CHEMICAL = "chemical", "Chemical group"
    THERAPEUTIC = "therapeutic", "Therapeutic group"


class DrugClass(models.Model):
    slug = models.SlugField(max_length=160, unique=True)
    name = models.CharField(max_length=300)
    kind = models.CharField(max_length=16, choices=ClassKind.choices)
    duplication = models.BooleanField(
        default=False, help_text="Two members in one regimen is a therapeutic duplication"
    )
    description = models.TextField(blank=True)
    language = models.CharField(max_length=8, default="en")
    source = models.ForeignKey("sources.Source", on_delete=models.PROTECT, related_name="classes")
    members = models.ManyToManyField(Ingredient, through="ClassMembership", related_name="classes")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "drug classes"

    def __str__(self) -> str:
        return self.name


class ClassMembership(models.Model):
    drug_class = models.ForeignKey(DrugClass, on_delete=models.CASCADE)
    ingredient = models.ForeignKey(Ingredient, on_delete=models.CASCADE)
    source = models.ForeignKey("sources.Source", on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["drug_class", "ingredient"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.ingredient_id} in {self.drug_class_id}"


class IdentityLink(models.Model):
    """How a source's substance was identified as one of our ingredients: the provenance of a
    merge (or of a creation), so an audit can show why two names are one drug."""

    class Method(models.TextChoices):
        CODE = "code", "shared code"
        RULE = "rule", "name or spelling rule"
        MAPPING = "mapping", "reviewed mapping file"
        CREATED = "created", "no match: created"

    ingredient = models.ForeignKey(Ingredient, on_delete=models.CASCADE, related_name="links")
    source = models.ForeignKey("sources.Source", on_delete=models.CASCADE, related_name="+")
    external_name = models.CharField(max_length=300)
    method = models.CharField(max_length=8, choices=Method.choices)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "external_name"], name="link_per_name")
        ]

    def __str__(self) -> str:
        return f"{self.external_name} -> {self.ingredient_id} ({self.method})"


class ProductCode(models.Model):
    """A product-level code an EHR sends (an RxNorm clinical or branded drug, pack or brand
    RxCUI, or an NDC) and the ingredients it contains, so a coded order is identified without its
    display text. Ingredient-level RxCUIs stay in `Code`."""

    class System(models.TextChoices):
        RXCUI = "rxcui", "RxNorm RxCUI"
        NDC = "ndc", "US National Drug Code (11 digits)"

    system = models.CharField(max_length=8, choices=System.choices)
    value = models.CharField(max_length=20)
    tty = models.CharField(
        max_length=8, help_text="RxNorm term type of the product (SCD, SBD, GPCK, BPCK, BN...)"
    )
    name = models.CharField(max_length=3000, help_text="The product's RxNorm name")
    rxcui = models.CharField(
        max_length=20, blank=True, help_text="For an NDC: the RxCUI of the product it denotes"
    )
    ingredients = models.ManyToManyField(Ingredient, related_name="product_codes")
    source = models.ForeignKey(
        "sources.Source", on_delete=models.CASCADE, related_name="product_codes"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["system", "value", "source"], name="product_code_unique"
            )
        ]
        indexes = [models.Index(fields=["system", "value"])]

    def __str__(self) -> str:
        return f"{self.system}:{self.value}"
