from django.urls import path

from . import seo, views

app_name = "public"

urlpatterns = [
    path("activities/", views.activity_list, name="list"),
    # The activity page: the path printed in every QR code, final.
    path("a/<slug:code>/", views.activity_page, name="activity"),
    path("a/<slug:code>/me", views.reader_state, name="reader_state"),
    path("a/<slug:code>/checkin/", views.check_in, name="checkin"),
    path("a/<slug:code>/join/", views.join, name="join"),
    path("a/<slug:code>/share/", views.share, name="share"),
    path("a/<slug:code>/poster.png", views.share_poster, name="poster"),
    path("a/<slug:code>/like/", views.like, name="like"),
    path("a/<slug:code>/favorite/", views.favorite, name="favorite"),
    path("a/<slug:code>/comments/", views.comment, name="comment"),
    path("a/<slug:code>/comments/<int:pk>/delete/", views.comment_delete, name="comment_delete"),
    path("a/<slug:code>/comments/<int:pk>/hide/", views.comment_hide, name="comment_hide"),
    path("accounts/me/", views.personal_center, name="personal_center"),
    path("screen/", views.screen, name="screen"),
    path("screen/data.json", views.screen_data, name="screen_data"),
    # For search engines: what they may crawl, and the public activities.
    path("robots.txt", seo.robots_txt, name="robots"),
    path("sitemap.xml", seo.sitemap_index, name="sitemap"),
    path("sitemap-activities.xml", seo.sitemap_section, {"section": seo.SECTION}, name="sitemap_section"),
]
