"""Resource directory URLs."""

from django.urls import path

from casebridge.directory import views

urlpatterns = [
    path("directory/", views.directory_search, name="directory_search"),
    path("directory/imports/", views.directory_imports, name="directory_imports"),
    path("directory/imports/<int:import_id>/", views.directory_import, name="directory_import"),
    path(
        "directory/imports/<int:import_id>/status/",
        views.directory_import_status,
        name="directory_import_status",
    ),
    path(
        "directory/imports/<int:import_id>/again/",
        views.directory_import_retry,
        name="directory_import_retry",
    ),
    path(
        "directory/imports/<int:import_id>/problems.csv",
        views.directory_import_problems,
        name="directory_import_problems",
    ),
    path("directory/export/", views.directory_export, name="directory_export"),
]
