"""vCard reading on real exports (shared fixtures), edge cases, and the 3.0 writer."""

import binascii
import random
from datetime import date
from pathlib import Path

import pytest

from shangyou.contacts.importers.vcard import (
    Address,
    Email,
    InstantMessenger,
    PartialDate,
    Phone,
    Url,
    VCard,
    parse_vcard_date,
    parse_vcards,
    vcards_dump,
)

# A copy in the repository wins; the shared fixture directory is the fallback.
_LOCAL = Path(__file__).parent / "fixtures" / "vcard"
FIXTURES = _LOCAL if _LOCAL.is_dir() else Path("/work/shared/fixtures/vcard")
ALL_FILES = sorted(FIXTURES.glob("*.vcf"))
assert len(ALL_FILES) == 17, f"vCard fixtures missing from {FIXTURES}"
N_TILDE = "Ñ"


def _read(name: str):
    return parse_vcards((FIXTURES / name).read_bytes())


def _one(name: str) -> VCard:
    result = _read(name)
    assert len(result.cards) == 1
    return result.cards[0]


def _phones(card: VCard) -> list[tuple[str, list[str]]]:
    return [(p.value, p.types) for p in card.phones]


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_every_fixture_parses_with_a_name_or_email_and_no_file_warnings(path):
    result = parse_vcards(path.read_bytes())
    assert result.cards
    assert result.warnings == []
    for card in result.cards:
        assert card.display_name


def test_fixture_card_counts():
    counts = {p.name: len(parse_vcards(p.read_bytes()).cards) for p in ALL_FILES}
    assert counts["rfc2426-example.vcf"] == 2
    assert counts["gmail-list.vcf"] == 3
    assert counts["John_Doe_ANDROID.vcf"] == 6
    assert all(n == 1 for name, n in counts.items() if name not in {
        "rfc2426-example.vcf", "gmail-list.vcf", "John_Doe_ANDROID.vcf"
    })  # fmt: skip


def test_outlook_2003_quoted_printable_note_soft_break_and_key_reported():
    card = _one("outlook-2003.vcf")
    assert card.version == "2.1"
    assert card.notes == ["This is the note field!!\nSecond line\n\nThird line is empty"]
    assert [line for line in card.note.split("\n") if line] == [
        "This is the note field!!",
        "Second line",
        "Third line is empty",
    ]
    assert (card.family_name, card.given_name, card.prefix, card.suffix) == (
        "Doe",
        "John",
        "Mr.",
        "III",
    )
    assert card.full_name == "John Doe III"
    assert card.nickname == "Joey"
    assert (card.organisation, card.department) == ("Company, The", "TheDepartment")
    assert (card.title, card.role) == ("The Job Title", "TheProfession")
    assert _phones(card) == [
        ("BusinessPhone", ["work", "voice"]),
        ("HomePhone", ["home", "voice"]),
        ("MobilePhone", ["cell", "voice"]),
        ("BusinessFaxPhone", ["work", "fax"]),
    ]
    assert card.emails == [Email("jdoe@hotmail.com", ["pref"])]
    assert card.addresses == [
        Address(
            extended="TheOffice",
            street="123 Main St",
            city="Austin",
            region="TX",
            postal_code="12345",
            country="United States of America",
            types=["work"],
            postal_label="TheOffice\n123 Main St\nAustin, TX 12345\nUnited States of America",
        )
    ]
    assert card.birthday == PartialDate(1980, 3, 21)
    assert card.birthday.as_date() == date(1980, 3, 21)
    assert card.urls == [Url("http://web-page-address.com", ["work"])]
    names = [name for name, _preview in card.unmapped]
    assert names == ["KEY", "FBURL"]
    assert card.unmapped[0][1].startswith("[binary data")


def test_outlook_2007_qp_note_label_and_extensions_reported():
    card = _one("outlook-2007.vcf")
    assert card.full_name == "Mr. Michael Angstadt Jr."
    assert card.note.splitlines() == [
        "This is the NOTE field\t",
        "I assume it encodes this text inside a NOTE vCard type.",
        "But I'm not sure because there's text formatting going on here.",
        "It does not preserve the formatting",
    ]
    assert card.addresses[0].postal_label == "222 Broadway\nNew York, NY 99999\nUSA"
    assert card.addresses[0].types == ["work", "pref"]
    assert card.birthday == PartialDate(1922, 3, 10)
    assert card.anniversary == PartialDate(2012, 8, 1)
    assert [p.value for p in card.phones] == [
        "(111) 555-1111",
        "(111) 555-2222",
        "(111) 555-4444",
        "(111) 555-3333",
    ]  # X-MS-TEL repeats the mobile and is not added twice
    assert card.ims == [InstantMessenger(service="", handle="im@aim.com")]
    assert card.has_photo
    names = {name for name, _preview in card.unmapped}
    assert {"X-MS-MANAGER", "X-MS-ASSISTANT", "X-MS-SPOUSE", "X-MS-OL-DESIGN", "KEY"} <= names
    assert ("X-MS-SPOUSE", "TheSpouse") in card.unmapped


def test_ms_outlook_21_labels_matched_to_addresses_by_type():
    card = _one("John_Doe_MS_OUTLOOK.vcf")
    work, home = card.addresses
    assert work.types == ["work", "pref"]
    assert work.postal_label == "Cresent moon drive\nAlbaney, New York  12345"
    assert home.street == "Silicon Alley 5,"
    assert home.postal_label == "Silicon Alley 5,\nNew York, New York  12345"
    assert card.birthday == PartialDate(1980, 3, 22)
    assert card.anniversary == PartialDate(2011, 1, 13)
    assert card.emails == [Email("john.doe@ibm.cm", ["pref"])]
    assert card.middle_name == "Richter,James"
    assert card.has_photo
    assert ("X-MS-MANAGER", "Big Blue") in card.unmapped


def test_iphone_grouped_labels_types_and_double_cr_line_ends():
    card = _one("John_Doe_IPHONE.vcf")
    assert card.full_name == "Mr. John Richter James Doe Sr."
    assert (card.organisation, card.department) == ("IBM", "Accounting")
    assert card.emails == [Email("john.doe@ibm.com", ["pref"])]
    assert card.phones[0] == Phone("905-555-1234", ["cell", "voice", "pref"])
    assert Phone("905-222-1234", [], "AssistantPhone") in card.phones
    assert len(card.phones) == 7
    assert card.addresses[0].types == ["home", "pref"]
    assert card.addresses[1].street == "Street4\nBuilding 6\nFloor 8"
    assert card.urls == [Url("http://www.ibm.com", ["pref"], "HomePage")]
    assert card.birthday == PartialDate(2012, 6, 6)
    assert card.has_photo
    assert [name for name, _p in card.unmapped] == ["X-ABADR", "X-ABADR"]
    assert card.warnings == []


def test_android_quoted_printable_utf8_decodes_to_n_tilde():
    cards = _read("John_Doe_ANDROID.vcf").cards
    assert [c.emails[0].value for c in cards[:2]] == [
        "john.doe@company.com",
        "jane.doe@company.com",
    ]
    assert cards[2].full_name == " ".join([N_TILDE] * 5)
    assert cards[2].family_name == " ".join([N_TILDE] * 4)
    assert cards[3].full_name == " ".join([N_TILDE] * 11)  # soft line break mid-value
    assert len(cards[3].notes) == 2
    assert set(cards[3].note.replace(" ", "").replace("\n", "")) == {N_TILDE}
    bob = cards[4]
    assert (bob.family_name, bob.given_name) == (f"{N_TILDE} {N_TILDE}", " ".join([N_TILDE] * 3))
    assert bob.organisation == N_TILDE * 12
    assert bob.emails[0] == Email("bob@company.com", ["pref", "work"])
    assert bob.emails[1].value == N_TILDE * 14
    assert bob.has_photo  # base64 block ended by a blank line
    assert [u.value for u in bob.urls] == ["www.company.com", "http://www.company.com"]
    assert ("ORG", N_TILDE * 12) in bob.unmapped  # second ORG reported, not dropped
    henry = cards[5]
    assert henry.organisation == N_TILDE * 44
    assert henry.categories == ["My Contacts"]
    # the second ORG ends in a stray =80 byte: replaced, with a warning on its line
    assert [w.line for w in henry.warnings] == [82]


def test_blackberry_single_line_base64_photo_then_empty_note():
    card = _one("John_Doe_BLACK_BERRY.vcf")
    assert card.full_name == "John Doe"
    assert (card.family_name, card.given_name) == ("Doe", "john")
    assert card.organisation == "Acme Solutions"
    assert card.phones == [Phone("+96123456789", ["cell"])]
    assert card.has_photo
    assert card.notes == []
    assert card.unmapped == []


def test_evolution_folded_escaped_values_and_aim():
    card = _one("John_Doe_EVOLUTION.vcf")
    assert card.full_name == "Mr. John Richter, James Doe Sr."
    assert card.middle_name == "Richter, James"
    assert (card.organisation, card.department) == ("IBM", "Accounting / Dungeon")
    assert _phones(card) == [("905-666-1234", ["cell"]), ("905-555-1234", ["work", "voice"])]
    assert card.emails == [Email("john.doe@ibm.com", ["work"])]
    assert card.urls[0].value == "http://www.ibm.com"
    address = card.addresses[0]
    assert (address.po_box, address.street, address.city, address.country) == (
        "ASB-123",
        "15 Crescent moon drive",
        "Albaney",
        "United States of America",
    )
    assert card.note.startswith(
        'THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS"'
    )
    assert "SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS" in card.note
    assert card.birthday == PartialDate(1980, 3, 22)
    assert card.anniversary == PartialDate(1980, 3, 22)
    assert card.ims == [InstantMessenger("aim", "johnny5@aol.com", ["home"])]
    assert card.categories == ["VIP"]
    assert card.uid == "477343c8e6bf375a9bac1f96a5000837"
    assert ("X-EVOLUTION-SPOUSE", "Maria") in card.unmapped


def test_gmail_exports():
    card = _one("John_Doe_GMAIL.vcf")
    assert card.emails == [Email("john.doe@ibm.com", ["home"])]
    assert card.addresses[0].extended.splitlines()[0] == "Crescent moon drive"
    assert card.anniversary == PartialDate(1975, 3, 1)  # item1.X-ABDATE labelled Anniversary
    assert ("X-ABRELATEDNAMES", "Jenny (Spouse)") in card.unmapped
    assert card.note.endswith("DAMAGE.\nFavotire Color: Blue")
    assert '"AS IS"' in card.note

    single = _one("gmail-single.vcf")
    assert single.phones == [
        Phone("555 555 1111", ["cell"]),
        Phone("555 555 2222", [], "GRAND_CENTRAL"),
    ]
    assert single.addresses[1] == Address(
        street="321 Custom St",
        city="Custom City",
        region="TX",
        postal_code="98765",
        country="USA",
        label="CustomAdrType",
    )
    assert single.birthday == PartialDate(1960, 9, 10)
    assert single.anniversary == PartialDate(1970, 6, 2)
    assert single.ims == [InstantMessenger("icq", "123456789")]
    assert single.urls == [Url("http://TheProfile.com", [], "PROFILE")]
    assert single.notes == [
        "This is GMail's note field.\nIt should be added as a NOTE type.\nACustomField: CustomField"
    ]

    two = _one("gmail-single2.vcf")
    assert [e.value for e in two.emails] == [
        "email@example.com",
        "homeemail@example.com",
        "workemail@example.com",
        "otheremail@example.com",
        "customcategory@example.com",
    ]
    assert two.emails[-1].label == "CustomEmailCategory"
    assert len(two.phones) == 11
    assert {(i.service, i.handle) for i in two.ims} == {
        ("gtalk", "IM2"), ("aim", "IM3"), ("yahoo", "IM4"), ("skype", "IM5"), ("qq", "IM6"),
        ("msn", "IM7"), ("icq", "IM8"), ("jabber", "IM9"),
    }  # fmt: skip
    assert len(two.addresses) == 5
    assert two.birthday == PartialDate(1912, 6, 23)
    assert two.anniversary == PartialDate(1930, 3, 20)
    assert ("X-ABDATE", "1776-07-04") in two.unmapped
    assert ("X-ABRELATEDNAMES", "Name13 (Referred_by)".replace("Referred_by", "REFERRED_BY")) in (
        two.unmapped
    )


def test_gmail_list_three_cards():
    cards = _read("gmail-list.vcf").cards
    assert [(c.full_name, c.emails[0].value) for c in cards] == [
        ("Arnold Smith", "asmithk@gmail.com"),
        ("Chris Beatle", "chrisy55d@yahoo.com"),
        ("Doug White", "dwhite@gmail.com"),
    ]
    assert [c.line for c in cards] == [1, 7, 13]


def test_rfc2426_two_cards_lower_case_begin_and_folded_adr():
    first, second = _read("rfc2426-example.vcf").cards
    assert first.full_name == "Frank Dawson"
    assert first.organisation == "Lotus Development Corporation"
    assert first.addresses[0].street == "6544 Battleford Drive"
    assert first.addresses[0].city == "Raleigh"
    assert first.addresses[0].types == ["work", "postal", "parcel"]
    assert [e.value for e in first.emails] == ["Frank_Dawson@Lotus.com", "fdawson@earthlink.net"]
    assert first.emails[0].types == ["pref"]
    assert _phones(first)[0] == ("+1-919-676-9515", ["voice", "msg", "work"])
    assert second.full_name == "Tim Howes"
    assert (second.addresses[0].region, second.addresses[0].postal_code) == ("CA", "94043")


def test_rfc6350_partial_birthday_uri_phones_and_gender():
    card = _one("rfc6350-example.vcf")
    assert card.version == "4.0"
    assert card.birthday == PartialDate(None, 2, 3)
    assert card.birthday.as_date() is None
    assert card.anniversary == PartialDate(2009, 8, 8)
    assert card.phones[0] == Phone("+1-418-656-9254 ext. 102", ["work", "voice", "pref"])
    assert card.phones[1].value == "+1-418-262-6501"
    assert card.gender == "male"
    assert card.suffix == "ing. jr,M.Sc."
    assert card.addresses[0].extended == "Suite D2-630"
    assert card.addresses[0].city == "Quebec"
    assert {n for n, _p in card.unmapped} == {"LANG", "GEO", "KEY", "TZ"}


def test_fullcontact_v4_duplicates_reported_and_impp():
    card = _one("fullcontact.vcf")
    assert card.full_name == "Prefix FirstName MiddleName LastName Suffix"
    assert (card.organisation, card.department, card.title) == (
        "Organization1",
        "Department1",
        "Title1",
    )
    assert ("ORG", "Organization2; Department2") in card.unmapped
    assert ("TITLE", "Title2") in card.unmapped
    assert len(card.phones) == 9
    assert card.emails[2] == Email("school@example.com", ["school"])
    assert card.birthday == PartialDate(2016, 8, 1)  # the ALTID twin is not reported
    assert not any(name == "BDAY" for name, _p in card.unmapped)
    assert card.gender == "male"
    assert card.notes == ["Notes line 1\nNotes line 2"]
    assert card.addresses[0].country == "HomeCountry"
    assert card.ims[0] == InstantMessenger("gtalk", "gtalk")
    assert card.ims[1] == InstantMessenger("skype", "skype")
    assert card.has_photo
    assert card.categories == ["Tag"]


def test_lotus_notes_mac_and_thunderbird():
    lotus = _one("John_Doe_LOTUS_NOTES.vcf")
    assert lotus.full_name == "Mr. Doe John I Johny"
    assert lotus.nickname == "Johny,JayJay"
    assert lotus.emails[0] == Email("john.doe@ibm.com", ["work", "pref"])
    assert lotus.addresses[0].postal_code == "NYC887"
    assert lotus.addresses[0].postal_label.startswith("John Doe\nNew York, NewYork,")
    assert lotus.birthday == PartialDate(1980, 5, 21)
    assert lotus.role == "Counting Money"
    assert lotus.has_photo
    assert ("X-GENERATOR", "Cardme Generator") in lotus.unmapped

    mac = _one("John_Doe_MAC_ADDRESS_BOOK.vcf")
    assert mac.phones[0] == Phone("905-777-1234", ["work", "pref"])
    assert Phone("905-222-1234", [], "AssistantPhone") in mac.phones
    assert mac.has_photo  # base64 with LF-only folded lines
    assert ("X-ABRELATEDNAMES", "Jenny (Spouse)") in mac.unmapped
    assert mac.birthday == PartialDate(2012, 6, 6)

    bird = _one("thunderbird-MoreFunctionsForAddressBook-extension.vcf")
    assert bird.categories == ["category1", "category2", "category3"]
    assert bird.anniversary == PartialDate(1990, 4, 30)
    assert bird.notes[0].split("\n")[:4] == [
        "This is the notes field.",
        "Second Line",
        "",
        "Fourth Line",
    ]
    assert bird.note.endswith('the "note" field; even curse words.')
    assert bird.emails[0] == Email("doe.john@hotmail.com", ["pref"])
    assert len(bird.emails) == 5
    assert bird.unmapped == [("X-SPOUSE", "TheSpouse")]


# --- encodings and malformed input ---------------------------------------------------------


def test_gbk_21_file_with_charset_and_quoted_printable():
    note = binascii.b2a_qp("第一行\r\n第二行".encode("gbk"), istext=False)
    data = (
        (
            "BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=GBK:张;伟\r\nFN;CHARSET=GBK:张伟\r\n"
            "ORG;CHARSET=GB2312:上海恒通五金有限公司;销售部\r\n"
            "NOTE;CHARSET=GBK;ENCODING=QUOTED-PRINTABLE:"
        ).encode("gbk")
        + note
        + b"\r\nTEL;CELL:13800138000\r\nEND:VCARD\r\n"
    )
    result = parse_vcards(data)
    card = result.cards[0]
    assert result.encoding == "gb18030"
    assert (card.full_name, card.family_name, card.given_name) == ("张伟", "张", "伟")
    assert (card.organisation, card.department) == ("上海恒通五金有限公司", "销售部")
    assert card.notes == ["第一行\n第二行"]
    assert card.warnings == []


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig", "utf-8"])
def test_unicode_encodings(encoding):
    text = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:李娜\r\nN:李;娜;;;\r\nEND:VCARD\r\n"
    result = parse_vcards(text.encode(encoding))
    assert result.encoding == encoding
    assert result.cards[0].full_name == "李娜"


def test_full_name_built_from_n_when_fn_missing():
    cards = parse_vcards(
        "BEGIN:VCARD\nN:王;小明;;;\nEND:VCARD\nBEGIN:VCARD\nN:Doe;Jane;;Dr.;\nEND:VCARD\n"
    ).cards
    assert [c.full_name for c in cards] == ["王小明", "Dr. Jane Doe"]


def test_malformed_lines_become_warnings_with_line_numbers():
    result = parse_vcards(
        b"junk before\nBEGIN:VCARD\nFN:X\n\xff\xfe:bad\nNOTE:one\nno colon here\n"
        b"BDAY:not a date\nTEL:1\n"
    )
    card = result.cards[0]
    assert [w.line for w in result.warnings] == [1]
    assert card.notes == ["one\nno colon here"]
    assert sorted(w.line for w in card.warnings) == [2, 4, 6]  # no END, bad name, joined
    assert ("BDAY", "not a date") in card.unmapped
    assert card.phones == [Phone("1")]
    assert str(card.warnings[0]).startswith("Line ")


def test_random_corruption_never_raises():
    rng = random.Random(7)
    originals = [p.read_bytes() for p in ALL_FILES]
    for _ in range(60):
        data = bytearray(rng.choice(originals))
        for _ in range(rng.randint(1, 20)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        parse_vcards(bytes(data[: rng.randrange(1, len(data) + 1)]))
    assert parse_vcards(b"").cards == []
    assert parse_vcards(b"").warnings


def test_embedded_agent_card_is_reported():
    card = parse_vcards(
        "BEGIN:VCARD\nVERSION:2.1\nFN:Boss\nAGENT:\nBEGIN:VCARD\nFN:Assistant\nEND:VCARD\n"
        "TEL:1\nEND:VCARD\n"
    ).cards
    assert len(card) == 1
    assert card[0].full_name == "Boss"
    assert ("AGENT", "[embedded vCard]") in card[0].unmapped


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("19800321", PartialDate(1980, 3, 21)),
        ("1980-03-21", PartialDate(1980, 3, 21)),
        ("--0321", PartialDate(None, 3, 21)),
        ("--03-21", PartialDate(None, 3, 21)),
        ("1980-03-21T10:00:00Z", PartialDate(1980, 3, 21)),
        ("19800321T103000", PartialDate(1980, 3, 21)),
        ("1980-03", PartialDate(1980, 3, None)),
        ("1980/3/21", PartialDate(1980, 3, 21)),
        ("1980-02-30", None),
        ("soon", None),
    ],
)
def test_vcard_dates(text, expected):
    assert parse_vcard_date(text) == expected


# --- writer ---------------------------------------------------------------------------------


def _fields(card: VCard) -> dict:
    data = dict(vars(card))
    for key in ("version", "line", "warnings", "unmapped", "has_photo"):
        data.pop(key)
    return data


def test_dump_round_trip_with_chinese_names():
    cards = [
        VCard(
            full_name="张伟",
            family_name="张",
            given_name="伟",
            nickname="老张",
            organisation="上海恒通五金有限公司",
            department="销售部",
            title="销售经理",
            role="采购对接",
            phones=[
                Phone("13800138000", ["cell", "pref"]),
                Phone("021-12345678", ["work"], "总机"),
            ],
            emails=[Email("zhangwei@hengtong.cn", ["work", "pref"]), Email("zw@qq.com", [])],
            addresses=[
                Address(
                    street="浦东新区张江路 88 号; 3 楼",
                    city="上海",
                    region="上海市",
                    postal_code="201203",
                    country="中国",
                    types=["work"],
                    label="仓库",
                    postal_label="上海市浦东新区\n张江路 88 号",
                )
            ],
            urls=[Url("https://hengtong.example.cn/a,b;c", ["work"])],
            birthday=PartialDate(1985, 7, 9),
            anniversary=PartialDate(None, 10, 1),
            notes=["第一行\n第二行, 含逗号; 分号 \\ 反斜杠", "A second note " + "很长的备注" * 20],
            categories=["VIP", "华东"],
            ims=[
                InstantMessenger("qq", "123456789"),
                InstantMessenger("wechat", "zhangwei_88"),
                InstantMessenger("sip", "zw@sip.example.cn"),
            ],
            gender="male",
            uid="urn:uuid:1234",
        ),
        VCard(full_name="Jane Doe", family_name="Doe", given_name="Jane", emails=[Email("j@x.io")]),
    ]
    text = vcards_dump(cards)
    assert text.startswith("BEGIN:VCARD\r\nVERSION:3.0\r\n")
    assert "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert "\r\n " in text  # the long note was folded
    parsed = parse_vcards(text.encode("utf-8"))
    assert parsed.warnings == []
    assert [c.warnings for c in parsed.cards] == [[], []]
    assert [c.unmapped for c in parsed.cards] == [[], []]
    assert [c.version for c in parsed.cards] == ["3.0", "3.0"]
    assert [_fields(c) for c in parsed.cards] == [_fields(c) for c in cards]


def test_dump_round_trips_fixture_cards():
    for path in ALL_FILES:
        original = parse_vcards(path.read_bytes()).cards
        again = parse_vcards(vcards_dump(original)).cards
        expected = [_fields(c) | {"full_name": c.display_name} for c in original]  # FN required
        assert [_fields(c) for c in again] == expected, path.name


def test_unindented_21_base64_block_and_quoted_parameter_with_colon():
    text = (
        "BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Wang\r\n"
        "PHOTO;ENCODING=BASE64;TYPE=JPEG:/9j/4AAQSkZJRgABAQEAYABgAAD\r\n"
        "AAgAAYdpAAQAAAABAAAAGgAAAAAAAqACAAQAAAABAAAAyKADAAQAAAABAAAAyAAA\r\n"
        "QICAgMCAwUDAwULCAYICwsLCw==\r\n"
        "TEL;WORK;VOICE:010-1234\r\n"
        'ADR;TYPE=work;LABEL="No. 1 Road: Gate 2\\nBeijing":;;No. 1 Road;Beijing;;;China\r\n'
        "END:VCARD\r\n"
    )
    card = parse_vcards(text).cards[0]
    assert card.has_photo
    assert card.phones == [Phone("010-1234", ["work", "voice"])]
    assert card.addresses[0].street == "No. 1 Road"
    assert card.addresses[0].postal_label == "No. 1 Road: Gate 2\nBeijing"
    assert card.warnings == [] and card.unmapped == []
