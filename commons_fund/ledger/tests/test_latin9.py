from hypothesis import example, given
from hypothesis import strategies as st

from commons_fund.ledger import latin9


def test_typography_becomes_plain_and_escapes_are_csv_writer_s():
    text = 'Cité\u202f: “l’été” — 3\u2009€ … \\ "x"\tfin\r\n'
    assert latin9.escaped(text) == 'Cité : \\"l\'été\\" - 3 € ... \\\\ \\"x\\"\tfin\r\n'
    assert latin9.escaped(text).encode(latin9.ENCODING)  # nothing left outside ISO 8859-15


def test_lines_with_nothing_to_do_are_left_as_they_are():
    text = "OD\tOpérations diverses\t1\t20260101\r\n"
    assert latin9.escaped(text) is text


@given(st.text(alphabet=st.characters(max_codepoint=0x2030)))
@example("Cœur € Œuvre Šž Ÿ")  # ISO 8859-15's own letters
@example("¤ ¦ ¨ ´ ¸ ¼ ½ ¾ é")  # Latin-1's bytes that ISO 8859-15 gives to other letters
@example("“l’été” — ∞")  # neither
def test_encoded_is_python_s_iso_8859_15_codec(text):
    assert latin9.encoded(text) == text.encode(latin9.ENCODING, errors="replace")
