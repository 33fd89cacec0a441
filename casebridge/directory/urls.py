"""Resource directory URLs."""

from django.urls import path

from casebridge.directory import views

urlpatterns = [
    path("directory/", views.directory_search, name="directory_search"),
]
