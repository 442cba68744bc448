"""Sponsor spots and their campaigns: audio a publisher uploads (a sponsor's read, a
station promo), brought to the narration's loudness, and the campaigns that place it —
dates, placement (pre, mid, post), sections, a cap on the spot's length, a weight — or
that name a VAST tag instead. The player asks which spot to play (``choose``) and
reports impressions and quartiles per campaign (``record``); the public feed carries a
campaign's spot stitched into each episode (``campaigns``, with
``audiogen.publish.sponsors``). Subscribers never get one.
"""

from __future__ import annotations

import hashlib
import json
import random
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from audiogen.errors import ServiceError
from audiogen.publish.sponsors import MAX_CAP_S, PLACEMENTS, Campaign, running, weighted
from audiogen.serve.store import Store, now

#: what the player reports of a spot it played (IAB's linear events, and a skip)
EVENTS = ("impression", "start", "firstQuartile", "midpoint", "thirdQuartile", "complete", "skip", "error")
_COLUMNS = {
    "impression": "impressions",
    "start": "starts",
    "firstQuartile": "q25",
    "midpoint": "q50",
    "thirdQuartile": "q75",
    "complete": "completes",
    "skip": "skips",
    "error": "errors",
}
#: a spot may be skipped after this many seconds
SKIP_AFTER_S = 5
#: a campaign's cap on its spot's length, unless it says
DEFAULT_CAP_S = 30
#: the files of spots, under the data folder
SPOTS = "spots"
#: the MP3 the player plays: its rate and bitrate
PLAYER_RATE = 24000
PLAYER_CODEC = ["-c:a", "libmp3lame", "-b:a", "64k"]


def save_spot(store: Store, folder: Path, name: str, body: bytes, target: tuple[float, float]) -> dict[str, Any]:
    """An uploaded spot, read by ffmpeg (any format it knows), kept as uploaded and as the
    MP3 the player plays, mastered to ``target`` (LUFS, dBTP)."""
    from audiogen.audio.master import LoudnessTarget
    from audiogen.audio.mp3splice import encode_block
    from audiogen.audio.pcm import decode_audio_file, ffmpeg_exe
    from audiogen.errors import AudiogenError
    from audiogen.export.stitch import master_spot
    from audiogen.files import write_atomically

    name = " ".join(name.split())
    if not name or len(name) > 100:
        raise ServiceError("a spot's name has 1 to 100 characters")
    if not body:
        raise ServiceError("the spot has no audio (send the file as the request's body)")
    digest = hashlib.sha256(body).hexdigest()[:32]
    spots = folder / SPOTS
    spots.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="audiogen-spot-") as work:
        upload = Path(work) / "upload"
        upload.write_bytes(body)
        try:
            samples = decode_audio_file(upload, PLAYER_RATE, what="spot")
        except AudiogenError:
            raise ServiceError("the spot is not audio that can be read (MP3, WAV, M4A, Ogg, FLAC…)") from None
        if samples.size < PLAYER_RATE // 2:
            raise ServiceError("the spot is shorter than half a second")
        if samples.size > MAX_CAP_S * PLAYER_RATE:
            raise ServiceError(f"the spot is longer than {MAX_CAP_S} seconds")
        pcm = master_spot(samples, PLAYER_RATE, LoudnessTarget(*target))
        write_atomically(spots / f"{digest}.src", body, error=ServiceError)
        write_atomically(
            spots / f"{digest}.mp3", encode_block(ffmpeg_exe(), PLAYER_RATE, PLAYER_CODEC, pcm), error=ServiceError
        )
    duration_ms = samples.size * 1000 // PLAYER_RATE
    with store.transaction():
        store.execute(
            "INSERT INTO spots (name, digest, duration_ms, created) VALUES (?, ?, ?, ?)",
            (name, digest, duration_ms, now()),
        )
        row = store.row("SELECT * FROM spots WHERE digest = ? ORDER BY id DESC LIMIT 1", (digest,))
    assert row is not None
    return row


def spot_source(folder: Path, spot: dict[str, Any]) -> Path:
    return folder / SPOTS / f"{spot['digest']}.src"


def spot_audio(folder: Path, spot: dict[str, Any]) -> Path:
    return folder / SPOTS / f"{spot['digest']}.mp3"


def get_spot(store: Store, spot_id: int) -> dict[str, Any] | None:
    return store.row("SELECT * FROM spots WHERE id = ?", (spot_id,))


def spot_by_digest(store: Store, digest: str) -> dict[str, Any] | None:
    return store.row("SELECT * FROM spots WHERE digest = ? ORDER BY id DESC LIMIT 1", (digest,))


def list_spots(store: Store) -> list[dict[str, Any]]:
    return store.rows("SELECT * FROM spots ORDER BY id")


def delete_spot(store: Store, spot_id: int) -> bool:
    """Remove a spot; refused while a running campaign plays it."""
    with store.transaction():
        if store.row("SELECT id FROM campaigns WHERE spot_id = ? AND ended IS NULL", (spot_id,)):
            raise ServiceError("a running campaign plays this spot: end the campaign first")
        return store.execute("DELETE FROM spots WHERE id = ?", (spot_id,)) > 0


def _day(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise ServiceError(f"'{what}' is a date (YYYY-MM-DD)")
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise ServiceError(f"'{what}' is a date (YYYY-MM-DD)") from None


def create_campaign(store: Store, body: dict[str, Any]) -> dict[str, Any]:
    """A campaign from its fields; ``ServiceError`` saying what is wrong."""
    from audiogen.serve.webhooks import section_name

    name = body.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 100:
        raise ServiceError("a campaign's 'name' has 1 to 100 characters")
    spot_id, vast = body.get("spot"), body.get("vast")
    if (spot_id is None) == (vast is None):
        raise ServiceError("a campaign plays an uploaded 'spot' (its id) or a 'vast' tag URL, one of the two")
    placement = body.get("placement", "pre")
    if placement not in PLACEMENTS:
        raise ServiceError(f"'placement' is one of {', '.join(PLACEMENTS)}")
    cap = body.get("max_seconds", DEFAULT_CAP_S)
    if isinstance(cap, bool) or not isinstance(cap, int) or not 1 <= cap <= MAX_CAP_S:
        raise ServiceError(f"'max_seconds' is a whole number of seconds from 1 to {MAX_CAP_S}")
    weight = body.get("weight", 1)
    if isinstance(weight, bool) or not isinstance(weight, int) or not 1 <= weight <= 1000:
        raise ServiceError("'weight' is a whole number from 1 to 1000")
    today = datetime.now(UTC).date().isoformat()
    starts = _day(body.get("starts", today), "starts")
    ends = _day(body.get("ends", "9999-12-31"), "ends")
    if ends < starts:
        raise ServiceError("the campaign ends before it starts")
    sections = body.get("sections")
    if sections is not None:
        if not isinstance(sections, list) or not all(isinstance(s, str) for s in sections) or len(sections) > 50:
            raise ServiceError("'sections' is a list of section names (or left out for every section)")
        sections = sorted({name for name in (section_name(s) for s in sections) if name})
    if spot_id is not None:
        if isinstance(spot_id, bool) or not isinstance(spot_id, int):
            raise ServiceError("'spot' is an uploaded spot's id")
        spot = get_spot(store, spot_id)
        if spot is None:
            raise ServiceError(f"there is no spot {spot_id}")
        if spot["duration_ms"] > cap * 1000:
            raise ServiceError(
                f"the spot lasts {spot['duration_ms'] / 1000:.1f} s, longer than the campaign's cap of {cap} s"
            )
    if vast is not None and (
        not isinstance(vast, str) or not vast.startswith(("https://", "http://")) or len(vast) > 2000 or " " in vast
    ):
        raise ServiceError("'vast' is the VAST tag's http(s) URL")
    with store.transaction():
        stamp = now()
        store.execute(
            "INSERT INTO campaigns (name, spot_id, vast_url, starts, ends, placement, sections, max_seconds,"
            " weight, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                name.strip(),
                spot_id,
                vast,
                starts,
                ends,
                placement,
                json.dumps(sections) if sections is not None else None,
                cap,
                weight,
                stamp,
            ),
        )
        row = store.row("SELECT * FROM campaigns WHERE created = ? ORDER BY id DESC LIMIT 1", (stamp,))
    assert row is not None
    return row


def end_campaign(store: Store, campaign_id: int) -> bool:
    return store.execute("UPDATE campaigns SET ended = ? WHERE id = ? AND ended IS NULL", (now(), campaign_id)) > 0


def campaigns(store: Store, folder: Path) -> list[Campaign]:
    """The campaigns not ended, as the feed and the player choose among them (their key is
    their id)."""
    out = []
    for row in store.rows("SELECT * FROM campaigns WHERE ended IS NULL ORDER BY id"):
        spot = get_spot(store, row["spot_id"]) if row["spot_id"] is not None else None
        if row["spot_id"] is not None and spot is None:
            continue  # (its spot was removed)
        sections = json.loads(row["sections"]) if row.get("sections") else None
        out.append(
            Campaign(
                key=str(row["id"]),
                name=row["name"],
                placement=row["placement"],
                weight=int(row["weight"]),
                max_seconds=int(row["max_seconds"]),
                sections=tuple(sections) if sections is not None else None,
                starts=row["starts"],
                ends=row["ends"],
                spot=spot_source(folder, spot) if spot is not None else None,
                spot_digest=spot["digest"] if spot is not None else "",
                vast_url=row["vast_url"],
            )
        )
    return out


def choose(
    store: Store, folder: Path, section: str | None, *, vast: bool, rng: random.Random | None = None
) -> Campaign | None:
    """A running campaign for a listener, by weight; VAST ones only with the page's consent."""
    found = [c for c in running(campaigns(store, folder), section) if vast or c.vast_url is None]
    return weighted(found, (rng or random).random())


def parse_event(data: dict[str, Any]) -> tuple[int, str]:
    """(campaign, kind) of a spot event from the player; ``ValueError`` saying what is wrong."""
    campaign, kind = data.get("campaign"), data.get("kind")
    if isinstance(campaign, bool) or not isinstance(campaign, int) or not 1 <= campaign < 2**62:
        raise ValueError("'campaign' is a campaign's id")
    if kind not in EVENTS:
        raise ValueError(f"'kind' is one of {', '.join(EVENTS)}")
    return campaign, kind


def record(store: Store, campaign_id: int, kind: str, day: str | None = None) -> bool:
    """Count a spot event for today; ``False`` for a campaign that does not exist."""
    if store.row("SELECT id FROM campaigns WHERE id = ?", (campaign_id,)) is None:
        return False
    day = day or datetime.now(UTC).date().isoformat()
    column = _COLUMNS[kind]
    store.execute(
        f"INSERT INTO campaign_stats (campaign_id, day, {column}) VALUES (?, ?, 1)"
        f" ON CONFLICT (campaign_id, day) DO UPDATE SET {column} = campaign_stats.{column} + 1",
        (campaign_id, day),
    )
    return True


def campaigns_with_figures(store: Store) -> list[dict[str, Any]]:
    """Every campaign, with its figures summed over its days."""
    out = []
    for row in store.rows("SELECT * FROM campaigns ORDER BY id DESC"):
        sums = store.row(
            "SELECT "
            + ", ".join(f"COALESCE(SUM({c}), 0) AS {c}" for c in _COLUMNS.values())
            + " FROM campaign_stats WHERE campaign_id = ?",
            (row["id"],),
        )
        figures: dict[str, Any] = {name: int((sums or {}).get(name) or 0) for name in _COLUMNS.values()}
        impressions = figures["impressions"]
        figures["completion"] = round(figures["completes"] / impressions, 3) if impressions else None
        out.append(
            {
                "id": row["id"],
                "name": row["name"],
                "spot": row["spot_id"],
                "vast": row["vast_url"],
                "placement": row["placement"],
                "sections": json.loads(row["sections"]) if row["sections"] else None,
                "starts": row["starts"],
                "ends": row["ends"],
                "max_seconds": row["max_seconds"],
                "weight": row["weight"],
                "running": row["ended"] is None,
                "figures": figures,
            }
        )
    return out
