"""The espeak-ng library, driven in its synchronous mode: one call speaks one text and
returns when every sample has been handed over, on the caller's thread.

The pyttsx3 backend uses this on Linux instead of pyttsx3's own espeak driver. That
driver starts espeak-ng in its asynchronous mode and waits for the end of an utterance
by polling a flag that espeak-ng's callback thread sets; now and then the polling loop
ends before the callback has written the utterance's file (about one worker in eight
lost its first sentence), so a narration failed with "wrote no audio". Here there is
no thread, no file and no loop to race.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass

from audiogen.errors import BackendError

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_CHARS_UTF8 = 1
_ENDPAUSE = 0x1000
_POS_CHARACTER = 1
_RATE = 1
_EE_OK = 0
#: milliseconds of audio handed to the callback at a time
_BUFFER_MS = 500


class _Event(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", ctypes.c_char * 8),
    ]


class _Voice(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("languages", ctypes.c_char_p),
        ("identifier", ctypes.c_char_p),
        ("gender", ctypes.c_ubyte),
        ("age", ctypes.c_ubyte),
        ("variant", ctypes.c_ubyte),
        ("xx1", ctypes.c_ubyte),
        ("score", ctypes.c_int),
        ("spare", ctypes.c_void_p),
    ]


_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event))


@dataclass(frozen=True)
class EspeakVoice:
    identifier: str
    name: str
    language: str


class EspeakLibrary:
    """One loaded espeak-ng library (one per process: it keeps global state)."""

    def __init__(self, library_path: str, data_path: str | None) -> None:
        try:
            self._lib = ctypes.CDLL(library_path, mode=ctypes.RTLD_GLOBAL)
        except OSError as exc:
            raise BackendError(f"cannot load the espeak-ng library: {exc}") from None
        lib = self._lib
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_SetSynthCallback.argtypes = [_CALLBACK]
        lib.espeak_SetSynthCallback.restype = None
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetVoiceByName.restype = ctypes.c_int
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_SetParameter.restype = ctypes.c_int
        lib.espeak_ListVoices.argtypes = [ctypes.c_void_p]
        lib.espeak_ListVoices.restype = ctypes.POINTER(ctypes.POINTER(_Voice))
        lib.espeak_Synth.argtypes = [
            ctypes.c_char_p,
            ctypes.c_size_t,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.c_void_p,
            ctypes.c_void_p,
        ]
        lib.espeak_Synth.restype = ctypes.c_int
        data = data_path.encode() if data_path else None
        rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, _BUFFER_MS, data, 0)
        if rate <= 0:
            raise BackendError("espeak-ng could not start (its voice data was not found)")
        self.sample_rate = rate
        self._chunks: list[bytes] = []
        # kept as an attribute: ctypes does not hold on to a callback it passes to C
        self._callback = _CALLBACK(self._on_audio)
        lib.espeak_SetSynthCallback(self._callback)

    def _on_audio(self, wav: ctypes._Pointer[ctypes.c_short], count: int, events: object) -> int:
        if count > 0 and wav:
            self._chunks.append(ctypes.string_at(wav, count * 2))
        return 0

    def voices(self) -> list[EspeakVoice]:
        found = []
        listing = self._lib.espeak_ListVoices(None)
        index = 0
        while listing[index]:
            voice = listing[index].contents
            # ``languages`` is a priority byte, then the language name
            language = (voice.languages or b"\x00")[1:].decode("utf-8", "replace")
            found.append(
                EspeakVoice(
                    identifier=(voice.identifier or b"").decode("utf-8", "replace").lower(),
                    name=(voice.name or b"").decode("utf-8", "replace"),
                    language=language,
                )
            )
            index += 1
        return found

    def set_voice(self, identifier: str) -> bool:
        return bool(self._lib.espeak_SetVoiceByName(identifier.encode("utf-8")) == _EE_OK)

    def set_rate(self, words_per_minute: int) -> None:
        self._lib.espeak_SetParameter(_RATE, words_per_minute, 0)

    def speak(self, text: str) -> bytes:
        """``text`` as 16-bit mono samples at ``sample_rate``."""
        self._chunks = []
        data = text.encode("utf-8") + b"\x00"
        code = self._lib.espeak_Synth(data, len(data), 0, _POS_CHARACTER, 0, _CHARS_UTF8 | _ENDPAUSE, None, None)
        if code != _EE_OK:
            raise BackendError(f"espeak-ng could not speak “{text[:60]}” (error {code})")
        audio = b"".join(self._chunks)
        self._chunks = []
        return audio
