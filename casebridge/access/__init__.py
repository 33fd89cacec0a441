"""The one access policy: who may see or change which client, and break-the-glass."""
