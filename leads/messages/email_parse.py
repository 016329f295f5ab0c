"""Reading an e-mail (a pasted source or an uploaded .eml) with the standard library's ``email``.

Only what triage needs is kept: sender, subject, date, Message-ID and the text the sender wrote
(the text/plain part, else the HTML part reduced to text; quoted replies and signatures cut off).
"""

from __future__ import annotations

import email
import email.policy
import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import parseaddr, parsedate_to_datetime

from django.utils import timezone

from crm_saas.errors import DomainError

EML_MAX_BYTES = 2 * 1024 * 1024
HEADER_LINE = re.compile(r"^[A-Za-z][A-Za-z0-9-]{1,40}:[ \t]")
REQUIRED_ANY = ("from", "subject", "date", "message-id", "to")
# Where the sender's own words end: the quoted thread or the signature.
QUOTE_START = re.compile(
    r"^(?:On .{4,200} wrote:|-{2,} ?Original Message ?-{2,}|From: .+|Sent from my \w+|-- ?)$",
    re.IGNORECASE | re.MULTILINE,
)
TAGS = re.compile(r"<(?:script|style)[^>]*>.*?</(?:script|style)>|<[^>]+>", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class ParsedEmail:
    sender: str
    subject: str
    body: str
    sent_at: datetime | None
    message_id: str


def looks_like_email_source(text: str) -> bool:
    """A paste that starts with mail headers (From:, Subject:...) rather than just the words."""
    head = text.lstrip().splitlines()[:15]
    names = {line.split(":", 1)[0].strip().lower() for line in head if HEADER_LINE.match(line)}
    return len(names & set(REQUIRED_ANY)) >= 2


def _body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, UnicodeDecodeError, AssertionError) as exc:
        raise DomainError("The e-mail's text could not be decoded (unknown character set).", field="file") from exc
    if not isinstance(content, str):
        return ""
    if part.get_content_type() == "text/html":
        content = html.unescape(TAGS.sub(" ", re.sub(r"<br\s*/?>|</p>", "\n", content, flags=re.IGNORECASE)))
    return content


def strip_quoted(text: str) -> str:
    """The sender's own words: cut at the quoted thread or signature, drop "> " lines."""
    text = text.replace("\r\n", "\n")
    found = QUOTE_START.search(text)
    if found and found.start() > 0:
        text = text[: found.start()]
    lines = [line for line in text.splitlines() if not line.lstrip().startswith(">")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def parse_email(raw: bytes) -> ParsedEmail:
    """Parse an RFC 5322 message; a clear ``DomainError`` for anything that is not one."""
    if not raw.strip():
        raise DomainError("The e-mail file is empty.", field="file")
    if len(raw) > EML_MAX_BYTES:
        raise DomainError(f"The e-mail is larger than {EML_MAX_BYTES // (1024 * 1024)} MB.", field="file")
    if b"\x00" in raw[:4096]:
        raise DomainError("This is not an e-mail file (.eml): it holds binary data.", field="file")
    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
    except Exception as exc:  # the parser is lenient; anything it raises means unreadable input
        raise DomainError("This file could not be read as an e-mail (.eml).", field="file") from exc
    present = {name.lower() for name in message}
    if not present & set(REQUIRED_ANY):
        raise DomainError(
            "This is not an e-mail (.eml): it has none of the From, To, Subject, Date or Message-ID headers.",
            field="file",
        )
    try:
        sender = parseaddr(str(message.get("from", "")))[1].strip().lower()
        subject = " ".join(str(message.get("subject", "")).split())[:300]
        message_id = str(message.get("message-id", "")).strip()[:300]
    except (ValueError, TypeError) as exc:
        raise DomainError("The e-mail's headers could not be read.", field="file") from exc
    sent_at = None
    if message.get("date"):
        try:
            sent_at = parsedate_to_datetime(str(message["date"]))
            if timezone.is_naive(sent_at):
                sent_at = sent_at.replace(tzinfo=UTC)
        except (TypeError, ValueError, IndexError):
            sent_at = None  # an unreadable date is not worth refusing the e-mail; arrival time is used
    body = strip_quoted(_body(message))
    if not body and not subject:
        raise DomainError("The e-mail has no text to read (no subject and no text body).", field="file")
    return ParsedEmail(sender=sender, subject=subject, body=body or subject, sent_at=sent_at, message_id=message_id)
