"""The public site at the root: the home page by the site-wide name ``home``, then the ``public`` pages."""

from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("public.urls")),
]
