"""Engines by name: the one place that decides which engines exist and which may be used.

DEFAULT_COMMAND_ENGINE is "hybrid-commands" (voice/transcription/hybrid.py): Whisper and the grammar
recogniser on the same audio, the grammar's text kept only when it sounds like Whisper's. Neither
alone is good enough on commands. Measured by bench/voice_engines.py on ten espeak-ng commands (4
voices/speeds, 22.5 s): sphinx-grammar 1.6% WER, 9/10 exact, 0.008x real time (15.6%, 8/10 before its
decoder dropped the lattice pass and started trimming edge silence); whisper-tiny-en with a domain
prompt 18.8% WER, 3/10 exact, ~0.17x real time (42% without a prompt). The grammar engine
wins on phrases it knows, but commands name things no grammar lists in advance ("add a new lead
from <any company>"), and it turned 2 of 3 unrelated sentences into valid-looking commands ("remind
me to buy milk" -> "mark acme as lost"), whereas Whisper's near-misses ("Mark, Acme, ask
qualified") are text a command parser can still match. bench/voice_commands.py runs the product's
command path with each engine side by side. Use "sphinx-grammar" alone only where the phrase set is
closed and known (menu words, yes/no confirmations), and confirm before acting either way.
"""

from __future__ import annotations

from collections.abc import Callable

from crm_saas.errors import DomainError
from voice.transcription.base import TranscriptionEngine
from voice.transcription.hybrid import ENGINE_NAME as HYBRID_ENGINE
from voice.transcription.hybrid import HybridCommandEngine
from voice.transcription.online import GoogleWebEngine
from voice.transcription.sphinx import SphinxGrammarEngine
from voice.transcription.whisper import WhisperEngine

_FACTORIES: dict[str, Callable[[], TranscriptionEngine]] = {
    "whisper-tiny-en": WhisperEngine,
    "sphinx-grammar": SphinxGrammarEngine,
    HYBRID_ENGINE: HybridCommandEngine,
    "google-web": lambda: GoogleWebEngine(allow_online=True),
}
ENGINES: tuple[str, ...] = tuple(_FACTORIES)
OFFLINE_ENGINES: tuple[str, ...] = ("whisper-tiny-en", "sphinx-grammar", HYBRID_ENGINE)
DEFAULT_NOTE_ENGINE = "whisper-tiny-en"
DEFAULT_COMMAND_ENGINE = HYBRID_ENGINE


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
