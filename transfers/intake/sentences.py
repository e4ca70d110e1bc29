"""Paragraphs and sentences of a stored text, as offsets into it.

A rule splitter rather than a library: news prose needs only "a full stop, question or exclamation
mark (and any closing quotation mark) followed by a space and a capital or an opening quotation
mark", minus the abbreviations that end in a full stop ("U.S.", "Mr.", "Jan."). Offsets, not
copies, so that a quote is always ``text[start:end]``.
"""

import re
from dataclasses import dataclass

# Abbreviations whose full stop does not end a sentence when a capital follows ("U.S. officials",
# "Mr. Putin"). Lower-case comparison; the trailing full stop is part of the token.
ABBREVIATIONS = frozenset(
    {
        "u.s.", "u.n.", "u.k.", "e.u.", "mr.", "mrs.", "ms.", "dr.", "gen.", "lt.", "col.", "maj.", "capt.",
        "sgt.", "adm.", "sen.", "rep.", "gov.", "pres.", "st.", "no.", "jan.", "feb.", "mar.", "apr.", "jun.",
        "jul.", "aug.", "sep.", "sept.", "oct.", "nov.", "dec.", "inc.", "co.", "corp.", "ltd.", "vs.", "etc.",
        "approx.", "est.",
    }
)

# A sentence ends after . ! or ? and any closing quotation marks or brackets, before whitespace and
# then a capital, a digit or an opening quotation mark.
_BOUNDARY = re.compile(r"(?<=[.!?])[\"'”’)\]]*(?=\s+[\"“‘'(\[]?[A-Z0-9])")
_TOKEN_BEFORE = re.compile(r"(\S+)$")


@dataclass(frozen=True)
class Sentence:
    """One sentence: its place in the text and in its paragraph."""

    start: int
    end: int
    paragraph: int
    text: str

    def __str__(self):
        return self.text


def _is_abbreviation(text: str, end: int) -> bool:
    token = _TOKEN_BEFORE.search(text, 0, end)
    if token is None:
        return False
    word = token.group(1).lstrip("\"'“‘(").lower()
    # Initials ("J.") are abbreviations too.
    return word in ABBREVIATIONS or bool(re.fullmatch(r"[a-z]\.", word))


def paragraphs(text: str) -> list[tuple[int, int]]:
    """The (start, end) of each non-blank line: stored texts keep one paragraph per line."""
    spans = []
    for match in re.finditer(r"[^\n]+", text):
        start, end = match.span()
        stripped = match.group()
        start += len(stripped) - len(stripped.lstrip())
        end -= len(stripped) - len(stripped.rstrip())
        if end > start:
            spans.append((start, end))
    return spans


def sentences(text: str) -> list[Sentence]:
    """Every sentence of ``text``, in order, trimmed of surrounding whitespace."""
    result = []
    for number, (p_start, p_end) in enumerate(paragraphs(text)):
        cut = p_start
        for match in _BOUNDARY.finditer(text, p_start, p_end):
            end = match.end()
            if _is_abbreviation(text, match.start()):
                continue
            result.append(_sentence(text, cut, end, number))
            cut = end
        if cut < p_end:
            result.append(_sentence(text, cut, p_end, number))
    return [s for s in result if s.text]


def _sentence(text: str, start: int, end: int, paragraph: int) -> Sentence:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Sentence(start=start, end=end, paragraph=paragraph, text=text[start:end])
