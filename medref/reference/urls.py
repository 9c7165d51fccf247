from django.urls import path

from medref.reference import views

urlpatterns = [
    path("about/<slug:slug>/", views.editorial_page, name="editorial-page"),
]
