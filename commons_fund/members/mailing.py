"""Emails to people: one per person whatever the number of memberships they act for, each in
the person's language, none on a topic they turned off, and each email with a topic carries a
one-click unsubscribe link (RFC 8058 `List-Unsubscribe` headers and a line at its foot).

A template's first line is the subject, the rest the body."""

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from commons_fund.french import elided

from .models import EmailOptOut, EmailTopic, User

UNSUBSCRIBE_SALT = "commons_fund.members.unsubscribe"

# A context, or what makes it in the language being rendered (addresses are per language).
Context = Mapping[str, Any] | Callable[[], Mapping[str, Any]]
Attachment = tuple[str, bytes, str]


def email_render(*, template: str, context: Mapping[str, Any]) -> tuple[str, str]:
    """The subject (first line, spaces folded) and body of an email template, rendered in
    the active language."""
    text = elided(render_to_string(template, dict(context)))
    subject, _sep, body = text.partition("\n")
    return " ".join(subject.split()), body.lstrip("\n")


def unsubscribe_token(*, user: User, topic: str) -> str:
    """A link's proof that it was sent to this person about this topic. It does not expire:
    an old email's link still works, and all it can do is stop emails on one topic."""
    return signing.dumps([user.pk, topic], salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(*, user: User, topic: str) -> str:
    path = reverse(
        "members:unsubscribe", kwargs={"token": unsubscribe_token(user=user, topic=topic)}
    )
    return settings.SITE_URL.rstrip("/") + path


def _footer(*, user: User, topic: str, url: str) -> str:
    preferences = settings.SITE_URL.rstrip("/") + reverse("members:email_preferences")
    return "\n" + gettext(
        "You receive this email about “%(topic)s”. To stop these emails in one click: "
        "%(url)s\nAll your email preferences: %(preferences)s\n"
    ) % {"topic": EmailTopic(topic).label, "url": url, "preferences": preferences}


def people_email(
    *,
    people: Iterable[User],
    template: str,
    context: Context,
    topic: str | None = None,
    attachments: Iterable[Attachment] = (),
) -> int:
    """Send one email per person (each person once, however often they are listed), in
    their language, skipping those who turned `topic` off (`None`: an email about their
    money, always sent). Returns the number of emails sent."""
    recipients = {user.pk: user for user in people if user.email}
    if topic is not None:
        for user_id in EmailOptOut.objects.filter(user__in=recipients, topic=topic).values_list(
            "user_id", flat=True
        ):
            del recipients[user_id]
    attachments = list(attachments)
    messages = []
    by_language: dict[str, list[User]] = {}
    for user in sorted(recipients.values(), key=lambda user: user.email):
        by_language.setdefault(user.language, []).append(user)
    for language, users in by_language.items():
        with translation.override(language):
            subject, body = email_render(
                template=template, context=context() if callable(context) else context
            )
            for user in users:
                headers, text = {}, body
                if topic is not None:
                    url = unsubscribe_url(user=user, topic=topic)
                    headers = {
                        "List-Unsubscribe": f"<{url}>",
                        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                    }
                    text = body.rstrip("\n") + "\n" + _footer(user=user, topic=topic, url=url)
                message = EmailMessage(subject, text, to=[user.email], headers=headers)
                for name, content, mimetype in attachments:
                    message.attach(name, content, mimetype)
                messages.append(message)
    if not messages:
        return 0
    return get_connection(fail_silently=False).send_messages(messages) or 0


def unsubscribe_link_read(*, token: str) -> tuple[User, EmailTopic] | None:
    """The person and topic of an unsubscribe link, or None for a link that is not ours."""
    try:
        user_id, topic = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or topic not in EmailTopic.values:
        return None
    return user, EmailTopic(topic)
