"""Email from the site: one message per recipient (no one sees another's
address), over one connection, through Django's backend (the console in
development; SMTP from the environment in production)."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.message import EmailMessage

logger = logging.getLogger(__name__)


def send_each(*, subject: str, body: str, to: Iterable[str]) -> int:
    """Send ``body`` to every address in ``to``; how many went. A mail server's
    failure is logged, never raised: the change that asked for the mail stands."""
    addresses = sorted({address for address in to if address})
    if not addresses:
        return 0
    messages = [
        EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[a])
        for a in addresses
    ]
    try:
        return int(get_connection().send_messages(messages) or 0)
    except OSError:
        logger.exception("sending %d emails (%s) failed", len(messages), subject)
        return 0
