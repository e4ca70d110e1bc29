"""Verbatim-quote matching.

Analysts type straight quotes and re-wrap lines, so a quote matches its source when both are equal
after folding curly/straight quotes, dash variants and runs of whitespace -- and nothing else: case,
spelling and punctuation must stand exactly as printed.
"""

import re

_QUOTE_FOLD = str.maketrans(
    {
        "\u2018": "'",  # left single quotation mark
        "\u2019": "'",  # right single quotation mark / apostrophe
        "\u201a": "'",  # single low-9
        "\u201b": "'",  # single high-reversed-9
        "\u2032": "'",  # prime
        "\u201c": '"',  # left double quotation mark
        "\u201d": '"',  # right double quotation mark
        "\u201e": '"',  # double low-9
        "\u201f": '"',  # double high-reversed-9
        "\u2033": '"',  # double prime
        "\u2010": "-",  # hyphen
        "\u2011": "-",  # non-breaking hyphen
        "\u2012": "-",  # figure dash
        "\u2013": "-",  # en dash
        "\u2014": "-",  # em dash
        "\u2015": "-",  # horizontal bar
        "\u2212": "-",  # minus sign
    }
)
_WHITESPACE = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Fold quotes, dashes and whitespace so that only those differences are ignored."""
    return _WHITESPACE.sub(" ", text.translate(_QUOTE_FOLD)).strip()


def quote_in_text(quote: str, text: str) -> bool:
    """True when ``quote`` stands verbatim in ``text`` (modulo quote, dash and whitespace folding)."""
    needle = normalize(quote)
    return bool(needle) and needle in normalize(text)


def _normalized_with_offsets(text: str) -> tuple[str, list[int]]:
    """``normalize(text)`` without the final strip, and for each of its characters the index of the
    character of ``text`` it came from (a run of whitespace maps to its first character)."""
    out: list[str] = []
    offsets: list[int] = []
    in_space = False
    for index, char in enumerate(text.translate(_QUOTE_FOLD)):
        if char.isspace():
            if not in_space:
                out.append(" ")
                offsets.append(index)
            in_space = True
        else:
            out.append(char)
            offsets.append(index)
            in_space = False
    return "".join(out), offsets


def quote_span(quote: str, text: str) -> tuple[int, int] | None:
    """Where ``quote`` first stands in ``text`` as ``quote_in_text`` matches it: (start, end)
    indexes into ``text`` itself, or None when it does not stand there."""
    needle = normalize(quote)
    if not needle:
        return None
    haystack, offsets = _normalized_with_offsets(text)
    start = haystack.find(needle)
    if start < 0:
        return None
    end = start + len(needle) - 1
    return offsets[start], offsets[end] + 1
