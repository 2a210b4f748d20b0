from django.urls import path

from . import views

app_name = "organizations"

urlpatterns = [
    path("", views.organization_detail, name="detail"),
    path("edit/", views.organization_edit, name="edit"),
]
