"""Sending one email over SMTP (Flask-Mailman), plain text with an HTML
alternative, from templates under app/templates/email/."""

import smtplib

from flask import current_app, render_template
from flask_mailman import EmailMultiAlternatives

from app import mail
from app.services import outbox


def enabled() -> bool:
    """Whether this server sends email at all (``MAIL_SERVER`` is set)."""
    return bool(current_app.config.get("MAIL_SERVER"))


def send(job_id: int, to: str, subject: str, template: str, **context) -> None:
    """Send ``email/<template>.txt`` (and ``.html``) to ``to``.

    Its Message-ID names the outbox job, so that a copy sent again after a
    crash between sending and recording it can be recognised as the same
    message. A refusal or an unreachable server is ``outbox.Retry``.
    """
    context = {"public_url": current_app.config["CHAT_PUBLIC_URL"], **context}
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_template(f"email/{template}.txt", **context),
        to=[to],
        headers={"Message-ID": _message_id(job_id), "Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(render_template(f"email/{template}.html", **context), "text/html")
    try:
        with mail.get_connection(fail_silently=False) as connection:
            connection.send_messages([message])
    except (smtplib.SMTPException, OSError) as exc:
        raise outbox.Retry(f"SMTP: {_reason(exc)}") from None


def _message_id(job_id: int) -> str:
    host = current_app.config["CHAT_PUBLIC_URL"].split("://", 1)[-1].split("/", 1)[0]
    return f"<outbox-{job_id}@{host.split(':', 1)[0] or 'localhost'}>"


def _reason(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {exc.smtp_error.decode(errors='replace')}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{code} {text!r}" for code, text in exc.recipients.values())
    return f"{type(exc).__name__}: {exc}"
