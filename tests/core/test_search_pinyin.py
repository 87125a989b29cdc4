"""The table-driven pinyin path (`core.search.to_pinyin`) gives exactly what pypinyin gives —
for the names the generator and the test suite use, for text mixing phrases, heteronyms and
Latin, and through the two users of it: the search columns and the duplicate key."""

import random
import re

import pytest
from pypinyin import lazy_pinyin
from pypinyin.constants import PHRASES_DICT

from shangyou.contacts.dedup import dedup_name
from shangyou.core.search import fold, pinyin_forms, search_fields, strip_company_suffix, to_pinyin
from shangyou.ops.bench import generate, importbench, names

SUITE_NAMES = [
    "张伟", "王芳", "李娜", "上海恒通五金有限公司", "华为技术股份有限公司", "重庆长安汽车",
    "长沙银行", "中国建设银行", "厦门大学", "行行行", "乐乐", "单单", "曾国藩", "覃", "〇一二",
    "客户7", "Acme Trading Co., Ltd.", "ＺｈａｎｇＷｅｉ １２３", "张伟 (Zhang Wei)", "广州・白云",
    "導入客戶", "𠮷野家", "阿Q正传", "", " ", "3M中国", "e人e本", "长长久久", "重重叠叠",
]  # fmt: skip


def generated_names(count: int) -> list[str]:
    rng = random.Random(20261201)
    found = list(SUITE_NAMES)
    for _ in range(count):
        found.append(generate.make_customer(rng)["name"])
        found.append(importbench.csv_row(rng)[0])
        found.append(names.chinese_person(rng))
    return found


def mixed_texts(count: int) -> list[str]:
    """Phrases from pypinyin's dictionary run together, with Latin and digits in between: the
    word cutting across them is what a per-character table could get wrong."""
    rng = random.Random(7)
    phrases = sorted(PHRASES_DICT)
    texts = []
    for _ in range(count):
        parts = [rng.choice(phrases) for _ in range(rng.randrange(1, 4))]
        if rng.random() < 0.3:
            parts.insert(1, rng.choice([" ", "A-1", "·", "3M", "(", "x"]))
        texts.append("".join(parts))
    return texts


@pytest.mark.parametrize(
    "texts",
    [pytest.param(generated_names(2000), id="names"), pytest.param(mixed_texts(3000), id="mixed")],
)
def test_to_pinyin_is_pypinyin_lazy_pinyin(texts):
    for text in texts:
        assert to_pinyin(text) == lazy_pinyin(text), text
        assert to_pinyin(text, keep_other=False) == lazy_pinyin(text, errors="ignore"), text


def pypinyin_forms(name: str) -> list[str]:
    """The search forms as they were computed before the table: pypinyin's own calls."""
    if not re.search(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]", name):
        return []
    full = " ".join(s for s in lazy_pinyin(name, errors="ignore") if s.strip())
    initials = "".join(s[0] for s in full.split())
    return [fold(f) for f in (full, full.replace(" ", ""), initials) if f]


def test_search_forms_and_duplicate_keys_are_unchanged():
    for name in generated_names(1500):
        folded = fold(name)
        assert pinyin_forms(folded) == pypinyin_forms(folded), name
        spelled = re.sub(r"[\W_]+", "", "".join(lazy_pinyin(strip_company_suffix(name))).lower())
        assert dedup_name(name) == spelled[:200], name


def test_search_fields_find_heteronyms_as_pypinyin_reads_them():
    fields = search_fields(names=["长沙银行"])
    assert "changshayinhang" in fields["search_text"] and "csyh" in fields["search_text"]
    assert {"ch", "sh", "yi", "ha"} <= set(fields["search_grams"].split())  # syllable starts
