from django.urls import path

from . import views

app_name = "summaries"

urlpatterns = [
    path("activities/<slug:code>/summary/", views.edit_summary, name="edit"),
]
