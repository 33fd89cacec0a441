"""What this app tells the capabilities built on it (follow-ups, discharge), which listen
rather than being called: care ended, or the client was admitted again."""

from django.dispatch import Signal

# Sent once the transaction commits, when a client leaves a level of care with no next level
# planned (no open transition and no other open episode): kwargs client_id, episode_id,
# discharged_on (a date), discharge_type.
care_ended = Signal()

# Sent once the transaction commits, when a client is admitted to a level of care: kwargs
# client_id, episode_id, admitted_on (a date), transition_id (None for a first admission).
admitted = Signal()
