from django.urls import path

from medref.annotations import views

urlpatterns = [
    path("topics/<slug:slug>/annotations/", views.add, name="annotation-add"),
    path("annotations/", views.mine, name="annotations"),
    path("annotations/export.json", views.export_json, name="annotations-json"),
    path("annotations/export.csv", views.export_csv, name="annotations-csv"),
    path("annotations/<int:pk>/edit/", views.edit, name="annotation-edit"),
    path("annotations/<int:pk>/delete/", views.delete, name="annotation-delete"),
]
