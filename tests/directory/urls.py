"""The project's URLs with the directory's, for the directory's page tests: the project's
urls.py takes the directory's once the URL matrix (tests/access/test_url_matrix.py) has its row."""

from django.urls import include, path

from casebridge.urls import handler404, handler500
from casebridge.urls import urlpatterns as project_urlpatterns

__all__ = ["handler404", "handler500"]

urlpatterns = [*project_urlpatterns, path("", include("casebridge.directory.urls"))]
