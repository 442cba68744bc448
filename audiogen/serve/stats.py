"""Listening figures the publisher owns: the player's events, kept as daily counts.

The player (with its ``stats`` attribute) sends an event when it is shown (``load``: at
least half of it in view, once per page view), when a listener starts an episode, and
when each tenth of it (and each quarter, as the first players did) has been heard, each
with the playback speed. From these: plays per load (the engagement rate), the share of
listens that reached each tenth (the drop-off curve), the average share heard. Nothing identifies the listener: no cookie, no address, no
user agent is stored; each event adds one to a counter of its episode and day (UTC).
The events endpoint is rate-limited per client address, held in memory only.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from audiogen.serve.store import Store

EVENTS = ("load", "play", "progress")
MARKS = (10, 20, 25, 30, 40, 50, 60, 70, 75, 80, 90, 100)
DECILES = (10, 20, 30, 40, 50, 60, 70, 80, 90, 100)
QUARTERS = (25, 50, 75, 100)
SPEEDS = (0.25, 4.0)


@dataclass(frozen=True)
class Event:
    episode: str
    kind: str
    percent: int | None = None
    speed: float | None = None


def parse_event(data: Any) -> Event:
    """An event from the player's JSON; ``ValueError`` saying what is wrong."""
    if not isinstance(data, dict):
        raise ValueError("an event is a JSON object")
    episode, kind = data.get("episode"), data.get("event")
    if not isinstance(episode, str) or not episode or len(episode) > 128 or not encodable(episode):
        raise ValueError("'episode' must be the episode's id")
    if kind not in EVENTS:
        raise ValueError(f"'event' must be one of {', '.join(EVENTS)}")
    percent = data.get("percent")
    if kind == "progress" and (type(percent) is not int or percent not in MARKS):
        raise ValueError(f"a progress event's 'percent' is one of {', '.join(map(str, MARKS))}")
    speed = data.get("speed")
    if speed is not None:
        if isinstance(speed, bool) or not isinstance(speed, (int, float)) or not SPEEDS[0] <= speed <= SPEEDS[1]:
            raise ValueError(f"'speed' must be a playback rate from {SPEEDS[0]} to {SPEEDS[1]}")
        speed = float(speed)
    return Event(episode, kind, percent if isinstance(percent, int) and kind == "progress" else None, speed)


def encodable(text: str) -> bool:
    """Whether ``text`` is text a database can hold (JSON lets a lone surrogate through)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def record(store: Store, event: Event, day: str | None = None) -> None:
    """Add ``event`` to its episode's counts for today. A mark is counted only while fewer
    listens reached it than started that day: events sent again (a replayed beacon, a
    page that sends "heard it all" four times) cannot make more than all of a day's
    listeners hear a mark."""
    day = day or datetime.now(UTC).date().isoformat()
    speed_sum, speed_count = (event.speed, 1) if event.speed is not None else (0.0, 0)
    if event.kind == "load":
        store.execute(
            "INSERT INTO daily_stats (episode, day, loads) VALUES (?, ?, 1)"
            " ON CONFLICT (episode, day) DO UPDATE SET loads = daily_stats.loads + 1",
            (event.episode, day),
        )
        return
    if event.kind == "play":
        store.execute(
            "INSERT INTO daily_stats (episode, day, plays, speed_sum, speed_count) VALUES (?, ?, 1, ?, ?)"
            " ON CONFLICT (episode, day) DO UPDATE SET plays = daily_stats.plays + 1,"
            " speed_sum = daily_stats.speed_sum + excluded.speed_sum,"
            " speed_count = daily_stats.speed_count + excluded.speed_count",
            (event.episode, day, speed_sum, speed_count),
        )
        return
    column = f"heard{event.percent}"  # (one of MARKS: parse_event let no other through)
    assert event.percent in MARKS
    store.execute(
        f"UPDATE daily_stats SET {column} = {column} + 1, speed_sum = speed_sum + ?, speed_count = speed_count + ?"
        f" WHERE episode = ? AND day = ? AND {column} < plays",
        (speed_sum, speed_count, event.episode, day),
    )


def summary(store: Store, days: int = 30, episode: str | None = None) -> dict[str, Any]:
    """The figures of the last ``days`` days: per episode (loads, listens, plays per load,
    the share that heard each tenth and quarter, the average share heard, average speed,
    day by day) and in all."""
    since = (datetime.now(UTC).date() - timedelta(days=days - 1)).isoformat()
    where, params = "WHERE s.day >= ?", [since]
    if episode is not None:
        where += " AND s.episode = ?"
        params.append(episode)
    rows = store.rows(
        "SELECT s.*, a.title AS title FROM daily_stats AS s LEFT JOIN articles AS a ON a.id = s.episode "
        + where
        + " ORDER BY s.episode, s.day",
        params,
    )
    episodes: dict[str, dict[str, Any]] = {}
    total = _empty()
    for row in rows:
        entry = episodes.setdefault(row["episode"], {"episode": row["episode"], "title": row["title"], **_empty()})
        day = {name: row[name] for name in ("day", *_COUNTS)}
        entry["days"].append(_finish(dict(day, speed_sum=row["speed_sum"], speed_count=row["speed_count"]), keep=False))
        for target in (entry, total):
            for name in (*_COUNTS, "speed_sum", "speed_count"):
                target[name] += row[name]
    by_day: dict[str, dict[str, Any]] = {}
    for entry in episodes.values():
        for day in entry["days"]:
            into = by_day.setdefault(day["day"], {"day": day["day"], **dict.fromkeys(_COUNTS, 0)})
            for name in _COUNTS:
                into[name] += day[name]
    listed = sorted((_finish(entry) for entry in episodes.values()), key=lambda e: (-e["plays"], e["episode"]))
    return {
        "since": since,
        "days": days,
        "totals": _finish(total) | {"days": [by_day[d] for d in sorted(by_day)]},
        "episodes": listed,
    }


_COUNTS = ("loads", "plays", *(f"heard{mark}" for mark in MARKS))


def _empty() -> dict[str, Any]:
    return {**dict.fromkeys(_COUNTS, 0), "speed_sum": 0.0, "speed_count": 0, "days": []}


def _finish(entry: dict[str, Any], keep: bool = True) -> dict[str, Any]:
    """Sums → what a reader wants: the completion curve (share of listens that reached
    each mark) and the average speed."""
    plays = entry["plays"]
    entry["completion"] = {str(mark): round(entry[f"heard{mark}"] / plays, 4) if plays else None for mark in MARKS}
    entry["plays_per_load"] = round(plays / entry["loads"], 4) if entry["loads"] else None
    # the average share of an episode heard, from the tenths (or, for listens counted
    # before the tenths existed, the quarters): each mark reached adds its step
    tenths = sum(entry[f"heard{mark}"] for mark in DECILES if mark not in QUARTERS)
    marks, step = (DECILES, 0.1) if tenths else (QUARTERS, 0.25)
    entry["average_heard"] = round(sum(entry[f"heard{m}"] for m in marks) * step / plays, 4) if plays else None
    count = entry.pop("speed_count")
    total = entry.pop("speed_sum")
    entry["average_speed"] = round(total / count, 3) if count else None
    if not keep:
        entry.pop("days", None)
    return entry


class RateLimiter:
    """At most ``per_minute`` events per client address, in bursts of up to a quarter of
    that (a token bucket); addresses not seen for a while are forgotten."""

    def __init__(self, per_minute: int) -> None:
        self.rate = per_minute / 60.0
        self.burst = max(1.0, per_minute / 4)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()
        self._pruned = time.monotonic()

    def allow(self, client: str) -> bool:
        moment = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(client, (self.burst, moment))
            tokens = min(self.burst, tokens + (moment - last) * self.rate)
            allowed = tokens >= 1.0
            self._buckets[client] = (tokens - 1.0 if allowed else tokens, moment)
            if moment - self._pruned > 60:
                idle = self.burst / self.rate if self.rate else 60
                self._buckets = {k: v for k, v in self._buckets.items() if moment - v[1] < idle}
                self._pruned = moment
        return allowed
