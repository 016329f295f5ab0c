"""The voice command benchmark's printed report: per engine and set, then side by side."""

from __future__ import annotations

from typing import Any

TARGETS = {"intent": 0.95, "entities": 0.90, "rtf": 1.0}
SET_TITLES = {"heldout": "held-out set (the headline)", "dev": "development set"}


def pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def report(name: str, engine: dict[str, Any], figures: dict[str, Any]) -> None:
    """One engine's figures, as measured in this run: each set, then the ambiguous references."""
    for set_name, figures_of_set in engine["sets"].items():
        report_set(f"{name}, {SET_TITLES.get(set_name, set_name)}", figures_of_set, engine, figures)
    print(f"\nambiguous references (not in the accuracy): {engine['ambiguous_asked_back']}")
    for row in engine["ambiguous"]:
        print(
            f"  {row['text']!r:48s} heard {row['transcript']!r:44s} asked back: {row['asked_back']} "
            f"(ref text: {row['ref_asked_back']}) {row['candidates']}" + (" GUESSED" if row["guessed"] else "")
        )


def report_set(title: str, engine: dict[str, Any], run: dict[str, Any], figures: dict[str, Any]) -> None:
    """One engine's figures on one set."""
    s = engine["summary"]

    def mark(value: float | None, target: float) -> str:
        return "n/a" if value is None else f"{pct(value)} ({'meets' if value >= target else 'BELOW'} {pct(target)})"

    print(f"\n{'=' * 100}\nengine {title}")
    print(f"{'spoken commands (audio -> product path)':46s}")
    print(f"  {'utterances':36s} {s['utterances']}  ({s['audio_s']} s of audio, {len(figures['voices'])} voices)")
    print(f"  {'WER mean / corpus':36s} {pct(s['wer_mean'])} / {pct(s['wer_corpus'])}  (raw {pct(s['wer_raw_mean'])})")
    print(f"  {'intent accuracy':36s} {mark(s['intent_accuracy'], TARGETS['intent'])}")
    print(
        f"  {'entity accuracy':36s} {mark(s['entity_accuracy'], TARGETS['entities'])}"
        f"  over {s['entity_utterances']} utterances; slots {pct(s['slot_accuracy'])}"
    )
    print(f"  {'note text exact':36s} {pct(s['note_text_exact'])}")
    print(
        f"  {'real-time factor (e2e / audio)':36s} mean {s['rtf_mean']:.3f}  p50 {s['rtf_p50']:.3f}  "
        f"p90 {s['rtf_p90']:.3f}  max {s['rtf_max']:.3f}  (corpus {s['rtf_corpus']:.3f}; "
        f"{pct(s['within_real_time'])} within real time)"
    )
    print(f"  {'engine alone, RTF mean':36s} {s['engine_rtf_mean']:.3f}")
    if s["grammar_kept"]:
        print(f"  {'grammar text kept (else Whisper)':36s} {s['grammar_kept']}/{s['utterances']}")
    print(f"  {'first call (not in the figures)':36s} {run['first_call_s']:.2f} s")
    if "noprompt_wer_mean" in s:
        print(f"\n{'same audio, Whisper without the prompt':46s}")
        print(f"  {'WER mean / corpus':36s} {pct(s['noprompt_wer_mean'])} / {pct(s['noprompt_wer_corpus'])}")
        print(f"  {'intent accuracy':36s} {pct(s['noprompt_intent_accuracy'])}")
        print(f"  {'entity accuracy':36s} {pct(s['noprompt_entity_accuracy'])}")

    tables = (
        ("per intent", engine["by_intent"]),
        ("per voice", engine["by_voice"]),
        ("sentence in the grammar", engine["by_in_grammar"]),
    )
    for title, table in tables:
        print(f"\n{title:22s} {'n':>3s} {'WER':>6s} {'intent':>7s} {'ent.':>7s} {'ref int':>8s} {'ref ent':>8s}")
        for group, row in table.items():
            cells = [row[k] for k in ("intent", "entities", "ref_intent", "ref_entities")]
            shown = ["-" if c is None else pct(c) for c in cells]
            print(f"  {group:20s} {row['n']:3d} {pct(row['wer_mean']):>6s} " + " ".join(f"{c:>7s}" for c in shown))

    print("\nrecords named (right / none, so asked back / wrong record chosen), audio vs reference text")
    for key, counts in engine["resolution"].items():
        print(f"  {key:36s} {counts} / {engine['ref_resolution'][key]}")
    loads = run["load_average_before_after"]
    if max(loads) > figures["cpu_count"]:
        print(f"  NOTE: load average {loads} on {figures['cpu_count']} cores: other work skewed the timings")
    print(f"\nfailures ({len(engine['failures'])}):")
    for fail in engine["failures"]:
        where = "audio only" if fail["cause"] == "ASR" else ("audio and text" if fail["audio_wrong"] else "text only")
        print(f"  [{fail['cause']}, {where}] {fail['reference']!r} ({fail['voice']})")
        print(f"      heard    {fail['transcript']!r}")
        if fail.get("hypotheses"):
            chosen = "grammar" if fail["winner"] == "sphinx-grammar" else "whisper"
            print(
                f"      kept {chosen} (similarity {fail['similarity']}); whisper "
                f"{fail['hypotheses'].get('whisper-tiny-en')!r}, grammar {fail['hypotheses'].get('sphinx-grammar')!r}"
            )
        if fail["noprompt_transcript"] is not None:
            verdict = "right" if fail["noprompt_ok"] else "wrong"
            print(f"      no prompt {fail['noprompt_transcript']!r} ({verdict})")
        print(f"      intent   {fail['intent']}")
        if fail["expected"]:
            ref = fail["ref_got"] if fail["cause"] == "NLU" else "right"
            print(f"      expected {fail['expected']}  got {fail['got']}  ref text: {ref}")


def report_side_by_side(figures: dict[str, Any]) -> None:
    """The engines' headline figures in one table per set (same utterances, same run)."""
    any_engine = next(iter(figures["engines"].values()))
    print(f"\n{'=' * 100}")
    print(
        f"side by side: {len(figures['voices'])} voices, {figures['date']}; "
        f"targets intent >= {pct(TARGETS['intent'])}, "
        f"entities >= {pct(TARGETS['entities'])}, RTF <= {TARGETS['rtf']:.0f}"
    )
    for set_name in sorted(any_engine["sets"], key=lambda name: name != "heldout"):
        first = any_engine["sets"][set_name]["summary"]
        print(
            f"\n{SET_TITLES.get(set_name, set_name)}: {first['utterances']} utterances, {first['audio_s']} s of audio"
        )
        print(
            f"{'engine':18s} {'WER mean':>8s} {'WER corp':>8s} {'intent':>7s} {'entities':>8s} {'slots':>6s} "
            f"{'notes':>6s} {'RTF e2e':>8s} {'RTF p90':>8s} {'RTF max':>8s} {'engine':>7s} {'grammar':>7s}"
        )
        for name, engine in figures["engines"].items():
            s = engine["sets"][set_name]["summary"]
            print(
                f"{name:18s} {pct(s['wer_mean']):>8s} {pct(s['wer_corpus']):>8s} {pct(s['intent_accuracy']):>7s} "
                f"{pct(s['entity_accuracy']):>8s} {pct(s['slot_accuracy']):>6s} {pct(s['note_text_exact']):>6s} "
                f"{s['rtf_mean']:8.3f} {s['rtf_p90']:8.3f} {s['rtf_max']:8.3f} {s['engine_rtf_mean']:7.3f} "
                f"{s['grammar_kept']:4d}/{s['utterances']}"
            )
        print(
            f"{'reference text':18s} {'':>8s} {'':>8s} {pct(first['ref_intent_accuracy']):>7s} "
            f"{pct(first['ref_entity_accuracy']):>8s} {'':>6s} {pct(first['ref_note_text_exact']):>6s}   (parser alone)"
        )
        print("split by whether the command grammar has the sentence as said:")
        for name, engine in figures["engines"].items():
            split = engine["sets"][set_name]["by_in_grammar"]
            cells = [
                f"{label} {split[key]['n']}: intent {pct(split[key]['intent'])}, entities {pct(split[key]['entities'])}"
                for key, label in (("True", "in the grammar"), ("False", "not in it"))
                if key in split
            ]
            print(f"  {name:16s} " + "; ".join(cells))
    print(
        "\nRTF e2e: submit to parsed command / audio seconds (mean, p90, max); engine: the engine's own time / "
        "audio; grammar: utterances whose grammar text was kept"
    )
