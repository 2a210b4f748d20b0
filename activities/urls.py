from django.urls import path

from . import views

app_name = "activities"

urlpatterns = [
    path("publish/", views.publish, name="publish"),
    path("publish/report/", views.report_new, name="report_new"),
    path("center/", views.user_center, name="user_center"),
    path("activities/<slug:code>/edit/", views.report_edit, name="edit"),
    path("activities/<slug:code>/supplement/", views.supplement, name="supplement"),
    path("activities/<slug:code>/qrcode/", views.qrcode_page, name="qrcode"),
    path("activities/<slug:code>/qrcode.png", views.qrcode_png, name="qrcode_png"),
    path("activities/<slug:code>/qrcode.svg", views.qrcode_svg, name="qrcode_svg"),
    path("activities/<slug:code>/delete/", views.delete, name="delete"),
]
