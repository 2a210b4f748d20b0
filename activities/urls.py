from django.urls import path

from . import views

app_name = "activities"

urlpatterns = [
    path("publish/", views.publish, name="publish"),
    path("center/", views.user_center, name="user_center"),
]
