"""transfers.quotes.quote_span: where a quote stands in its source, as the verbatim rule matches it."""

from hypothesis import given
from hypothesis import strategies as st

from transfers.quotes import quote_in_text, quote_span

# Written for these tests, not taken from any source.
TEXT = "He said:\n“Now we have indications that Russia has purchased — and they’re on the move.”  Then he left."


def test_it_finds_a_quote_typed_with_straight_quotes_and_a_plain_dash():
    start, end = quote_span('"Now we have indications that Russia has purchased - and they\'re on the move."', TEXT)
    assert TEXT[start:end] == "“Now we have indications that Russia has purchased — and they’re on the move.”"


def test_it_spans_rewrapped_whitespace_in_the_text():
    text = "the shipment of\n   rockets left"
    start, end = quote_span("shipment of rockets", text)
    assert text[start:end] == "shipment of\n   rockets"


def test_a_quote_not_in_the_text_has_no_span():
    assert quote_span("purchased rockets", TEXT) is None
    assert quote_span("   ", TEXT) is None


def test_case_still_matters():
    assert quote_span("then he left.", TEXT) is None


@given(st.text(alphabet="ab \n—-'’“\"", max_size=30), st.integers(0, 30), st.integers(0, 30))
def test_a_span_exists_exactly_when_the_quote_stands_in_the_text(text, i, j):
    quote = text[min(i, j):max(i, j)]
    span = quote_span(quote, text)
    assert (span is not None) == quote_in_text(quote, text)
    if span:
        assert quote_in_text(text[span[0]:span[1]], quote) and quote_in_text(quote, text[span[0]:span[1]])
