"""The addresses built outside a request agree with the URL configuration."""

from django.urls import resolve, reverse

from medref.domain.paths import drug_path, guide_path


def test_guide_path_is_the_pair_route_with_slugs_in_order():
    assert guide_path("warfarin", "aspirin") == "/interactions/aspirin-and-warfarin/"
    assert guide_path("aspirin", "warfarin") == reverse("pair", args=["aspirin-and-warfarin"])
    assert resolve(guide_path("a", "b")).url_name == "pair"


def test_drug_path_is_the_drug_route():
    assert drug_path("warfarin") == reverse("drug", args=["warfarin"])
