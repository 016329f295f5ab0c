"""Engines by name: the one place that decides which engines exist and which may be used.

DEFAULT_COMMAND_ENGINE is Whisper, not the grammar recogniser. Measured by bench/voice_engines.py on
ten espeak-ng commands (4 voices/speeds, 22.5 s): sphinx-grammar 15.6% WER, 8/10 exact, 0.008x real
time; whisper-tiny-en with a domain prompt 18.8% WER, 3/10 exact, ~0.18x real time (42% without a
prompt). The grammar engine wins on phrases it knows, but commands name things no grammar lists in
advance ("add a new lead from <any company>"), it cannot pronounce names missing from its
dictionary, and it turned 2 of 3 unrelated sentences into valid-looking commands ("remind me to buy
milk" -> "mark acme as lost"), whereas Whisper's near-misses ("Mark, Acme, ask qualified") are text a
command parser can still match. Use "sphinx-grammar" where the phrase set is closed and known (menu
words, yes/no confirmations), and confirm before acting either way.
"""

from __future__ import annotations

from collections.abc import Callable

from crm_saas.errors import DomainError
from voice.transcription.base import TranscriptionEngine
from voice.transcription.online import GoogleWebEngine
from voice.transcription.sphinx import SphinxGrammarEngine
from voice.transcription.whisper import WhisperEngine

_FACTORIES: dict[str, Callable[[], TranscriptionEngine]] = {
    "whisper-tiny-en": WhisperEngine,
    "sphinx-grammar": SphinxGrammarEngine,
    "google-web": lambda: GoogleWebEngine(allow_online=True),
}
ENGINES: tuple[str, ...] = tuple(_FACTORIES)
OFFLINE_ENGINES: tuple[str, ...] = ("whisper-tiny-en", "sphinx-grammar")
DEFAULT_NOTE_ENGINE = "whisper-tiny-en"
DEFAULT_COMMAND_ENGINE = "whisper-tiny-en"


def engine_get(name: str, *, allow_online: bool = False) -> TranscriptionEngine:
    """The engine called ``name``; an online engine only with ``allow_online=True``.

    Engines are cheap objects (the Whisper model and the Sphinx decoders are cached per process
    behind them), so a fresh one is returned each time.
    """
    factory = _FACTORIES.get(name)
    if factory is None:
        raise DomainError(
            f"Unknown transcription engine {name!r}; choose one of: {', '.join(ENGINES)}.",
            field="engine",
            code="unknown_engine",
        )
    if name not in OFFLINE_ENGINES and not allow_online:
        raise DomainError(
            f"The {name} engine sends audio over the internet and is not enabled here.",
            field="engine",
            code="online_not_allowed",
        )
    return factory()
