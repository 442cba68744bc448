"""The service's database: SQLite in the data folder (WAL) or PostgreSQL by URL.

One connection, used under a lock: SQLite serializes writes anyway, and the service's
queries are small. SQL is written once with ``?`` placeholders and types both engines
read; what differs (the identity column, the row lock a job is claimed with) is filled
in per engine. The schema grows by numbered migrations, each applied once, in order,
in a transaction, and recorded in ``schema_migrations``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from audiogen.errors import ServiceError

log = logging.getLogger("audiogen")

DATABASE_FILE = "audiogen.sqlite3"

#: each migration: its statements, in order (``{identity}``: an auto-numbered key)
MIGRATIONS: list[list[str]] = [
    [
        """CREATE TABLE api_keys (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            hash TEXT NOT NULL,
            created TEXT NOT NULL,
            last_used TEXT,
            revoked TEXT
        )""",
        "CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
        """CREATE TABLE articles (
            id TEXT PRIMARY KEY,
            episode TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            source TEXT NOT NULL,
            voice TEXT,
            lexicon TEXT,
            request_hash TEXT NOT NULL,
            status TEXT NOT NULL,
            title TEXT,
            record TEXT,
            error TEXT,
            created TEXT NOT NULL,
            updated TEXT NOT NULL
        )""",
        """CREATE TABLE jobs (
            id {identity},
            article_id TEXT NOT NULL,
            state TEXT NOT NULL,
            reason TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            runner TEXT,
            created TEXT NOT NULL,
            started TEXT,
            finished TEXT,
            error TEXT,
            result TEXT
        )""",
        "CREATE INDEX jobs_by_state ON jobs (state, id)",
        "CREATE INDEX jobs_by_article ON jobs (article_id, id)",
        """CREATE TABLE runners (
            id TEXT PRIMARY KEY,
            host TEXT NOT NULL,
            pid INTEGER NOT NULL,
            heartbeat DOUBLE PRECISION NOT NULL
        )""",
        """CREATE TABLE daily_stats (
            episode TEXT NOT NULL,
            day TEXT NOT NULL,
            plays INTEGER NOT NULL DEFAULT 0,
            heard25 INTEGER NOT NULL DEFAULT 0,
            heard50 INTEGER NOT NULL DEFAULT 0,
            heard75 INTEGER NOT NULL DEFAULT 0,
            heard100 INTEGER NOT NULL DEFAULT 0,
            speed_sum DOUBLE PRECISION NOT NULL DEFAULT 0,
            speed_count INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (episode, day)
        )""",
    ],
    # 2: an article's own language and quotation voice
    [
        "ALTER TABLE articles ADD COLUMN language TEXT",
        "ALTER TABLE articles ADD COLUMN quote_voice TEXT",
    ],
    # 3: webhook calls already taken (a replay inside the signature's window is refused),
    # and the CMS's modified time of the version narrated (an older one never wins)
    [
        "CREATE TABLE webhook_calls (signature TEXT PRIMARY KEY, seen DOUBLE PRECISION NOT NULL)",
        "ALTER TABLE articles ADD COLUMN modified TEXT",
    ],
    # 4: the audio desk: key roles and desk sessions, the site's pronunciations and their
    # history, drafts with preview tokens, sections, what is read of a page, section voices
    [
        "ALTER TABLE api_keys ADD COLUMN role TEXT NOT NULL DEFAULT 'editor'",
        """CREATE TABLE desk_sessions (
            id TEXT PRIMARY KEY,
            key_id TEXT NOT NULL,
            csrf TEXT NOT NULL,
            created TEXT NOT NULL,
            expires DOUBLE PRECISION NOT NULL
        )""",
        """CREATE TABLE pronunciations (
            id {identity},
            phrase TEXT NOT NULL,
            scope TEXT NOT NULL DEFAULT '',
            say TEXT NOT NULL,
            case_sensitive INTEGER NOT NULL DEFAULT 0,
            version INTEGER NOT NULL DEFAULT 1,
            created TEXT NOT NULL,
            updated TEXT NOT NULL
        )""",
        "CREATE UNIQUE INDEX pronunciations_by_phrase ON pronunciations (phrase, scope, case_sensitive)",
        """CREATE TABLE pronunciation_changes (
            id {identity},
            phrase TEXT NOT NULL,
            scope TEXT NOT NULL,
            who TEXT NOT NULL,
            at TEXT NOT NULL,
            old TEXT,
            new TEXT
        )""",
        "ALTER TABLE articles ADD COLUMN draft INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE articles ADD COLUMN preview_token TEXT",
        "ALTER TABLE articles ADD COLUMN preview_expires DOUBLE PRECISION",
        "ALTER TABLE articles ADD COLUMN section TEXT",
        "CREATE INDEX articles_by_created ON articles (created, id)",
        "CREATE INDEX articles_by_status ON articles (status, created)",
        """CREATE TABLE reading_rules (
            id {identity},
            kind TEXT NOT NULL,
            selector TEXT NOT NULL,
            created TEXT NOT NULL
        )""",
        "CREATE TABLE section_voices (section TEXT PRIMARY KEY, voice TEXT NOT NULL)",
    ],
    # 5: the player shown (loads, for plays per load) and every tenth heard (the drop-off curve)
    [
        "ALTER TABLE daily_stats ADD COLUMN loads INTEGER NOT NULL DEFAULT 0",
        *(
            f"ALTER TABLE daily_stats ADD COLUMN heard{mark} INTEGER NOT NULL DEFAULT 0"
            for mark in (10, 20, 30, 40, 60, 70, 80, 90)
        ),
    ],
    # 6: subscriber-only articles (their files served by signed links only), and a default per section
    [
        "ALTER TABLE articles ADD COLUMN access TEXT NOT NULL DEFAULT 'public'",
        "CREATE TABLE section_access (section TEXT PRIMARY KEY, access TEXT NOT NULL)",
    ],
    # 7: subscribers' private feeds (the token stored hashed), and how many places fetch each a day
    [
        """CREATE TABLE subscribers (
            id TEXT PRIMARY KEY,
            token_hash TEXT NOT NULL UNIQUE,
            created TEXT NOT NULL,
            revoked TEXT
        )""",
        """CREATE TABLE subscriber_fetches (
            subscriber TEXT NOT NULL,
            day TEXT NOT NULL,
            place TEXT NOT NULL,
            fetches INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (subscriber, day, place)
        )""",
    ],
    # 8: sponsor spots, their campaigns, and each campaign's figures per day
    [
        """CREATE TABLE spots (
            id {identity},
            name TEXT NOT NULL,
            digest TEXT NOT NULL,
            duration_ms INTEGER NOT NULL,
            created TEXT NOT NULL
        )""",
        """CREATE TABLE campaigns (
            id {identity},
            name TEXT NOT NULL,
            spot_id BIGINT,
            vast_url TEXT,
            starts TEXT NOT NULL,
            ends TEXT NOT NULL,
            placement TEXT NOT NULL,
            sections TEXT,
            max_seconds INTEGER NOT NULL,
            weight INTEGER NOT NULL,
            created TEXT NOT NULL,
            ended TEXT
        )""",
        """CREATE TABLE campaign_stats (
            campaign_id BIGINT NOT NULL,
            day TEXT NOT NULL,
            impressions INTEGER NOT NULL DEFAULT 0,
            starts INTEGER NOT NULL DEFAULT 0,
            q25 INTEGER NOT NULL DEFAULT 0,
            q50 INTEGER NOT NULL DEFAULT 0,
            q75 INTEGER NOT NULL DEFAULT 0,
            completes INTEGER NOT NULL DEFAULT 0,
            skips INTEGER NOT NULL DEFAULT 0,
            errors INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (campaign_id, day)
        )""",
    ],
]

_IDENTITY = {
    "sqlite": "INTEGER PRIMARY KEY AUTOINCREMENT",
    "postgresql": "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
}


def now() -> str:
    """The time in UTC, ISO 8601, to the microsecond (so it also orders)."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


class Store:
    """The database, by ``url``: ``postgresql://…`` or a SQLite file path."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._lock = threading.RLock()
        self._depth = 0
        if url.startswith(("postgresql://", "postgres://")):
            self.dialect = "postgresql"
            self._connection: Any = _connect_postgresql(url)
        else:
            self.dialect = "sqlite"
            self._connection = _connect_sqlite(Path(url.removeprefix("sqlite:///")))
        self.migrate()

    # -- queries -------------------------------------------------------------------------

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.dialect == "postgresql" else sql

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; the number of rows it changed."""
        with self._lock:
            cursor = self._cursor(sql, params)
            return int(cursor.rowcount or 0)

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self._lock:
            cursor = self._cursor(sql, params)
            return [dict(row) for row in cursor.fetchall()]

    def row(self, sql: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
        found = self.rows(sql, params)
        return found[0] if found else None

    def _cursor(self, sql: str, params: Sequence[Any]) -> Any:
        if self.dialect == "postgresql" and not self._depth and self._connection.closed:
            self._reconnect()
        try:
            with _database_failures():
                return self._connection.execute(self._sql(sql), tuple(params))
        except ServiceError:
            # a PostgreSQL server that restarted: reconnect and try once more, outside a
            # transaction only (inside one, the whole transaction fails and is retried)
            if self.dialect != "postgresql" or self._depth or not self._connection.closed:
                raise
            self._reconnect()
            with _database_failures():
                return self._connection.execute(self._sql(sql), tuple(params))

    def _reconnect(self) -> None:
        log.warning("the database connection was lost; connecting again")
        with contextlib.suppress(*_DATABASE_ERRORS):
            self._connection.close()
        self._connection = _connect_postgresql(self.url)

    def clock(self) -> float:
        """The database's time (Unix seconds): one clock for every node that shares it, so
        heartbeats compare right however far apart the nodes' own clocks are."""
        if self.dialect != "postgresql":
            return time.time()
        row = self.row("SELECT EXTRACT(EPOCH FROM clock_timestamp()) AS now")
        return float(row["now"]) if row else time.time()

    def lock(self, key: int) -> None:
        """Inside a transaction: hold the cluster-wide lock ``key`` until it ends (one
        node at a time; on SQLite the transaction itself is already exclusive)."""
        if self.dialect == "postgresql":
            self.execute("SELECT pg_advisory_xact_lock(?)", (key,))

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Store]:
        """Statements that land together or not at all (nested: part of the outer one)."""
        with self._begun(sqlite="BEGIN IMMEDIATE", postgresql=None):
            yield self

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[Store]:
        """Reads that see the database at one moment: a row and the rows that go with it
        (an article and its job) read apart could straddle a write that changed both, and
        show a job finished on an article still running. Inside a transaction: part of it."""
        with self._begun(sqlite="BEGIN", postgresql="SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"):
            yield self

    @contextlib.contextmanager
    def _begun(self, *, sqlite: str, postgresql: str | None) -> Iterator[None]:
        """One transaction on this store's connection, begun as the dialect's statement
        says (PostgreSQL's: the first statement in it, if any), committed at the end."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            if self.dialect == "postgresql" and self._connection.closed:
                self._reconnect()
            self._depth = 1
            try:
                if self.dialect == "postgresql":
                    with _database_failures(), self._connection.transaction():
                        if postgresql:
                            self._connection.execute(postgresql)
                        yield
                else:
                    with _database_failures():
                        self._connection.execute(sqlite)
                    try:
                        yield
                    except BaseException:
                        with contextlib.suppress(*_DATABASE_ERRORS):
                            self._connection.execute("ROLLBACK")
                        raise
                    try:
                        with _database_failures():
                            self._connection.execute("COMMIT")  # a full disk says so here
                    except ServiceError:
                        with contextlib.suppress(*_DATABASE_ERRORS):
                            self._connection.execute("ROLLBACK")
                        raise
            finally:
                self._depth = 0

    def claim_clause(self) -> str:
        """What a job's claiming query adds so two services never take the same job."""
        return " FOR UPDATE SKIP LOCKED" if self.dialect == "postgresql" else ""

    # -- the schema ------------------------------------------------------------------------

    def migrate(self) -> int:
        """Apply the migrations not yet applied; the schema's version after."""
        with self.transaction():
            if self.dialect == "postgresql":
                self.execute("SELECT pg_advisory_xact_lock(?)", (0x617564696F67656E,))  # one migrator at a time
            self.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied TEXT NOT NULL)"
            )
            row = self.row("SELECT MAX(version) AS version FROM schema_migrations")
            version = int(row["version"] or 0) if row else 0
            if version > len(MIGRATIONS):
                raise ServiceError(
                    f"the database's schema (version {version}) is newer than this audiogen knows ({len(MIGRATIONS)})",
                    hint="upgrade audiogen",
                )
            for number, statements in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in statements:
                    self.execute(statement.replace("{identity}", _IDENTITY[self.dialect]))
                self.execute("INSERT INTO schema_migrations (version, applied) VALUES (?, ?)", (number, now()))
                log.info("database migrated to schema version %d", number)
        return len(MIGRATIONS)

    def close(self) -> None:
        with self._lock, contextlib.suppress(Exception):
            self._connection.close()

    # -- settings --------------------------------------------------------------------------

    def setting(self, name: str) -> str | None:
        row = self.row("SELECT value FROM settings WHERE name = ?", (name,))
        return str(row["value"]) if row else None

    def put_setting(self, name: str, value: str) -> None:
        self.execute(
            "INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            (name, value),
        )


def _connect_sqlite(path: Path) -> sqlite3.Connection:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        new = not path.exists()
        connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
        if new:
            os.chmod(path, 0o600)  # it holds the webhook secret
        connection.row_factory = sqlite3.Row
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("PRAGMA busy_timeout=30000")
    except (OSError, sqlite3.Error) as exc:
        raise ServiceError(f"cannot open the database {path}: {exc}") from None
    return connection


def _connect_postgresql(url: str) -> Any:
    try:
        import psycopg
        from psycopg.rows import dict_row
    except ImportError:
        raise ServiceError(
            "a PostgreSQL database needs psycopg", hint="pip install 'audiogen[serve,postgresql]'"
        ) from None
    try:
        return psycopg.connect(url, autocommit=True, row_factory=dict_row)
    except psycopg.Error as exc:
        raise ServiceError(f"cannot connect to the PostgreSQL database: {_without_password(str(exc))}") from None


def _without_password(message: str) -> str:
    import re

    return re.sub(r"(password=)\S+", r"\1***", message)


def _database_errors() -> tuple[type[Exception], ...]:
    try:
        import psycopg
    except ImportError:
        return (sqlite3.Error,)
    return (sqlite3.Error, psycopg.Error)


_DATABASE_ERRORS = _database_errors()


@contextlib.contextmanager
def _database_failures() -> Iterator[None]:
    """The database's own errors as the service's one error: "the database failed" (the
    API answers 503), wherever they come from, the COMMIT of a full disk included."""
    try:
        yield
    except _DATABASE_ERRORS as exc:
        raise ServiceError(f"the database failed: {exc}") from exc
