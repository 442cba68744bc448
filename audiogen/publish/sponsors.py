"""Sponsor campaigns for a feed: which campaign an episode carries, and its copy with the
campaign's spot stitched in (see ``audiogen.export.stitch``), made once and reused until
the campaign or the episode changes.

The campaigns come from the service's database (``audiogen serve``) or, for ``audiogen
batch`` and ``audiogen feed``, from a folder of spot files (``--spots DIR``) with an
optional ``campaigns.toml``::

    [[campaign]]
    name = "Acme spring"          # default: the file's name
    spot = "acme.mp3"             # a file in the folder
    placement = "mid"             # pre (default), mid or post
    starts = 2026-12-01           # dates (default: always)
    ends = 2026-12-31
    sections = ["Business"]       # default: every section
    max_seconds = 30              # the longest the spot may be
    weight = 2                    # how often it is chosen against the others

Without ``campaigns.toml`` every audio file in the folder is a campaign of its own,
placed before the article.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from audiogen.errors import ExportError, FeedError

log = logging.getLogger("audiogen")

PLACEMENTS = ("pre", "mid", "post")
MAX_CAP_S = 120
DEFAULT_CAP_S = 30
CAMPAIGNS_FILE = "campaigns.toml"
_AUDIO_SUFFIXES = (".mp3", ".wav", ".m4a", ".aac", ".ogg", ".opus", ".flac")


@dataclass(frozen=True)
class Campaign:
    """A campaign: what it plays (a spot file, or a VAST tag for players), where, when,
    for which sections, how long at most and how often."""

    key: str
    name: str
    placement: str = "pre"
    weight: int = 1
    max_seconds: int = DEFAULT_CAP_S
    sections: tuple[str, ...] | None = None
    starts: str = "0001-01-01"
    ends: str = "9999-12-31"
    #: the spot's audio as uploaded, and a digest of it
    spot: Path | None = None
    spot_digest: str = ""
    vast_url: str | None = None


def running(campaigns: list[Campaign], section: str | None, day: str | None = None) -> list[Campaign]:
    """The campaigns running on ``day`` (today) for an article of ``section``."""
    day = day or datetime.now(UTC).date().isoformat()
    wanted = (section or "").casefold()
    return [
        c
        for c in campaigns
        if c.starts <= day <= c.ends and (c.sections is None or wanted in {s.casefold() for s in c.sections})
    ]


def weighted(campaigns: list[Campaign], pick: float) -> Campaign | None:
    """The campaign at ``pick`` (0 to 1) along the campaigns' weights."""
    total = sum(campaign.weight for campaign in campaigns)
    point = pick * total
    for campaign in campaigns:
        point -= campaign.weight
        if point < 0:
            return campaign
    return campaigns[-1] if campaigns else None


def feed_choice(campaigns: list[Campaign], section: str | None, episode: str) -> Campaign | None:
    """The campaign an episode of a feed carries: spots only (a feed cannot ask a VAST
    server), by weight, the same for the episode while the campaigns stay the same."""
    spots = [c for c in running(campaigns, section) if c.spot is not None]
    digest = hashlib.sha256(episode.encode("utf-8")).digest()
    return weighted(spots, int.from_bytes(digest[:8], "big") / 2**64)


def sponsored_name(audio: str, campaign: Campaign) -> str:
    """The file name of ``audio``'s copy carrying ``campaign``'s spot."""
    stem = audio.rsplit(".", 1)[0]
    tag = hashlib.sha256(campaign.key.encode("utf-8")).hexdigest()[:6]
    return f"{stem}.sponsor-{tag}-{campaign.placement}-{campaign.spot_digest[:12]}.mp3"


class Stitcher:
    """Makes the sponsored copies of a feed's episodes: each spot decoded and mastered
    once per sample rate, the narration's MP3 left as it was encoded."""

    def __init__(self, loudness: float, true_peak: float, bitrate: str | None, vbr: bool) -> None:
        from audiogen.audio.encode import ExportOptions, codec_options, format_for

        self.target = (loudness, true_peak)
        self.codec = None if vbr else codec_options(format_for(Path("x.mp3"), "mp3"), ExportOptions(bitrate=bitrate))
        self._mastered: dict[tuple[str, int, float], Any] = {}

    def records(
        self,
        folder: Path,
        records: Mapping[str, Mapping[str, Any]],
        campaigns: list[Campaign],
        *,
        make: bool,
    ) -> tuple[dict[str, dict[str, Any]], bool]:
        """``records`` with each episode that carries a campaign pointing at its sponsored
        copy, made now when ``make`` (else only those made already); and whether some
        copy is still to be made. Copies no campaign wants any more are removed when
        ``make``."""
        out: dict[str, dict[str, Any]] = {}
        missing = False
        for key, record in records.items():
            out[key] = dict(record)
            audio = str(record.get("audio", ""))
            if record.get("status") != "done" or not record.get("episode") or not audio.endswith(".mp3"):
                continue
            episode = folder / record["episode"]
            campaign = feed_choice(campaigns, record.get("section"), key) if self.codec is not None else None
            wanted = sponsored_name(audio, campaign) if campaign is not None else None
            if make:
                for old in episode.glob(audio.rsplit(".", 1)[0] + ".sponsor-*"):
                    if wanted is None or not old.name.startswith(wanted.rsplit(".", 1)[0] + "."):
                        old.unlink(missing_ok=True)
            if campaign is None or wanted is None:
                continue
            if not (episode / wanted).exists():
                if not make:
                    missing = True
                    continue
                try:
                    self.stitch(episode / audio, campaign, episode / wanted)
                except (ExportError, OSError, ValueError, KeyError) as exc:
                    log.warning("no sponsored copy of %s: %s", record["episode"], exc)
                    continue
            out[key]["audio"] = wanted
        return out, missing

    def stitch(self, audio: Path, campaign: Campaign, target: Path) -> None:
        import json

        from audiogen.audio.master import LoudnessTarget
        from audiogen.audio.pcm import decode_audio_file, ffmpeg_exe
        from audiogen.export.stitch import master_spot, stitch

        assert campaign.spot is not None and self.codec is not None
        timings = json.loads(audio.with_suffix(".json").read_text(encoding="utf-8"))
        rate = int(timings["sample_rate"])
        # the spot as loud as the narration it goes into (as it measured, else the target)
        measured = (timings.get("loudness") or {}).get("integrated_lufs")
        lufs = round(float(measured), 1) if isinstance(measured, (int, float)) else self.target[0]
        key = (campaign.spot_digest, rate, lufs)
        if key not in self._mastered:
            samples = decode_audio_file(campaign.spot, rate, what="spot")
            self._mastered[key] = master_spot(samples, rate, LoudnessTarget(lufs, self.target[1]))
        spot = self._mastered[key]
        if spot.size > campaign.max_seconds * rate:
            raise ExportError(f"the spot of '{campaign.name}' is longer than its cap of {campaign.max_seconds} s")
        stitch(audio, spot, campaign.placement, target, self.codec, ffmpeg=ffmpeg_exe())


def _day(value: Any, what: str, where: Path) -> str:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            pass
    raise FeedError(f"{where}: '{what}' is a date (2026-12-31)")


def read_spot_folder(folder: str | Path) -> list[Campaign]:
    """The campaigns of a folder of spots (see the module's description)."""
    import tomllib

    folder = Path(folder)
    if not folder.is_dir():
        raise FeedError(f"no such folder of spots: {folder}")
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in _AUDIO_SUFFIXES and p.is_file())
    config = folder / CAMPAIGNS_FILE
    if not config.exists():
        if not files:
            raise FeedError(f"{folder} holds no audio file to use as a spot")
        return [_campaign({"spot": p.name}, folder, config) for p in files]
    try:
        data = tomllib.loads(config.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise FeedError(f"cannot read {config}: {exc}") from None
    entries = data.get("campaign")
    if not isinstance(entries, list) or not entries or not all(isinstance(e, dict) for e in entries):
        raise FeedError(f"{config}: give the campaigns as [[campaign]] tables")
    return [_campaign(entry, folder, config) for entry in entries]


def _campaign(entry: dict[str, Any], folder: Path, where: Path) -> Campaign:
    spot = entry.get("spot")
    if not isinstance(spot, str) or "/" in spot or "\\" in spot or not (folder / spot).is_file():
        raise FeedError(f"{where}: 'spot' is the name of an audio file in {folder}")
    name = entry.get("name", Path(spot).stem)
    placement = entry.get("placement", "pre")
    if placement not in PLACEMENTS:
        raise FeedError(f"{where}: 'placement' is one of {', '.join(PLACEMENTS)}")
    cap, weight = entry.get("max_seconds", DEFAULT_CAP_S), entry.get("weight", 1)
    if isinstance(cap, bool) or not isinstance(cap, int) or not 1 <= cap <= MAX_CAP_S:
        raise FeedError(f"{where}: 'max_seconds' is a whole number of seconds from 1 to {MAX_CAP_S}")
    if isinstance(weight, bool) or not isinstance(weight, int) or not 1 <= weight <= 1000:
        raise FeedError(f"{where}: 'weight' is a whole number from 1 to 1000")
    sections = entry.get("sections")
    if sections is not None and (not isinstance(sections, list) or not all(isinstance(s, str) for s in sections)):
        raise FeedError(f"{where}: 'sections' is a list of section names")
    starts = _day(entry.get("starts", "0001-01-01"), "starts", where)
    ends = _day(entry.get("ends", "9999-12-31"), "ends", where)
    if ends < starts:
        raise FeedError(f"{where}: the campaign '{name}' ends before it starts")
    path = folder / spot
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return Campaign(
        key=f"{name}|{spot}|{digest}",
        name=str(name),
        placement=placement,
        weight=weight,
        max_seconds=cap,
        sections=tuple(sections) if sections is not None else None,
        starts=starts,
        ends=ends,
        spot=path,
        spot_digest=digest,
    )
