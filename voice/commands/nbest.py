"""Choose between a recogniser's readings of one spoken command by what they mean.

A combining recogniser (voice.transcription.hybrid) keeps one text and may offer the other engine's
reading as an alternative. Which one *sounds* more alike is all the recogniser can judge; the parser
can judge which one is a command: Whisper, when it cannot hear a name, often writes an ordinary
sentence ("What do you know about Nadia Kowals?" for "what is omar haddad's score", the prompt's
names copied in), which names no record, while the grammar's reading of the same audio is a whole
command naming a real lead.

The rule: the first reading is kept unless the parser cannot use it: no known intent, too unsure
to confirm, or a lead or person named that matches no record (``command_unusable``). Only then is
the first alternative that is a complete command (known intent, nothing missing or ambiguous,
confident enough) taken, and when the first reading had an intent (only its name matched nothing),
only an alternative with the same intent: Whisper hears the command words far better than names,
so "Assign some enthusiastic to me." may become "assign summit logistics to me" but not the
grammar's "note on summit logistics"; if none is, the first reading stays, so the speaker is asked back about
what they most likely said. A first reading that is merely incomplete (no date said for a
follow-up) or ambiguous (two leads called Acme) is kept: asking back is the right answer there, and
the grammar's reading, which always has a date and one name, would be a guess. Writes still wait
for the speaker's confirmation, which names the record ("Mark Omar Haddad (#8) as qualified?").
"""

from __future__ import annotations

from datetime import datetime

from voice.commands import schema
from voice.commands.parser import CONFIDENCE_MIN, CommandContext, command_parse
from voice.commands.schema import CommandAction


def command_unusable(action: CommandAction) -> bool:
    """Whether the parser could not use a reading: no intent, too unsure, or a name that matches nothing."""
    if action.intent == schema.UNKNOWN or action.confidence < CONFIDENCE_MIN:
        return True
    return any(name in action.missing and not action.entities.get(f"{name}_candidates") for name in ("lead", "user"))


def command_complete(action: CommandAction) -> bool:
    """Whether the action can be answered or confirmed as it is: known intent, nothing to ask back."""
    return action.intent != schema.UNKNOWN and not action.missing and action.confidence >= CONFIDENCE_MIN


def command_parse_best(
    texts: list[str], *, now: datetime, timezone: str, context: CommandContext
) -> tuple[int, CommandAction]:
    """(index of the text kept, its action) for readings of one utterance, the recogniser's first.

    Empty readings are skipped; with no reading at all the empty text is parsed (an "I heard
    nothing" action).
    """
    readings = [(index, text) for index, text in enumerate(texts) if text and text.strip()]
    if not readings:
        return 0, command_parse("", now=now, timezone=timezone, context=context)
    first_index, first_text = readings[0]
    first = command_parse(first_text, now=now, timezone=timezone, context=context)
    if not command_unusable(first):
        return first_index, first
    # A first reading with an intent is trusted for that: only its name failed, so an alternative
    # must say the same thing about a record the workspace has.
    wanted = None if first.intent == schema.UNKNOWN else first.intent
    for index, text in readings[1:]:
        action = command_parse(text, now=now, timezone=timezone, context=context)
        if command_complete(action) and wanted in {None, action.intent}:
            return index, action
    return first_index, first
