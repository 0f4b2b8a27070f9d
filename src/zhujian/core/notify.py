"""Notice channels: one message to one recipient, through e-mail, the log, or a channel a
deployment adds (WeCom, DingTalk) behind the same two-method interface.

``ZHUJIAN_REMIND_CHANNELS`` names the channels ``zhujian remind`` uses: ``email``, ``log``
or the dotted path of a class with ``name`` and ``send(message, recipient)``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

from zhujian.core.models import User

log = logging.getLogger("zhujian.notify")


@dataclass(frozen=True)
class Message:
    subject: str
    body: str
    url: str = ""  # the page the recipient should open (the workbench)


class Channel(Protocol):
    name: str

    def send(self, message: Message, recipient: User) -> bool:
        """Deliver ``message`` to ``recipient``; False when the recipient cannot be
        reached this way (no address)."""
        ...


class EmailChannel:
    """Django's mail (``MAILERS`` / ``ZHUJIAN_EMAIL_*``) to the user's e-mail address."""

    name = "email"

    def send(self, message: Message, recipient: User) -> bool:
        if not recipient.email:
            return False
        body = f"{message.body}\n\n{message.url}" if message.url else message.body
        send_mail(message.subject, body, None, [recipient.email])
        return True


class LogChannel:
    """Writes the notice to the log (systemd's journal): a record that the job ran and
    whom it would tell, with no mail server."""

    name = "log"

    def send(self, message: Message, recipient: User) -> bool:
        log.info("提醒 %s：%s %s", recipient.username, message.subject, message.body)
        return True


BUILT_IN: dict[str, type] = {"email": EmailChannel, "log": LogChannel}


def channels() -> list[Channel]:
    """The configured channels (read at call time)."""
    out: list[Channel] = []
    for name in getattr(settings, "ZHUJIAN_REMIND_CHANNELS", ["log"]):
        cls = BUILT_IN.get(name) or import_string(name)
        out.append(cls())
    return out
