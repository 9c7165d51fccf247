from django.urls import path

from medref.guides import search, sitemaps, topics, views

urlpatterns = [
    path("search/", search.search_page, name="search"),
    path("about/<slug:slug>/", topics.editorial_page, name="editorial-page"),
    path("topics/", topics.topic_index, name="topic-index"),
    path("topics/confirm/", topics.confirm_hcp, name="confirm-hcp"),
    path("topics/id/<uuid:uid>/", topics.topic_by_uid, name="topic-uid"),
    path("topics/<slug:slug>/", topics.topic_page, name="topic"),
    path("interactions/<slug:pair>/", views.pair_page, name="pair"),
    path("drugs/", views.drug_index, name="drug-index"),
    path("drugs/<slug:slug>/", views.drug_page, name="drug"),
    path("sitemap.xml", sitemaps.sitemap_index, name="sitemap"),
    path(
        "sitemap-<str:section>-<int:number>.xml", sitemaps.sitemap_section, name="sitemap-section"
    ),
]
