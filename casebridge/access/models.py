"""Time-limited emergency (break-the-glass) access grants."""

from django.conf import settings
from django.db import models


class BreakGlassGrant(models.Model):
    """A staff member's emergency access to one client's record, with the reason they gave."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # A string reference: access knows clients exist but imports nothing of theirs.
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="+")
    reason = models.TextField()
    granted_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-granted_at"]
        indexes = [
            models.Index(fields=["user", "expires_at"]),
            # The last weeks' grants (the Team page), of all ever given: they are kept for good.
            models.Index(fields=["granted_at"], name="breakglass_granted"),
        ]
