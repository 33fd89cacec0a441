"""URLs of levels of care: the client tab, stays, transitions and their hand-off steps."""

from django.urls import path

from casebridge.transitions import views

urlpatterns = [
    path("clients/<int:client_id>/care-levels/", views.care_levels, name="care_levels"),
    path("clients/<int:client_id>/care-levels/stays/new/", views.episode_new, name="episode_new"),
    path(
        "clients/<int:client_id>/care-levels/stays/<int:episode_id>/leave/",
        views.episode_discharge,
        name="episode_discharge",
    ),
    path(
        "clients/<int:client_id>/care-levels/transitions/new/",
        views.transition_new,
        name="transition_new",
    ),
    path(
        "clients/<int:client_id>/care-levels/transitions/<int:transition_id>/admit/",
        views.transition_admit,
        name="transition_admit",
    ),
    path(
        "clients/<int:client_id>/care-levels/transitions/<int:transition_id>/cancel/",
        views.transition_cancel,
        name="transition_cancel",
    ),
    path(
        "clients/<int:client_id>/care-levels/steps/<int:item_id>/",
        views.handoff_item,
        name="handoff_item",
    ),
    path(
        "clients/<int:client_id>/care-levels/steps/<int:item_id>/records/",
        views.handoff_records,
        name="handoff_records",
    ),
]
