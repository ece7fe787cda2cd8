"""E-mail over SMTP (any relay: the province's mail server, SES, Postfix...).

The message's idempotency key is its `Message-ID`, so a message sent again
after a worker died is recognisably the same mail to every server and client.
5xx answers are permanent (mailbox unknown, refused); 4xx answers, timeouts
and refused connections are retried. A refused log-in is our configuration,
not the recipient's fault: it is retried and shows in `last_error`.
"""
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, parseaddr

from app.notifications.channels.base import Delivery, PermanentFailure, Sent, TemporaryFailure

FOOTER = {
    "vi": "Đây là thư tự động từ Smart Province, vui lòng không trả lời thư này.",
    "en": "This is an automatic message from Smart Province; please do not reply.",
}


class SmtpEmail:
    name = "smtp"

    def __init__(self, *, host: str, port: int = 25, security: str = "none", username: str = "",
                 password: str = "", sender: str = "no-reply@localhost", timeout: float = 10):
        if security not in ("none", "starttls", "ssl"):
            raise ValueError("SMTP_SECURITY must be none, starttls or ssl")
        self.host, self.port, self.security = host, port, security
        self.username, self.password = username, password
        self.sender = sender
        self.timeout = timeout

    def build(self, delivery: Delivery) -> EmailMessage:
        message = EmailMessage()
        domain = parseaddr(self.sender)[1].rpartition("@")[2] or "localhost"
        message["From"] = self.sender
        message["To"] = delivery.address
        message["Subject"] = delivery.title or ""
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = f"<{delivery.idempotency_key}@{domain}>"
        message["Auto-Submitted"] = "auto-generated"
        message["Content-Language"] = delivery.locale
        footer = FOOTER.get(delivery.locale, FOOTER["vi"])
        message.set_content(f"{delivery.body}\n\n-- \n{footer}\n")
        return message

    def send(self, delivery: Delivery) -> Sent:
        message = self.build(delivery)
        try:
            with self._connect() as smtp:
                if self.security == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
                if self.username:
                    smtp.login(self.username, self.password)
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            code, text = next(iter(error.recipients.values()))
            raise _by_code(code, f"recipient refused: {code} {_text(text)}") from error
        except smtplib.SMTPAuthenticationError as error:
            raise TemporaryFailure(f"SMTP log-in refused: {error.smtp_code}") from error
        except smtplib.SMTPResponseException as error:
            raise _by_code(error.smtp_code, f"SMTP {error.smtp_code} {_text(error.smtp_error)}") from error
        except (smtplib.SMTPException, OSError) as error:
            raise TemporaryFailure(f"SMTP server unreachable: {error}") from error
        return Sent(self.name, provider_ref=message["Message-ID"], delivered=True)

    def _connect(self) -> smtplib.SMTP:
        if self.security == "ssl":
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                    context=ssl.create_default_context())
        return smtplib.SMTP(self.host, self.port, timeout=self.timeout)


def _by_code(code: int, reason: str):
    return PermanentFailure(reason) if 500 <= code < 600 else TemporaryFailure(reason)


def _text(value) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)
