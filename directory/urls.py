from django.urls import path

from . import views

app_name = "directory"

urlpatterns = [
    path("", views.unit_lookup, name="unit_lookup"),
    path("units/autocomplete/", views.unit_autocomplete, name="unit_autocomplete"),
]
