from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from . import views

handler500 = "kepuri.views.server_error"

urlpatterns = [
    path("api/v1/", include("api.urls")),  # first: its busiest paths are matched before the site's
    path("", include("public.site_urls")),  # the home page and the public pages
    path("favicon.ico", views.favicon),
    path("health/tasks/", views.task_health),
    path("agreement/", views.agreement, name="agreement"),
    path("accounts/", include("accounts.urls")),
    path("directory/", include("directory.urls")),
    path("messages/", include("notifications.urls")),
    path("review/", include("reviews.urls")),
    path("center/organization/", include("organizations.urls")),
    path("", include("activities.urls")),
    path("", include("summaries.urls")),
    path("admin/login/", views.admin_login),
    path("admin/", admin.site.urls),
]

if "://" not in settings.MEDIA_URL:  # media on this host (not a storage service's own address)
    urlpatterns.append(path(f"{settings.MEDIA_URL.lstrip('/')}<path:path>", views.media))
