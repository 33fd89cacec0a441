"""Recovery capital URLs."""

from django.urls import path

from casebridge.recovery_capital import views

C = "clients/<int:client_id>/recovery-capital/"

urlpatterns = [
    path(C, views.recovery_capital, name="recovery_capital"),
    path(C + "network/", views.tie_add, name="support_tie_add"),
    path(C + "network/<int:tie_id>/end/", views.tie_end, name="support_tie_end"),
]
