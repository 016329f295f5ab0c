"""The hybrid command recogniser: Whisper and the tenant's command grammar on the same audio.

Real espeak-ng speech through the real engines (the Whisper model and the grammar decoder are cached
per process, so the module takes a few seconds). Where a test needs a particular disagreement between
the engines, their hypotheses are given by stand-ins and only the audio-dependent step (which tail
the acoustic model prefers) runs for real.
"""

from __future__ import annotations

import pytest

from leads.services import lead_create
from tests.surface import ADMIN, REP
from voice.audio import audio_normalise, wav_from_pcm
from voice.commands.grammar import commands_jsgf
from voice.models import VoiceSettings
from voice.services.commands import COMMAND_PROMPT_WORDS, command_hints
from voice.services.settings import voice_settings_get, voice_settings_update
from voice.speech import speak
from voice.transcription.base import SAMPLE_RATE, EngineHints, Transcript, audio_data_from_wav, pcm16k
from voice.transcription.hybrid import (
    ALTERNATIVE_MIN_SIMILARITY,
    GRAMMAR_MIN_SIMILARITY,
    HEARD_WORDS,
    HybridCommandEngine,
    free_text_start,
    grammar_repair,
    hybrid_decide,
    numbers_heard,
    tail_split,
    transcript_similarity,
    whisper_tail_starts,
)
from voice.transcription.registry import DEFAULT_COMMAND_ENGINE, ENGINES, OFFLINE_ENGINES, engine_get
from voice.transcription.sphinx import sphinx_dictionary_words, sphinx_grammar_accepts, sphinx_trim_silence
from voice.transcription.whisper import whisper_model_load

LEADS = ["Globex", "Initech", "Hooli", "Acme Ltd", "Umbrella Health", "Jane Cooper"]
USERS = ["Tom Becker", "Sam Ortiz", "Priya Patel"]
WHISPER, GRAMMAR = "whisper-tiny-en", "sphinx-grammar"
UNRELATED = "remind me to buy milk and eggs on the way home"


@pytest.fixture(scope="module")
def grammar() -> str:
    return commands_jsgf(lead_names=LEADS, user_names=USERS, dictionary=None)


@pytest.fixture(scope="module")
def hints(grammar) -> EngineHints:
    # As command_hints builds them: the command words and a few recent leads (here not Globex or
    # Initech, as for most leads of a real book) as Whisper's prompt, and the grammar of all names.
    return EngineHints(phrases=[*COMMAND_PROMPT_WORDS, "Umbrella Health", "Jane Cooper"], grammar_jsgf=grammar)


@pytest.fixture(scope="module")
def hybrid() -> HybridCommandEngine:
    whisper_model_load()
    engine = engine_get("hybrid-commands")
    assert isinstance(engine, HybridCommandEngine)
    return engine


def words(text: str) -> list[str]:
    return text.split()


def clip(text: str, voice: str = "en-us", speed: int = 160) -> bytes:
    return audio_normalise(speak(text, voice=voice, speed_wpm=speed))


class Said:
    """An engine that 'hears' a fixed text: to put a given disagreement in front of the hybrid."""

    offline = True

    def __init__(self, name: str, text: str) -> None:
        self.name, self.text = name, text

    def transcribe(self, wav16k: bytes, *, hints: EngineHints | None = None) -> Transcript:
        return Transcript(self.text, "en", self.name, 0.5, 2.0, 0.01, [{"start": 0.0, "end": 2.0, "text": self.text}])


# -- the grammar recogniser with names the dictionary lacks ---------------------------------------


@pytest.mark.parametrize(
    "text", ["mark globex as qualified", "mark initech as qualified", "assign hooli to priya patel"]
)
def test_grammar_names_missing_from_the_dictionary_are_recognised(grammar, text):
    assert not {"initech", "hooli", "priya"} & sphinx_dictionary_words()  # pronounced by espeak-ng (g2p)

    heard = engine_get("sphinx-grammar").transcribe(clip(text), hints=EngineHints(grammar_jsgf=grammar))

    assert heard.text == text


def test_silence_around_a_command_is_trimmed_before_the_grammar(grammar):
    # Without a word for silence, silence at the ends made the decoder add words or find nothing.
    pcm = pcm16k(audio_data_from_wav(clip("show my hot leads", voice="en-us+f3")))
    second = b"\x00\x00" * SAMPLE_RATE
    padded = wav_from_pcm(second + pcm + second, sample_rate=SAMPLE_RATE)

    speech, offset = sphinx_trim_silence(second + pcm + second)
    heard = engine_get("sphinx-grammar").transcribe(padded, hints=EngineHints(grammar_jsgf=grammar))

    assert 0.95 <= offset <= 1.0 and len(speech) < len(pcm) + 2 * 0.06 * SAMPLE_RATE * 2
    assert sphinx_trim_silence(second) == (second, 0.0)  # nothing loud: left as it is
    assert heard.text == "show my hot leads"
    assert heard.segments[0]["start"] >= 0.95  # times still count from the start of the recording


def test_a_clip_is_heard_alike_whatever_was_decoded_before_it(grammar):
    # The decoder's front end used to carry its cepstral mean from clip to clip: this clip matched
    # the first time and matched nothing once the same thread had decoded it (or another clip).
    engine, hints = engine_get("sphinx-grammar"), EngineHints(grammar_jsgf=grammar)
    wav, other = clip("mark initech as contacted", voice="en-gb", speed=170), clip("show my hot leads")

    heard = [engine.transcribe(wav, hints=hints).text for _ in range(2)]
    engine.transcribe(other, hints=hints)
    heard.append(engine.transcribe(wav, hints=hints).text)

    assert heard == ["mark initech as contacted"] * 3


def test_the_grammar_knows_its_sentences(grammar):
    assert sphinx_grammar_accepts(grammar, words("mark initech as qualified"))
    assert not sphinx_grammar_accepts(grammar, words("mark initech as qualified tomorrow"))
    assert not sphinx_grammar_accepts(grammar, [])


# -- the hybrid on real speech ----------------------------------------------------------------------


@pytest.mark.parametrize("text", ["mark globex as qualified", "mark initech as qualified"])
def test_a_command_comes_back_as_the_grammar_heard_it(hybrid, hints, text):
    heard = hybrid.transcribe(clip(text), hints=hints)

    assert heard.text == text
    assert heard.engine == "hybrid-commands"
    assert heard.recognition["winner"] == GRAMMAR
    assert heard.recognition["hypotheses"][GRAMMAR] == text
    assert heard.recognition["hypotheses"][WHISPER] != text  # Whisper misheard the name; kept for debugging
    assert heard.recognition["similarity"] >= GRAMMAR_MIN_SIMILARITY
    assert [s["text"] for s in heard.segments] == text.split()
    assert {s["engine"] for s in heard.segments} == {GRAMMAR}
    # Both engines' time is recorded; how it compares with the audio's length is a benchmark figure
    # (bench/voice_commands.py), not something a test on a shared machine can hold to.
    assert heard.processing_seconds > 0 and heard.audio_seconds > 1


def test_unrelated_speech_is_not_turned_into_a_command(hybrid, hints, grammar):
    heard = hybrid.transcribe(clip(UNRELATED), hints=hints)
    recognition = heard.recognition

    assert recognition["winner"] == WHISPER
    assert heard.text == recognition["hypotheses"][WHISPER]
    assert "milk" in heard.text.lower()
    # The grammar did force the speech onto a command; the hybrid did not keep it.
    assert recognition["hypotheses"][GRAMMAR]
    assert sphinx_grammar_accepts(grammar, recognition["hypotheses"][GRAMMAR].split())
    assert recognition["similarity"] < GRAMMAR_MIN_SIMILARITY


def test_the_same_clip_gives_the_same_answer(hybrid, hints):
    wav = clip("mark initech as contacted", voice="en-gb", speed=170)

    first, second = (hybrid.transcribe(wav, hints=hints) for _ in range(2))

    assert first.text == second.text
    assert {k: v for k, v in first.recognition.items() if k != "seconds"} == {
        k: v for k, v in second.recognition.items() if k != "seconds"
    }


def test_without_a_grammar_it_is_whisper(hybrid):
    heard = hybrid.transcribe(clip("show my hot leads"), hints=EngineHints(phrases=["leads"]))

    assert heard.recognition["winner"] == WHISPER
    assert heard.recognition["reason"] == "no_grammar_hypothesis"
    assert heard.text == heard.recognition["hypotheses"][WHISPER]


# -- the decision, with the engines' hypotheses given --------------------------------------------


def test_whisper_wins_when_its_words_are_a_command_too(hints):
    # Both heard a valid command and differ on the name: Whisper's language model is the better judge,
    # and with two users called Sam the parser can then ask which one was meant.
    engine = HybridCommandEngine(
        whisper=Said(WHISPER, "Assign Globex to Sam."), grammar=Said(GRAMMAR, "assign globex to tom")
    )

    heard = engine.transcribe(clip("assign globex to sam"), hints=hints)

    assert heard.text == "Assign Globex to Sam."
    assert heard.recognition["reason"] == "whisper_in_grammar"


def test_a_free_text_tail_comes_from_whisper(hints):
    # The grammar has a note's text only as a few note words: it fills the tail with what fits least badly.
    said = "add a note to umbrella health the ceo loves the new dashboard"
    engine = HybridCommandEngine(
        whisper=Said(WHISPER, "Add a note to Umbrella Health, the CEO loves the new dashboard."),
        grammar=Said(GRAMMAR, "add a note to umbrella health they are on up a demo"),
    )

    heard = engine.transcribe(clip(said), hints=hints)

    assert heard.text == "add a note to umbrella health the CEO loves the new dashboard."  # the tail as written
    assert heard.recognition["winner"] == GRAMMAR
    assert heard.recognition["reason"] == "similar_whisper_note"


def test_a_note_keeps_the_grammars_name_and_whispers_text_after_a_misheard_name(hints):
    # Whisper heard the name as other words ("him and"); the acoustic model places its text after them.
    said = "add a note to jane cooper pricing was too high"
    engine = HybridCommandEngine(
        whisper=Said(WHISPER, "Add a note to Jane and pricing was too high."),
        grammar=Said(GRAMMAR, "add a note to jane cooper pricing with too call are the"),
    )

    heard = engine.transcribe(clip(said), hints=hints)

    assert heard.text == "add a note to jane cooper pricing was too high."
    assert heard.recognition["reason"] == "similar_whisper_note"


def test_free_text_start_and_whisper_tail_starts(grammar):
    def accepts(words: list[str]) -> bool:
        return sphinx_grammar_accepts(grammar, words)

    assert free_text_start(words("add a note to umbrella health they want a demo"), accepts) == 6
    assert free_text_start(words("note for hooli saying the price is right"), accepts) == 4  # "saying" is head
    assert free_text_start(words("mark globex as qualified"), accepts) is None  # not a note
    head = words("add a note to jane cooper")
    assert whisper_tail_starts(head, words("add a note to jane cooper they want a demo")) == [6, 7, 8, 9]
    assert whisper_tail_starts(head, words("add a note to him and pricing")) == [4, 5, 6]
    assert whisper_tail_starts(head, words("add a note to jane cooper")) == []


def test_a_grammar_tail_that_fits_the_sound_is_kept(hints):
    # Whisper ended with names from its prompt; the grammar's "last month" is what the audio says.
    said = "show me lost leads last month"
    engine = HybridCommandEngine(
        whisper=Said(WHISPER, "Show me lost leads, Zenith Motors."), grammar=Said(GRAMMAR, said)
    )

    heard = engine.transcribe(clip(said), hints=hints)

    assert heard.text == said
    assert heard.recognition["reason"] == "similar"


def test_a_number_whisper_did_not_hear_is_not_taken_from_the_grammar(hints):
    # A name the grammar does not know came back as "lead three": that would pick a record nobody named.
    engine = HybridCommandEngine(
        whisper=Said(WHISPER, "Mark Acne as qualified."), grammar=Said(GRAMMAR, "mark lead three as qualified")
    )

    heard = engine.transcribe(clip("mark acne as qualified"), hints=hints)

    assert heard.text == "Mark Acne as qualified."
    assert (heard.recognition["winner"], heard.recognition["reason"]) == (WHISPER, "grammar_numbers_unheard")
    assert numbers_heard(words("follow up with acme at ten am"), words("follow up with acne at ten am"))
    assert not numbers_heard(words("lead two two"), words("lead two"))


def test_decide_and_similarity():
    assert transcript_similarity("mark globex as qualified", "Mark Globex as qualified.") == 1.0
    assert transcript_similarity("show my hot leads", "") == 0.0
    near = hybrid_decide(grammar_text="mark globex as qualified", whisper_text="Mark Lobeck as qualified.")
    far = hybrid_decide(grammar_text="mark acme as lost", whisper_text="Remind me to buy milk.")
    none = hybrid_decide(grammar_text=None, whisper_text="Hello.")

    assert (near["winner"], near["reason"]) == (GRAMMAR, "similar")
    assert (far["winner"], far["reason"]) == (WHISPER, "dissimilar")
    assert (none["winner"], none["similarity"]) == (WHISPER, None)


def test_tail_split():
    grammar = words("add a note to initech they want a demo")

    assert tail_split(grammar, words("add a note to initech the ceo is happy")) == (5, 5)
    assert tail_split(grammar, grammar) is None  # no disagreement
    assert tail_split(grammar, words("add a note to initech they want a")) is None  # Whisper has no tail
    assert tail_split(words("mark acme as lost"), words("mark acme as won")) is None  # one-word tail


# -- wiring: registry, settings, hints ---------------------------------------------------------------


def test_the_hybrid_is_an_offline_engine_and_the_command_default():
    assert "hybrid-commands" in ENGINES and "hybrid-commands" in OFFLINE_ENGINES
    assert DEFAULT_COMMAND_ENGINE == "hybrid-commands"
    assert VoiceSettings._meta.get_field("command_engine").default == DEFAULT_COMMAND_ENGINE


@pytest.mark.django_db
def test_settings_accept_the_hybrid_engine(alpha):
    with alpha.active():
        voice_settings_update(actor=alpha.users[ADMIN], data={"command_engine": "whisper-tiny-en"})
        voice_settings_update(actor=alpha.users[ADMIN], data={"command_engine": "hybrid-commands"})
        assert voice_settings_get().command_engine == "hybrid-commands"


@pytest.mark.django_db
def test_command_hints_carry_the_speakers_names_in_a_grammar(alpha):
    with alpha.active():
        rep = alpha.users[REP]
        lead_create(actor=rep, data={"name": "Nadia Quorvex", "company": "Initech"})

        hints = command_hints(speaker=rep)

    assert hints.grammar_jsgf and hints.grammar_jsgf.startswith("#JSGF V1.0;")
    lead_rule = next(line for line in hints.grammar_jsgf.splitlines() if line.startswith("<lead_name> ="))
    assert "initech" in lead_rule and "nadia quorvex" in lead_rule  # not in the dictionary, still listed
    assert sphinx_grammar_accepts(hints.grammar_jsgf, words("mark initech as qualified"))
    assert command_hints(speaker=None).grammar_jsgf is None


def test_a_valid_word_whisper_heard_replaces_the_grammars(hints):
    # "at 2pm" from Whisper is a valid hour of the grammar there: it replaces the grammar's "three".
    said = "schedule a follow up with initech next thursday at two pm"
    engine = HybridCommandEngine(
        whisper=Said(WHISPER, "Can you learn the follow up with Initech next Thursday at 2pm?"),
        grammar=Said(GRAMMAR, "schedule a follow up with initech next thursday at three pm"),
    )

    heard = engine.transcribe(clip(said), hints=hints)

    assert heard.text == said
    assert heard.recognition["reason"] == "similar_repaired"


def test_grammar_repair_keeps_what_the_grammar_cannot_say(grammar):
    def accepts(words: list[str]) -> bool:
        return sphinx_grammar_accepts(grammar, words)

    heard = words("mark globex as qualified")
    assert grammar_repair(heard, words("mark lobeck as qualified"), accepts) == heard
    assert grammar_repair(words("show my hot leads today"), words("show my hot leads"), accepts) == [
        "show",
        "my",
        "hot",
        "leads",
    ]
    assert grammar_repair(words("assign hooli to tom"), words("assign who lee to sam"), accepts) == (
        words("assign hooli to sam")
    )


# -- the reading not kept, offered to the parser (voice.commands.nbest) ------------------------------


def test_whispers_reading_is_the_alternative_when_the_grammars_is_kept(hints):
    engine = HybridCommandEngine(
        whisper=Said(WHISPER, "Mark Lobeck as qualified."), grammar=Said(GRAMMAR, "mark globex as qualified")
    )

    heard = engine.transcribe(clip("mark globex as qualified"), hints=hints)

    assert heard.text == "mark globex as qualified"
    assert heard.recognition["alternatives"] == ["Mark Lobeck as qualified."]


def test_the_grammars_reading_is_the_alternative_when_whispers_is_kept_and_it_sounds_alike_enough(hints):
    # Whisper copied a name from its prompt; the two are too unlike for the grammar to win outright,
    # but alike enough for its reading to be offered.
    whisper = "Move to Cooper, Sam Ortiz."
    grammar = "move jane cooper to qualified"
    assert ALTERNATIVE_MIN_SIMILARITY <= transcript_similarity(grammar, whisper) < GRAMMAR_MIN_SIMILARITY
    engine = HybridCommandEngine(whisper=Said(WHISPER, whisper), grammar=Said(GRAMMAR, grammar))

    heard = engine.transcribe(clip(grammar), hints=hints)

    assert heard.text == whisper and heard.recognition["winner"] == WHISPER
    assert heard.recognition["alternatives"] == [grammar]


def test_the_grammars_reading_of_unrelated_speech_is_not_offered(hints):
    whisper, grammar = "Happy birthday to you.", "set up lead r c x o group"
    assert transcript_similarity(grammar, whisper) < ALTERNATIVE_MIN_SIMILARITY
    engine = HybridCommandEngine(whisper=Said(WHISPER, whisper), grammar=Said(GRAMMAR, grammar))

    heard = engine.transcribe(clip("happy birthday to you"), hints=hints)

    assert heard.text == whisper and heard.recognition["alternatives"] == []


def test_whispers_sentence_with_the_name_the_audio_fits_is_offered_first(hints):
    said = "assign umbrella health to me"
    engine = HybridCommandEngine(
        whisper=Said(WHISPER, "Assign umbrella hell to me."), grammar=Said(GRAMMAR, "note on hooli to me up")
    )

    heard = engine.transcribe(clip(said), hints=hints)

    assert heard.recognition["winner"] == WHISPER
    assert heard.recognition["alternatives"][0] == said


def test_the_grammars_reading_is_not_offered_with_a_day_whisper_did_not_hear(hints):
    whisper, grammar = "Follow up, we do my hot lead tomorrow morning.", "follow up with globex on tuesday morning"
    assert ALTERNATIVE_MIN_SIMILARITY <= transcript_similarity(grammar, whisper) < GRAMMAR_MIN_SIMILARITY
    engine = HybridCommandEngine(whisper=Said(WHISPER, whisper), grammar=Said(GRAMMAR, grammar))

    heard = engine.transcribe(clip("follow up with jane cooper tomorrow morning"), hints=hints)

    assert heard.text == whisper and grammar not in heard.recognition["alternatives"]
    assert numbers_heard(words("on friday"), words("on friday at ten"), words=HEARD_WORDS)
    assert not numbers_heard(words("on tuesday"), words("tomorrow"), words=HEARD_WORDS)
