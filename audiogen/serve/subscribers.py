"""Subscribers' private feeds: a feed URL per subscriber, with an unguessable token.

``add`` makes a subscriber (an id or an e-mail address: nothing else is kept about the
person) and gives the token once; the feed at ``/feeds/TOKEN.xml`` lists the public and
the subscriber-only episodes, each file's link signed for that subscriber (``sub=ID`` is
part of what is signed). ``revoke`` ends the feed and every link it gave at once (410).
Each fetch of a feed is counted per day and per place — the address reduced to a keyed
hash, never stored — so a feed passed around (fetched from 50 places in a day) is
flagged on the admin page.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import UTC, datetime
from typing import Any

from audiogen.errors import ServiceError
from audiogen.serve.store import Store, now

ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}")
#: places a feed may be fetched from in a day before it is flagged
SHARED_PLACES = 50


def check_subscriber(subscriber: str) -> str:
    if not isinstance(subscriber, str) or not ID_PATTERN.fullmatch(subscriber):
        raise ServiceError(
            "a subscriber is an id or an e-mail address (letters, digits and . _ @ + -, at most 128)",
        )
    return subscriber


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def add(store: Store, subscriber: str) -> str:
    """A new subscriber, or a new token for one revoked before; the token (shown once)."""
    check_subscriber(subscriber)
    token = secrets.token_urlsafe(32)
    with store.transaction():
        row = store.row("SELECT revoked FROM subscribers WHERE id = ?", (subscriber,))
        if row is not None and not row["revoked"]:
            raise ServiceError(f"'{subscriber}' has a feed already", hint="revoke it first to give a new one")
        if row is None:
            store.execute(
                "INSERT INTO subscribers (id, token_hash, created) VALUES (?, ?, ?)",
                (subscriber, _digest(token), now()),
            )
        else:
            store.execute(
                "UPDATE subscribers SET token_hash = ?, revoked = NULL, created = ? WHERE id = ?",
                (_digest(token), now(), subscriber),
            )
    return token


def revoke(store: Store, subscriber: str) -> bool:
    return store.execute("UPDATE subscribers SET revoked = ? WHERE id = ? AND revoked IS NULL", (now(), subscriber)) > 0


def listed(store: Store) -> list[dict[str, Any]]:
    return store.rows("SELECT id, created, revoked FROM subscribers ORDER BY created")


def by_token(store: Store, token: str) -> dict[str, Any] | None:
    """The subscriber whose feed ``token`` opens (revoked ones too), or ``None``."""
    if not token or len(token) > 100:
        return None
    return store.row("SELECT id, created, revoked FROM subscribers WHERE token_hash = ?", (_digest(token),))


def active(store: Store, subscriber: str) -> bool:
    row = store.row("SELECT revoked FROM subscribers WHERE id = ?", (subscriber,))
    return row is not None and not row["revoked"]


def count_fetch(store: Store, subscriber: str, address: str, secret: str) -> None:
    """One fetch of a subscriber's feed from ``address`` (kept as a keyed hash only)."""
    day = datetime.now(UTC).date().isoformat()
    place = hmac.new(secret.encode(), f"{day}:{address}".encode(), hashlib.sha256).hexdigest()[:16]
    store.execute(
        "INSERT INTO subscriber_fetches (subscriber, day, place, fetches) VALUES (?, ?, ?, 1)"
        " ON CONFLICT (subscriber, day, place) DO UPDATE SET fetches = subscriber_fetches.fetches + 1",
        (subscriber, day, place),
    )


def shared(store: Store, days: int = 30) -> list[dict[str, Any]]:
    """Feeds fetched from ``SHARED_PLACES`` places or more in a day, lately."""
    rows = store.rows(
        "SELECT subscriber, day, COUNT(*) AS places, SUM(fetches) AS fetches FROM subscriber_fetches"
        " GROUP BY subscriber, day HAVING COUNT(*) >= ? ORDER BY day DESC, subscriber",
        (SHARED_PLACES,),
    )
    return rows[: days * 100]
