from django.urls import path

from medref.guides import sitemaps, views

urlpatterns = [
    path("interactions/<slug:pair>/", views.pair_page, name="pair"),
    path("drugs/", views.drug_index, name="drug-index"),
    path("drugs/<slug:slug>/", views.drug_page, name="drug"),
    path("sitemap.xml", sitemaps.sitemap_index, name="sitemap"),
    path(
        "sitemap-<str:section>-<int:number>.xml", sitemaps.sitemap_section, name="sitemap-section"
    ),
]
