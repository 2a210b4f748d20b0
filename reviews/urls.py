from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("bulk-approve/", views.bulk_approve, name="bulk_approve"),
    path("bulk-approve/all/", views.bulk_approve_all, name="bulk_approve_all"),
    path("bulk/<uuid:job_id>/", views.bulk_job, name="bulk_job"),
    path("bulk/<uuid:job_id>/status/", views.bulk_status, name="bulk_status"),
    path("activities/<slug:code>/", views.activity_page, name="activity"),
    path("activities/<slug:code>/decide/", views.decide, name="decide"),
    path("activities/<slug:code>/extend/", views.extend, name="extend"),
    path("activities/<slug:code>/recommend/", views.recommend, name="recommend"),
    path(
        "activities/<slug:code>/items/<slug:kind>/<int:item_id>/<slug:action>/",
        views.moderate,
        name="moderate",
    ),
    path("statistics/", views.statistics, name="statistics"),
    path("screen/", views.screen, name="screen"),
    path("screen/data.json", views.screen_data, name="screen_data"),
    path("exports/", views.exports, name="exports"),
    path("exports/<uuid:job_id>/", views.export_job, name="export_job"),
    path("exports/<uuid:job_id>/status/", views.export_status, name="export_status"),
    path("exports/<uuid:job_id>/download/", views.export_download, name="export_download"),
    path("recommendations/", views.recommendations, name="recommendations"),
]
