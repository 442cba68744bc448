"""Who may write: API keys (stored hashed) and signed webhook calls.

An API key is ``ag_<id>_<secret>``: the id finds its row, the SHA-256 of the whole key
is compared in constant time with the one stored (keys are 256 random bits, so a fast
hash is the right one: there is nothing to guess). The key itself is shown once, when
it is created, and never stored or logged.

A key has a role: ``editor`` (the desk and every write of the API) or ``stats`` (the
listening figures only). The desk's pages take a key once and keep a session: a random
id in an HTTP-only, SameSite=Strict cookie, stored hashed with its expiry and its own
token that every form sends back (so a page of another site cannot post for the user).

A webhook call is signed with the service's webhook secret: ``X-Audiogen-Timestamp`` (Unix
seconds) and ``X-Audiogen-Signature: sha256=<hex>``, the HMAC-SHA256 of
``"<timestamp>.<body>"``. Calls older or newer than five minutes are refused, so a
captured call cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from audiogen.errors import ServiceError
from audiogen.serve.store import Store, now

KEY_PREFIX = "ag_"
WEBHOOK_SECRET = "webhook_secret"
#: how far a webhook call's timestamp may be from the service's clock
SIGNATURE_TOLERANCE_S = 300
ROLES = ("editor", "stats")
#: how long a desk session lasts
SESSION_S = 12 * 3600
LINK_SECRET = "link_secret"
#: a signed link's life when the service mints it, and the longest any may have
LINK_LIFE_S = 6 * 3600
MAX_LINK_LIFE_S = 7 * 24 * 3600
#: what every refused link is told (expired, altered, another path, nothing there: alike)
LINK_REFUSED = "this link is not valid (it may have expired)"


@dataclass(frozen=True)
class KeyInfo:
    id: str
    name: str
    created: str
    last_used: str | None
    revoked: str | None
    role: str = "editor"


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_key(store: Store, name: str, role: str = "editor") -> tuple[KeyInfo, str]:
    """A new API key named ``name``: its record, and the key itself (shown only now)."""
    name = name.strip()
    if not name or len(name) > 100:
        raise ServiceError("a key's name must have 1 to 100 characters")
    if role not in ROLES:
        raise ServiceError(f"a key's role is one of {', '.join(ROLES)}")
    key_id = secrets.token_hex(6)
    key = f"{KEY_PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
    created = now()
    store.execute(
        "INSERT INTO api_keys (id, name, hash, created, role) VALUES (?, ?, ?, ?, ?)",
        (key_id, name, _digest(key), created, role),
    )
    return KeyInfo(key_id, name, created, None, None, role), key


def list_keys(store: Store) -> list[KeyInfo]:
    rows = store.rows("SELECT id, name, created, last_used, revoked, role FROM api_keys ORDER BY created")
    return [KeyInfo(**row) for row in rows]


def revoke_key(store: Store, key_id: str) -> None:
    changed = store.execute("UPDATE api_keys SET revoked = ? WHERE id = ? AND revoked IS NULL", (now(), key_id))
    if not changed:
        raise ServiceError(f"no active key '{key_id}'", hint="see 'audiogen serve keys list'")


def check_key(store: Store, key: str) -> KeyInfo | None:
    """The key's record when ``key`` is a valid, unrevoked API key; else ``None``."""
    if not key.startswith(KEY_PREFIX) or len(key) > 200:
        return None
    key_id = key[len(KEY_PREFIX) :].split("_", 1)[0]
    row = store.row("SELECT id, name, hash, created, last_used, revoked, role FROM api_keys WHERE id = ?", (key_id,))
    if row is None or row["revoked"] or not hmac.compare_digest(row.pop("hash"), _digest(key)):
        return None
    used = now()
    if not row["last_used"] or row["last_used"][:16] != used[:16]:  # at most once a minute
        store.execute("UPDATE api_keys SET last_used = ? WHERE id = ?", (used, key_id))
    return KeyInfo(**row)


def start_session(store: Store, key: KeyInfo) -> tuple[str, str]:
    """A desk session for ``key``: its id (for the cookie) and its form token."""
    session, token = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    with store.transaction():
        store.execute("DELETE FROM desk_sessions WHERE expires < ?", (time.time(),))
        store.execute(
            "INSERT INTO desk_sessions (id, key_id, csrf, created, expires) VALUES (?, ?, ?, ?, ?)",
            (_digest(session), key.id, token, now(), time.time() + SESSION_S),
        )
    return session, token


def session_key(store: Store, session: str) -> tuple[KeyInfo, str] | None:
    """The key of a live desk session and its form token; ``None`` when the session is
    unknown, expired, or its key was revoked since."""
    if not session or len(session) > 100:
        return None
    row = store.row(
        "SELECT k.id, k.name, k.created, k.last_used, k.revoked, k.role, s.csrf, s.expires FROM desk_sessions AS s"
        " JOIN api_keys AS k ON k.id = s.key_id WHERE s.id = ?",
        (_digest(session),),
    )
    if row is None or row["revoked"] or row["expires"] < time.time():
        return None
    token = row.pop("csrf")
    row.pop("expires")
    return KeyInfo(**row), token


def end_session(store: Store, session: str) -> None:
    store.execute("DELETE FROM desk_sessions WHERE id = ?", (_digest(session),))


def same_token(given: str | None, token: str) -> bool:
    return bool(given) and hmac.compare_digest(str(given).encode(), token.encode())


def webhook_secret(store: Store, *, rotate: bool = False) -> str:
    """The secret webhook calls are signed with, made on first use (or anew)."""
    secret = None if rotate else store.setting(WEBHOOK_SECRET)
    if secret is None:
        secret = "whsec_" + secrets.token_urlsafe(32)
        store.put_setting(WEBHOOK_SECRET, secret)
    return secret


def link_secret(store: Store, *, rotate: bool = False) -> str:
    """The secret subscriber links are signed with, made on first use (or anew: every link
    signed with the old one stops working)."""
    secret = None if rotate else store.setting(LINK_SECRET)
    if secret is None:
        secret = "lnsec_" + secrets.token_urlsafe(32)
        store.put_setting(LINK_SECRET, secret)
    return secret


def link_signature(secret: str, path: str, expires: int | str, subscriber: str = "") -> str:
    """``sig`` of a link to ``path`` (the URL's path, as ``/episodes/E/F``) until ``expires``
    (Unix seconds): the hex HMAC-SHA256 of the path followed by the expiry (and, for a
    link of a subscriber's private feed, the subscriber's id)."""
    message = f"{path}{expires}{subscriber}"
    return hmac.new(secret.encode("utf-8"), message.encode(), hashlib.sha256).hexdigest()


def sign_link(secret: str, path: str, life_s: int = LINK_LIFE_S, subscriber: str = "") -> tuple[int, str]:
    """(exp, sig) of a link to ``path`` that works for ``life_s`` seconds."""
    expires = int(time.time()) + max(1, min(life_s, MAX_LINK_LIFE_S))
    return expires, link_signature(secret, path, expires, subscriber)


def link_good(
    secret: str, path: str, expires: str | None, signature: str | None, subscriber: str | None = None
) -> bool:
    """Whether ``?exp=&sig=`` (and ``sub=``) make a live link to ``path``."""
    if not expires or not signature or not expires.isascii() or not expires.isdigit() or len(expires) > 12:
        return False
    now = time.time()
    if not now < int(expires) <= now + MAX_LINK_LIFE_S:
        return False
    expected = link_signature(secret, path, expires, subscriber or "")
    return signature.isascii() and hmac.compare_digest(expected, signature.strip().lower())


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    """The ``X-Audiogen-Signature`` value of ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def signature_problem(secret: str, timestamp: str | None, signature: str | None, body: bytes) -> str | None:
    """Why a webhook call's signature is not good, or ``None`` when it is."""
    if not timestamp or not signature:
        return "the call is not signed (X-Audiogen-Timestamp and X-Audiogen-Signature)"
    timestamp = timestamp.strip()
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        return "X-Audiogen-Timestamp is not a number of seconds"
    if abs(time.time() - int(timestamp)) > SIGNATURE_TOLERANCE_S:
        return "the call's timestamp is more than five minutes from the service's clock"
    if not signature.isascii() or not hmac.compare_digest(sign(secret, timestamp, body), signature.strip()):
        return "the signature does not match the body"
    return None


def first_call(store: Store, signature: str) -> bool:
    """Record a signed webhook call; ``False`` when the same call (its signature) came
    before: a replay, refused even inside the timestamp's window."""
    cutoff = time.time() - 2 * SIGNATURE_TOLERANCE_S  # older ones fail the timestamp check
    with store.transaction():
        store.execute("DELETE FROM webhook_calls WHERE seen < ?", (cutoff,))
        added = store.execute(
            "INSERT INTO webhook_calls (signature, seen) VALUES (?, ?) ON CONFLICT (signature) DO NOTHING",
            (signature.strip(), time.time()),
        )
    return added == 1
