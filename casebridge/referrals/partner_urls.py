"""Provider access URLs: staff pages under the client's referral (ids only), and the provider's
pages under /partner/, reached by the link's secret alone."""

from django.urls import path

from casebridge.referrals import partner_views as views

R = "clients/<int:client_id>/referrals/<int:referral_id>/"
P = "partner/referrals/<str:token>/"

urlpatterns = [
    path(R + "packet.pdf", views.referral_packet_download, name="referral_packet_pdf"),
    path(R + "provider-link/", views.referral_link, name="referral_link"),
    path(R + "provider-link/revoke/", views.referral_link_revoke, name="referral_link_revoke"),
    path("partner/thanks/", views.partner_thanks, name="partner_thanks"),
    path(P, views.partner_referral, name="partner_referral"),
    path(P + "accept/", views.partner_respond, {"answer": "accept"}, name="partner_accept"),
    path(P + "decline/", views.partner_respond, {"answer": "decline"}, name="partner_decline"),
    path(P + "schedule/", views.partner_respond, {"answer": "schedule"}, name="partner_schedule"),
    path(P + "outcome/", views.partner_respond, {"answer": "outcome"}, name="partner_outcome"),
]
