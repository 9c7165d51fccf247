from django.urls import path

from medref.reference import search_view, views

urlpatterns = [
    path("search/", search_view.search_page, name="search"),
    path("about/<slug:slug>/", views.editorial_page, name="editorial-page"),
    path("topics/", views.topic_index, name="topic-index"),
    path("topics/confirm/", views.confirm_hcp, name="confirm-hcp"),
    path("topics/id/<uuid:uid>/", views.topic_by_uid, name="topic-uid"),
    path("topics/<slug:slug>/", views.topic_page, name="topic"),
]
