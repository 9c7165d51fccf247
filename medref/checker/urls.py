from django.urls import path

from medref.checker import views

urlpatterns = [
    path("check/", views.check_page, name="check"),
    path("check/report", views.check_report, name="check-report"),
    path("check/report.pdf", views.check_report, {"pdf": True}, name="check-report-pdf"),
]
