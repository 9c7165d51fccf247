from django.urls import path

from medref.lists import views

urlpatterns = [
    path("lists/", views.mine, name="lists"),
    path("lists/new/", views.create, name="list-create"),
    path("lists/export.json", views.export_json, name="lists-json"),
    path("lists/export.csv", views.export_csv, name="lists-csv"),
    path("lists/<int:pk>/", views.detail, name="list"),
    path("lists/<int:pk>/edit/", views.edit, name="list-edit"),
    path("lists/<int:pk>/add/", views.add, name="list-add"),
    path("lists/<int:pk>/remove/", views.remove, name="list-remove"),
    path("lists/<int:pk>/delete/", views.delete, name="list-delete"),
    path("lists/<int:pk>/check/", views.recheck, name="list-check"),
    path("lists/<int:pk>/export.json", views.export_json, name="list-json"),
    path("lists/<int:pk>/export.csv", views.export_csv, name="list-csv"),
]
