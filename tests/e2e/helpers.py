"""Helpers for the browser tests: reading what the SMTP server received."""

import re
import time

LINK_RE = re.compile(r"https?://[^\s<>\"]+")


def wait_for_mail(mailbox, *, to: str, timeout: float = 15.0):
    """The newest message sent to `to`, waiting for it to arrive over SMTP."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in reversed(list(mailbox.messages)):
            if to.lower() in str(message["To"]).lower():
                return message
        time.sleep(0.1)
    raise AssertionError(f"no email to {to} arrived within {timeout}s")


def mail_link(message, path_prefix: str) -> str:
    part = message.get_body(preferencelist=("plain",))
    body = part.get_content() if part else ""
    for link in LINK_RE.findall(body):
        if path_prefix in link:
            return link
    raise AssertionError(f"no link containing {path_prefix!r} in email:\n{body}")
