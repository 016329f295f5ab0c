"""Which language a text is written in, without downloading a model: a stopword-ratio heuristic.

Every language's most frequent words (articles, pronouns, prepositions) make up a large share of any
running text in it, and rarely occur in other languages. The share of a text's words found in each
language's list below is computed; the language with the highest share wins if that share is at
least ``MIN_SHARE``. Texts with fewer than ``MIN_WORDS`` words are "und" (undetermined): a subject
line like "Demo?" says nothing about language. What matters most for triage is "English or not";
the product names the other language when it is one of the listed ones, and says "other" otherwise.
Measured on the generated inquiries (English) and hand-written German, French, Spanish and Dutch
samples in the tests.
"""

from __future__ import annotations

import re

MIN_WORDS = 4
MIN_SHARE = 0.12


def words_of(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOPWORDS: dict[str, frozenset[str]] = {
    "en": words_of(
        "the a an and or but of to in on at for with from by about is are was were be been being have has had "
        "do does did will would can could should may might must i you he she it we they me us them my your "
        "our their this that these those there here what which who when where why how not no yes if then than "
        "so as just also very please thanks thank hi hello dear regards any some all more most can't don't "
        "we're i'm it's"
    ),
    "de": words_of(
        "der die das und oder aber ist sind war waren ein eine einen einem einer nicht kein keine ich du er "
        "sie es wir ihr mich mir uns euch mit von zu im in auf für ist bei aus wie was wer wann wo warum auch "
        "noch schon sehr bitte danke hallo guten tag sehr geehrte damen herren unser unsere ihre ihren können "
        "möchten würden haben hat gibt dass wenn dann als so nur"
    ),
    "fr": words_of(
        "le la les un une des et ou mais est sont était être avoir nous vous ils elles je tu il elle ce cette "
        "ces de du au aux en dans sur pour par avec sans pas ne que qui quoi quand où comment aussi très "
        "merci bonjour madame monsieur notre nos votre vos leur leurs pouvez voudrions serait avons"
    ),
    "es": words_of(
        "el la los las un una unos unas y o pero es son era ser estar tenemos tiene nosotros vosotros ellos "
        "yo tú él ella de del al en con sin por para que qué quien cuando donde como también muy gracias hola "
        "estimados nuestro nuestra su sus podemos queremos quisiéramos necesitamos"
    ),
    "nl": words_of(
        "de het een en of maar is zijn was waren ik jij je hij zij wij we jullie mij ons met van voor op aan "
        "bij uit hoe wat wie wanneer waar waarom ook nog al heel graag dank bedankt hallo beste geachte onze "
        "uw kunnen willen hebben heeft niet geen dat als dan"
    ),
    "it": words_of(
        "il lo la i gli le un una e o ma è sono era essere avere noi voi loro io tu lui lei di da in con su "
        "per tra fra che chi quando dove come anche molto grazie buongiorno gentili nostro nostra vostro "
        "possiamo vorremmo abbiamo non"
    ),
    "pt": words_of(
        "o a os as um uma e ou mas é são era ser estar temos nós vocês eles eu você ele ela de do da dos das "
        "em no na com sem por para que quem quando onde como também muito obrigado olá prezados nosso nossa "
        "podemos queremos gostaríamos não"
    ),
}
NAMES = {
    "en": "English",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "nl": "Dutch",
    "it": "Italian",
    "pt": "Portuguese",
}
WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?", re.UNICODE)


def detect_language(text: str) -> str:
    """An ISO 639-1 code from ``STOPWORDS``, "other" (enough words, none of these) or "und"."""
    words = [word.lower() for word in WORD.findall(text)]
    if len(words) < MIN_WORDS:
        return "und"
    shares = {code: sum(word in stopwords for word in words) / len(words) for code, stopwords in STOPWORDS.items()}
    best = max(shares, key=lambda code: (shares[code], code == "en"))
    return best if shares[best] >= MIN_SHARE else "other"


def language_name(code: str) -> str:
    return NAMES.get(code, "another language" if code == "other" else "an undetermined language")


def is_not_english(code: str) -> bool:
    return code not in {"en", "und", ""}
