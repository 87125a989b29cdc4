"""The order import's streaming CSV reader gives what `contacts.importers.tabular.read_table`
gives: the same header, rows, row numbers, cleaned cells, warnings and refusals."""

import pytest

from shangyou.contacts.importers.tabular import TableError, read_table
from shangyou.orders.importing.reading import read_records

CASES = {
    "plain": "订单号,客户,数量\nA-1,甲,1\nA-2,乙,2\n",
    "utf-8 BOM and CRLF": "\ufeff订单号,客户,数量\r\nA-1,甲,1\r\nA-2,乙,2\r\n",
    "blank lines, padding and empty trailing cells": (
        "\n\n订单号 , 客户 ,数量,,\n\n  A-1 ,甲, 1 ,,\n,,,\nA-2,乙,2\n\n"
    ),
    "quoted line breaks": (
        '订单号,客户,数量\nA-1,"甲\n公司",1\nA-2,乙,2\n"A-3","丙\r\n\r\n公司",3\n'
    ),
    "semicolons": "订单号;客户;数量\nA-1;甲;1,5\nA-2;乙;2\n",
    "tabs": "订单号\t客户\t数量\nA-1\t甲\t1\n",
    "Excel's sep= line": "sep=;\n订单号;客户;数量\nA-1;甲;1\n",
    "a row longer than the header": "订单号,客户,数量\nA-1,甲,1,x,y\nA-2,乙,2\n",
    "a stray BOM in a cell": "订单号,客户,数量\nA-1,\ufeff甲,1\n",
    "a short row": "订单号,客户,数量\nA-1\nA-2,乙\n",
}


def _both(data: bytes, filename: str = "orders.csv"):
    table = read_table(filename, data, max_rows=1000)
    records = read_records(filename, data)
    rows = list(records.records)
    return (
        (table.headers, [(r.number, r.values) for r in table.rows], table.format, table.warnings),
        (records.headers, rows, records.format, records.warnings),
    )


@pytest.mark.parametrize("text", CASES.values(), ids=CASES.keys())
def test_the_csv_reader_reads_as_read_table(text):
    expected, got = _both(text.encode("utf-8"))
    assert got == expected


def test_a_gbk_file_reads_as_read_table():
    text = "订单号,客户名称,数量\nA-1,上海恒通五金有限公司,1\nA-2,杭州宏达机械制造有限公司,2\n"
    expected, got = _both(text.encode("gbk"))
    assert got == expected
    assert got[1][0][1][1] == "上海恒通五金有限公司"


def test_undecodable_bytes_are_replaced_with_the_same_warning():
    data = "订单号,客户,数量\nA-1,甲,1\n".encode() + b"A-2,\xff\xfe\xfa,2\n"
    expected, got = _both(data)
    assert got == expected
    assert got[3]  # the warning


def test_the_row_limit_is_the_same(settings):
    settings.IMPORT_MAX_ROWS = 2
    data = "订单号,客户,数量\nA-1,甲,1\nA-2,乙,2\nA-3,丙,3\n".encode()
    with pytest.raises(TableError) as expected:
        read_table("orders.csv", data, max_rows=2)
    with pytest.raises(TableError) as got:
        list(read_records("orders.csv", data).records)
    assert str(got.value.message) == str(expected.value.message)


@pytest.mark.parametrize(
    ("filename", "data"),
    [
        ("orders.csv", b"   \n\n"),
        ("orders.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest"),
        ("orders.pdf", b"%PDF-1.4"),
        ("orders.csv", b",,,\n\n"),
    ],
)
def test_files_that_cannot_be_read_are_refused_with_read_tables_message(filename, data):
    with pytest.raises(TableError) as expected:
        read_table(filename, data)
    with pytest.raises(TableError) as got:
        records = read_records(filename, data)
        list(records.records)
    assert str(got.value.message) == str(expected.value.message)
