"""CSV / XLSX reading, header matching and value normalisers for customer import."""

from datetime import date, datetime

import pytest
from openpyxl import Workbook

from shangyou.contacts.importers.headers import (
    column_letter,
    match_headers,
    normalise_header,
    parse_bool,
    parse_date,
    parse_kind,
    split_tags,
)
from shangyou.contacts.importers.tabular import TableError, read_table
from shangyou.core.errors import ValidationFailed

# Excel cells hold naive date-times; so do these tests.
NAIVE_TZ = None
CHINESE_CSV = (
    "客户名称,联系人,手机,城市,备注\r\n"
    "上海恒通五金有限公司,张伟,13800138000,上海,老客户\r\n"
    "北京华信科技有限公司,李娜,13912345678,北京,\r\n"
)


def _write(tmp_path, name: str, content: bytes):
    path = tmp_path / name
    path.write_bytes(content)
    return path


def _read_file(path, **kw):
    return read_table(path.name, path.read_bytes(), **kw)


def _values(table):
    return [(row.number, row.values) for row in table.rows]


# --- CSV encodings ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "detected"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("gbk", "gb18030"),
        ("gb18030", "gb18030"),
        ("utf-16", "utf-16"),
    ],
)
def test_csv_encodings(tmp_path, encoding, detected):
    path = _write(tmp_path, "客户.csv", CHINESE_CSV.encode(encoding))
    table = _read_file(path)
    assert table.format == "csv"
    assert table.encoding == detected
    assert table.delimiter == ","
    assert table.headers == ["客户名称", "联系人", "手机", "城市", "备注"]
    assert _values(table) == [
        (2, ["上海恒通五金有限公司", "张伟", "13800138000", "上海", "老客户"]),
        (3, ["北京华信科技有限公司", "李娜", "13912345678", "北京"]),
    ]
    assert table.rows[1].get(4) == ""
    assert table.warnings == []


def test_short_gbk_file_is_not_mistaken_for_korean(tmp_path):
    path = _write(tmp_path, "c.csv", "姓名,手机\n李四,139\n".encode("gbk"))
    table = _read_file(path)
    assert (table.encoding, table.headers, table.rows[0].values) == (
        "gb18030",
        ["姓名", "手机"],
        ["李四", "139"],
    )


def test_excel_unicode_text_is_utf16_tab_separated(tmp_path):
    text = "Name\tPhone\tNotes\r\nAcme GmbH\t+49 30 1234\tMüller, Köln\r\n"
    table = _read_file(_write(tmp_path, "export.txt", text.encode("utf-16")))
    assert (table.encoding, table.delimiter) == ("utf-16", "\t")
    assert table.rows[0].values == ["Acme GmbH", "+49 30 1234", "Müller, Köln"]


def test_windows_1252_csv_is_not_read_as_chinese(tmp_path):
    text = "Name;City\r\nJosé Müller;Köln\r\nRenée;Zürich\r\n"
    table = _read_file(_write(tmp_path, "eu.csv", text.encode("cp1252")))
    assert table.encoding != "gb18030"
    assert table.rows[0].values == ["José Müller", "Köln"]


# --- CSV delimiters, quoting, row numbers ----------------------------------------------------


def test_semicolon_delimited_with_quoted_multiline_cell_keeps_first_line_numbers(tmp_path):
    text = (
        "Name;Address;Phone\n"
        'Acme;"Line one\nLine two; still address\nLine three";123\n'
        "\n"
        "Beta;Short;456\n"
        '"Gamma; Ltd";"";789\n'
    )
    table = _read_file(_write(tmp_path, "s.csv", text.encode("utf-8")))
    assert table.delimiter == ";"
    assert table.headers == ["Name", "Address", "Phone"]
    assert _values(table) == [
        (2, ["Acme", "Line one\nLine two; still address\nLine three", "123"]),
        (6, ["Beta", "Short", "456"]),  # 2-4 are Acme's record, 5 is blank
        (7, ["Gamma; Ltd", "", "789"]),
    ]


def test_tab_delimited_csv(tmp_path):
    text = "客户名称\t电话\n甲公司\t010-1234\n乙公司\t020-5678\n"
    table = _read_file(_write(tmp_path, "t.csv", text.encode("utf-8")))
    assert table.delimiter == "\t"
    assert _values(table) == [(2, ["甲公司", "010-1234"]), (3, ["乙公司", "020-5678"])]


def test_crlf_multiline_cell_row_numbers(tmp_path):
    text = 'a,b\r\n1,"x\r\ny"\r\n2,z\r\n'
    table = _read_file(_write(tmp_path, "c.csv", text.encode("utf-8")))
    assert _values(table) == [(2, ["1", "x\r\ny"]), (4, ["2", "z"])]


def test_excel_sep_hint_line(tmp_path):
    text = "sep=;\r\nName;Phone\r\nA, Inc;1\r\n"
    table = _read_file(_write(tmp_path, "c.csv", text.encode("utf-8")))
    assert table.delimiter == ";"
    assert table.header_row == 2
    assert _values(table) == [(3, ["A, Inc", "1"])]


def test_single_column_falls_back_to_comma(tmp_path):
    table = _read_file(_write(tmp_path, "c.csv", b"Name\nAcme\nBeta\n"))
    assert table.delimiter == ","
    assert [r.values for r in table.rows] == [["Acme"], ["Beta"]]


def test_leading_blank_lines_and_trailing_empty_columns(tmp_path):
    text = "\n\nName,Phone,,\nAcme,1,,\n,,,\nBeta,2,,\n"
    table = _read_file(_write(tmp_path, "c.csv", text.encode()))
    assert table.header_row == 3
    assert table.headers == ["Name", "Phone"]
    assert _values(table) == [(4, ["Acme", "1"]), (6, ["Beta", "2"])]


def test_row_longer_than_header_is_warned(tmp_path):
    table = _read_file(_write(tmp_path, "c.csv", b"a,b\n1,2,3\n"))
    assert table.rows[0].values == ["1", "2", "3"]
    assert table.warnings and "2" in table.warnings[0]


# --- limits and refusals ---------------------------------------------------------------------


def test_max_rows_and_bytes(tmp_path):
    data = ("Name\n" + "".join(f"c{i}\n" for i in range(11))).encode()
    assert len(read_table("c.csv", data, max_rows=11).rows) == 11
    with pytest.raises(TableError, match="more than 10 data rows"):
        read_table("c.csv", data, max_rows=10)
    with pytest.raises(TableError, match="limit is"):
        read_table("c.csv", data, max_bytes=10)


def test_xls_and_unknown_types_refused_with_clear_message():
    with pytest.raises(TableError, match=r"save it as \.xlsx") as exc:
        read_table("客户.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    assert isinstance(exc.value, ValidationFailed)
    with pytest.raises(TableError, match=r"\.xls"):
        read_table("renamed.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    with pytest.raises(TableError, match=r"\.pdf"):
        read_table("list.pdf", b"%PDF-1.4")
    with pytest.raises(TableError, match="empty"):
        read_table("c.csv", b"  \r\n")
    with pytest.raises(TableError, match="Excel workbook"):
        read_table("broken.xlsx", b"PK\x03\x04 not really a zip")


# --- XLSX -----------------------------------------------------------------------------------


def _workbook_bytes(tmp_path, build) -> bytes:
    workbook = Workbook()
    build(workbook)
    path = tmp_path / "book.xlsx"
    workbook.save(path)
    return path.read_bytes()


def test_xlsx_numbers_dates_and_empty_trailing_rows_and_columns(tmp_path):
    def build(wb):
        ws = wb.active
        ws.title = "客户"
        ws.append(["客户名称", "手机", "生日", "金额", "活跃", "下次跟进"])
        ws.append(["上海恒通五金有限公司", 13800138000.0, date(1985, 7, 9), 12.5, True,
                   datetime(2026, 1, 5, 14, 30, tzinfo=NAIVE_TZ)])  # fmt: skip
        ws.append([None] * 6)  # empty row in the middle
        ws.append(
            ["  北京华信  ", 13912345678, datetime(1990, 1, 2, tzinfo=NAIVE_TZ), 3, False, None]
        )
        ws["J2"] = None
        for row in range(5, 30):  # styled but empty trailing rows
            ws.cell(row=row, column=8).number_format = "0.00"
        other = wb.create_sheet("Other")
        other.append(["Name"])
        other.append(["Second sheet"])

    data = _workbook_bytes(tmp_path, build)
    table = read_table("customers.xlsx", data)
    assert (table.format, table.sheet, table.sheets) == ("xlsx", "客户", ["客户", "Other"])
    assert table.headers == ["客户名称", "手机", "生日", "金额", "活跃", "下次跟进"]
    assert _values(table) == [
        (2, ["上海恒通五金有限公司", "13800138000", "1985-07-09", "12.5", "true",
             "2026-01-05 14:30:00"]),
        (4, ["北京华信", "13912345678", "1990-01-02", "3", "false"]),
    ]  # fmt: skip

    other = read_table("customers.xlsx", data, sheet="Other")
    assert _values(other) == [(2, ["Second sheet"])]
    with pytest.raises(TableError, match="Other"):
        read_table("customers.xlsx", data, sheet="Missing")


def test_xlsx_header_below_title_row_and_row_limit(tmp_path):
    def build(wb):
        ws = wb.active
        ws["A2"] = "Name"
        ws["B2"] = "Phone"
        for i in range(3):
            ws.append([f"c{i}", i])

    data = _workbook_bytes(tmp_path, build)
    table = read_table("b.xlsx", data)
    assert table.header_row == 2
    assert _values(table) == [(3, ["c0", "0"]), (4, ["c1", "1"]), (5, ["c2", "2"])]
    with pytest.raises(TableError, match="more than 2"):
        read_table("b.xlsx", data, max_rows=2)


# --- header matching -------------------------------------------------------------------------


def test_headers_in_chinese_and_english_with_noise():
    headers = [
        "客户名称*", "类型", "联系人", "职务", "手机号", "电子邮箱", "省份", "城市", "详细地址",
        "国家", "客户等级", "标签", "客户来源", "行业", "网址", "微信", "ＱＱ", "生日", "备注",
        "业务员", "客户编号",
    ]  # fmt: skip
    match = match_headers(headers)
    assert match.ok and match.unknown == []
    assert list(match.mapping) == [
        "name", "kind", "contact", "title", "phone", "email", "province", "city", "address",
        "country", "grade", "tags", "source", "industry", "website", "wechat", "qq", "birthday",
        "notes", "owner", "code",
    ]  # fmt: skip
    assert match.mapping["qq"] == 16

    english = match_headers(
        [" Customer Name ", "TYPE", "Contact Name", "Job Title", "Mobile", "E-Mail", "State",
         "city", "Address", "Country", "Level", "Tags", "Source", "Industry", "Website",
         "WeChat", "QQ", "Date of birth", "Remarks", "Sales rep", "Customer No."]
    )  # fmt: skip
    assert english.unknown == []
    assert list(english.mapping) == list(match.mapping)


def test_header_hints_in_brackets_and_full_width():
    match = match_headers(["电话（必填）", "Ｅｍａｉｌ：", "Name (required)", "地址【选填】"])
    assert match.mapping == {"phone": 0, "email": 1, "name": 2, "address": 3}


def test_unknown_headers_reported_and_blank_ones_skipped():
    match = match_headers(["名称", "", "传真号", "Phone", "Favourite colour"])
    assert match.mapping == {"name": 0, "phone": 3}
    assert match.unknown == [(2, "传真号"), (4, "Favourite colour")]
    messages = match.unknown_messages()
    assert "C" in messages[0] and "传真号" in messages[0]


def test_duplicate_columns_are_an_error():
    match = match_headers(["客户名称", "电话", "手机", "Email"])
    assert not match.ok
    assert match.duplicates == {"phone": [1, 2]}
    assert match.mapping["phone"] == 1
    (message,) = match.errors()
    assert "B" in message and "C" in message and "phone" in message


def test_extra_synonyms():
    match = match_headers(["Firma", "Telefon"], extra={"name": ["Firma"], "phone": ["Telefon"]})
    assert match.mapping == {"name": 0, "phone": 1}


def test_normalise_header_and_column_letters():
    assert normalise_header(" E-Mail： ") == "email"
    assert normalise_header("客户 名称") == "客户名称"
    assert [column_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]


# --- value normalisers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("公司", "company"), ("企业", "company"), ("Company", "company"),
        ("organisation", "company"), ("Organization", "company"), ("个人", "person"),
        ("person", "person"), ("Individual", "person"), (" ", None), (None, None),
    ],
)  # fmt: skip
def test_parse_kind(value, expected):
    assert parse_kind(value) == expected


def test_parse_kind_rejects_unknown():
    with pytest.raises(ValueError, match="公司"):
        parse_kind("partner")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-01-05", date(2026, 1, 5)),
        ("2026/1/5", date(2026, 1, 5)),
        ("2026.1.5", date(2026, 1, 5)),
        ("2026年1月5日", date(2026, 1, 5)),
        ("2026 年 01 月 05 日", date(2026, 1, 5)),
        ("05.01.2026", date(2026, 1, 5)),
        ("20260105", date(2026, 1, 5)),
        ("2026-01-05 14:30:00", date(2026, 1, 5)),
        ("2026/1/5 9:05", date(2026, 1, 5)),
        ("2026-01-05T14:30:00+08:00", date(2026, 1, 5)),
        ("1/5/2026", date(2026, 1, 5)),
        ("25/12/2026", date(2026, 12, 25)),
        ("46027", date(2026, 1, 5)),
        ("46027.5", date(2026, 1, 5)),
        (46027, date(2026, 1, 5)),
        (datetime(2026, 1, 5, 10, 0, tzinfo=NAIVE_TZ), date(2026, 1, 5)),
        (date(2026, 1, 5), date(2026, 1, 5)),
        ("", None),
        (None, None),
    ],
)
def test_parse_date(value, expected):
    assert parse_date(value) == expected


def test_parse_date_dayfirst_and_errors():
    assert parse_date("05/01/2026", dayfirst=True) == date(2026, 1, 5)
    assert parse_date("05/01/2026") == date(2026, 5, 1)
    for bad in ("2026-02-30", "next week", "1980", "2026年1月"):
        with pytest.raises(ValueError):
            parse_date(bad)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("是", True), ("否", False), ("yes", True), ("No", False), ("Y", True), ("n", False),
        ("1", True), ("0", False), ("TRUE", True), ("false", False), ("√", True), (1, True),
        (False, False), ("", None), (None, None),
    ],
)  # fmt: skip
def test_parse_bool(value, expected):
    assert parse_bool(value) is expected


def test_parse_bool_rejects_unknown():
    with pytest.raises(ValueError):
        parse_bool("maybe")


def test_split_tags():
    assert split_tags("VIP, 华东；老客户、VIP|2026") == ["VIP", "华东", "老客户", "2026"]
    assert split_tags("") == []
