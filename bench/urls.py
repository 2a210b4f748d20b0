"""The site's URLs and a view that returns a fixed short string under the same middleware."""

from django.http import HttpResponse
from django.urls import include, path


def baseline(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/baseline/", baseline), path("", include("kepuri.urls"))]
