"""Consent and disclosure URLs, under the client's id."""

from django.urls import path

from casebridge.consents import views

C = "clients/<int:client_id>/"
urlpatterns = [
    path(C + "consents/", views.consent_list, name="consent_list"),
    path(C + "consents/new/", views.consent_new, name="consent_new"),
    path(C + "consents/<int:consent_id>/", views.consent_detail, name="consent_detail"),
    path(C + "consents/<int:consent_id>/edit/", views.consent_edit, name="consent_edit"),
    path(C + "consents/<int:consent_id>/revoke/", views.consent_revoke, name="consent_revoke"),
    path(C + "consents/<int:consent_id>/ended/", views.consent_event, name="consent_event"),
    path(
        C + "consents/<int:consent_id>/condition-met/",
        views.consent_condition,
        name="consent_condition",
    ),
    path(
        C + "consents/<int:consent_id>/print/<str:lang>/", views.consent_print, name="consent_print"
    ),
    path(
        C + "consents/<int:consent_id>/revocation-form/<str:lang>/",
        views.revocation_print,
        name="revocation_print",
    ),
    path(C + "consents/<int:consent_id>/scan/", views.consent_scan, name="consent_scan"),
    path(C + "disclosures/", views.disclosure_list, name="disclosure_list"),
    path(C + "disclosures/new/", views.disclosure_new, name="disclosure_new"),
    path(C + "disclosures/emergency/", views.disclosure_emergency, name="disclosure_emergency"),
    path(
        C + "disclosures/<int:disclosure_id>/",
        views.disclosure_document,
        name="disclosure_document",
    ),
    path(C + "disclosures/accounting/", views.accounting, name="accounting"),
]
