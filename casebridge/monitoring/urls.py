"""Monitoring URLs, under the client's id: the contact log (notes and coaching sessions) and
check-ins. ("contacts/" is the people around the client, in clients.)"""

from django.urls import path

from casebridge.monitoring import views, views_calendar, views_recovery

C = "clients/<int:client_id>/"
N = C + "notes/<int:note_id>/"

urlpatterns = [
    path(C + "contact-log/", views.contact_log, name="contact_log"),
    path(C + "notes/new/", views.note_new, name="note_new"),
    path(N, views.note_detail, name="note_detail"),
    path(N + "edit/", views.note_edit, name="note_edit"),
    path(N + "cosign/", views.note_cosign, name="note_cosign"),
    path(N + "addendum/", views.note_addendum, name="note_addendum"),
    path(C + "coaching/new/", views.coaching_new, name="coaching_new"),
    path(C + "check-ins/", views.check_in_list, name="check_in_list"),
    path(C + "check-ins/new/", views.check_in_new, name="check_in_new"),
]

# The Recovery tab: drug screens, meetings attended, medications.
S = C + "screens/<int:screen_id>/"
urlpatterns += [
    path(C + "recovery/", views_recovery.recovery_page, name="recovery"),
    path(C + "screens/new/", views_recovery.screen_new, name="screen_new"),
    path(S, views_recovery.screen_detail, name="screen_detail"),
    path(S + "confirm/", views_recovery.screen_confirm, name="screen_confirm"),
    path(C + "meetings/new/", views_recovery.meeting_new, name="meeting_new"),
    path(C + "medications/new/", views_recovery.medication_new, name="medication_new"),
    path(
        C + "medications/<int:medication_id>/edit/",
        views_recovery.medication_edit,
        name="medication_edit",
    ),
]

# The Calendar tab (appointments and obligations), My calendar and its secret feed.
A = C + "appointments/<int:appointment_id>/"
urlpatterns += [
    path(C + "calendar/", views_calendar.client_calendar, name="client_calendar"),
    path(C + "appointments/new/", views_calendar.appointment_new, name="appointment_new"),
    path(A, views_calendar.appointment_detail, name="appointment_detail"),
    path(A + "edit/", views_calendar.appointment_edit, name="appointment_edit"),
    path(A + "reschedule/", views_calendar.appointment_reschedule, name="appointment_reschedule"),
    path(A + "status/", views_calendar.appointment_status, name="appointment_status"),
    path(A + "follow-up/", views_calendar.appointment_follow_up, name="appointment_follow_up"),
    path(
        A + "cancel-series/",
        views_calendar.appointment_series_cancel,
        name="appointment_series_cancel",
    ),
    path("calendar/", views_calendar.my_calendar, name="my_calendar"),
    path("calendar/feed/", views_calendar.calendar_feed_settings, name="calendar_feed_settings"),
    path("calendar/feed/<str:token>.ics", views_calendar.calendar_feed, name="calendar_feed"),
]
