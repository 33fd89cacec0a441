"""Secrets that travel in a URL path (a provider's referral link, a calendar feed address) are
masked in every log line: the application's logs and the web server's access log. Whoever reads
the logs must not be able to open a client's referral packet or calendar with them."""

import logging
import re
from typing import Any

from gunicorn.glogging import Logger

# The path segment after each of these is a secret (referrals.partner_urls, monitoring.urls).
SECRET_IN_PATH = re.compile(r"(/partner/referrals/|/calendar/feed/)[^/\s?#\"']+")
MASK = "[secret]"


def mask(text: str) -> str:
    return SECRET_IN_PATH.sub(rf"\g<1>{MASK}", text)


class MaskSecrets(logging.Filter):
    """On the log handlers: a record whose message holds a secret path is rewritten."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


class AccessLog(Logger):
    """Gunicorn's logger (`casebridge serve`), with the request line and path masked."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        found = super().atoms(resp, req, environ, request_time)
        # Every atom that may hold the path: the request line, the path, the raw URI, the
        # environment's copies of them.
        return {
            key: mask(value) if isinstance(value, str) else value for key, value in found.items()
        }
