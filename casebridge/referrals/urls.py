"""Referral URLs, under the client's id."""

from django.urls import path

from casebridge.referrals import views

C = "clients/<int:client_id>/referrals/"
R = C + "<int:referral_id>/"

urlpatterns = [
    path("team/referrals/", views.referral_measures, name="referral_measures"),
    path(C, views.referral_list, name="referral_list"),
    path(C + "new/", views.referral_new, name="referral_new"),
    path(R, views.referral_detail, name="referral_detail"),
    path(R + "send/", views.referral_send, name="referral_send"),
    path(R + "move/", views.referral_move, name="referral_move"),
    path(R + "contact/", views.referral_contact, name="referral_contact"),
]
