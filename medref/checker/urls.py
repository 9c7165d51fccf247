from django.urls import path

from medref.checker import views

urlpatterns = [path("check/", views.check_page, name="check")]
