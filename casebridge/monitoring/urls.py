"""Monitoring URLs, under the client's id: the contact log (notes and coaching sessions) and
check-ins. ("contacts/" is the people around the client, in clients.)"""

from django.urls import path

from casebridge.monitoring.views import calendar, notes, recovery

C = "clients/<int:client_id>/"
N = C + "notes/<int:note_id>/"

urlpatterns = [
    path(C + "contact-log/", notes.contact_log, name="contact_log"),
    path(C + "notes/new/", notes.note_new, name="note_new"),
    path(N, notes.note_detail, name="note_detail"),
    path(N + "edit/", notes.note_edit, name="note_edit"),
    path(N + "cosign/", notes.note_cosign, name="note_cosign"),
    path(N + "addendum/", notes.note_addendum, name="note_addendum"),
    path(C + "coaching/new/", notes.coaching_new, name="coaching_new"),
    path(C + "check-ins/", notes.check_in_list, name="check_in_list"),
    path(C + "check-ins/new/", notes.check_in_new, name="check_in_new"),
]

# The Recovery tab: drug screens, meetings attended, medications.
S = C + "screens/<int:screen_id>/"
urlpatterns += [
    path(C + "recovery/", recovery.recovery_page, name="recovery"),
    path(C + "screens/new/", recovery.screen_new, name="screen_new"),
    path(S, recovery.screen_detail, name="screen_detail"),
    path(S + "confirm/", recovery.screen_confirm, name="screen_confirm"),
    path(C + "meetings/new/", recovery.meeting_new, name="meeting_new"),
    path(C + "coach-sharing/", recovery.coach_sharing, name="coach_sharing"),
    path(C + "medications/new/", recovery.medication_new, name="medication_new"),
    path(
        C + "medications/<int:medication_id>/edit/",
        recovery.medication_edit,
        name="medication_edit",
    ),
]

# The Calendar tab (appointments and obligations), My calendar and its secret feed.
A = C + "appointments/<int:appointment_id>/"
urlpatterns += [
    path(C + "calendar/", calendar.client_calendar, name="client_calendar"),
    path(C + "appointments/new/", calendar.appointment_new, name="appointment_new"),
    path(A, calendar.appointment_detail, name="appointment_detail"),
    path(A + "edit/", calendar.appointment_edit, name="appointment_edit"),
    path(A + "reschedule/", calendar.appointment_reschedule, name="appointment_reschedule"),
    path(A + "status/", calendar.appointment_status, name="appointment_status"),
    path(A + "follow-up/", calendar.appointment_follow_up, name="appointment_follow_up"),
    path(
        A + "cancel-series/",
        calendar.appointment_series_cancel,
        name="appointment_series_cancel",
    ),
    path("calendar/", calendar.my_calendar, name="my_calendar"),
    path("calendar/feed/", calendar.calendar_feed_settings, name="calendar_feed_settings"),
    path("calendar/feed/<str:token>.ics", calendar.calendar_feed, name="calendar_feed"),
]
