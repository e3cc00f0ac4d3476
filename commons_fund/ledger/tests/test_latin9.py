from commons_fund.ledger import latin9


def test_typography_becomes_plain_and_escapes_are_csv_writer_s():
    text = 'Cité\u202f: “l’été” — 3\u2009€ … \\ "x"\tfin\r\n'
    assert latin9.escaped(text) == 'Cité : \\"l\'été\\" - 3 € ... \\\\ \\"x\\"\tfin\r\n'
    assert latin9.escaped(text).encode(latin9.ENCODING)  # nothing left outside ISO 8859-15


def test_lines_with_nothing_to_do_are_left_as_they_are():
    text = "OD\tOpérations diverses\t1\t20260101\r\n"
    assert latin9.escaped(text) is text
