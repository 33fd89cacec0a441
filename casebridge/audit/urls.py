"""Audit trail URLs (auditors only)."""

from django.urls import path

from casebridge.audit import views

urlpatterns = [path("", views.audit_trail, name="audit_trail")]
