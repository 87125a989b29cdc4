"""Search text for Chinese and Latin names, phones and emails — and index-served lookups for it
on both databases.

Each searchable row stores two derived columns, written by `search_fields()`:

* `search_text` — lower-cased, NFKC-folded: the names, their full pinyin (with and without
  spaces), initials, phones as digits (national and with country code), emails.
* `search_grams` — space-separated tokens: every CJK character and every CJK bigram of the
  names, the 1- and 2-letter prefixes of each Latin word (so "zw" finds 张伟 through its
  initials), and **pinyin pairs** — two adjacent syllables joined: 'zhangwei' for 张伟,
  'zhoucheng' and 'chenggong' for 轴承公司; in Latin words (a Latin name, an e-mail address,
  SKUs …) every such pair wherever it begins ('hengtong' in "hengtongtech").

A query is split on whitespace; every term must match:

* a term containing CJK → each of its bigrams (or the single character) must be in
  `search_grams` (served by an index) and the whole term must be a substring of `search_text`
  (recheck);
* a term of 3+ letters made of two or more whole pinyin syllables ('zhangwei', 'hengtong') →
  the pinyin pairs of one of its readings as syllables must be in `search_grams` (an index
  lookup of one short posting list per pair) and the whole term a substring of `search_text`
  (recheck). It finds what a substring search finds except a term that begins or ends inside
  a hanzi name's syllable ('angwei' does not find 张伟; a term made of whole syllables does);
* any other Latin/digit term of 3+ characters → substring of `search_text`: a pg_trgm GIN
  index on PostgreSQL, an FTS5 trigram table on SQLite;
* a shorter Latin term → one of the prefix tokens in `search_grams`.

PostgreSQL indexes `string_to_array(search_grams, ' ')` with GIN (`@>` containment); SQLite
keeps `search_grams` in an FTS5 unicode61 table. Both FTS tables (SQLite) and both GIN indexes
(PostgreSQL) are created by the `SearchIndex` migration operation and kept current by triggers
on SQLite, so bulk loads are indexed too.
"""

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from itertools import pairwise

from django.db import connection, models
from django.db.migrations.operations.base import Operation
from django.db.models.expressions import RawSQL
from pypinyin import lazy_pinyin

CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
WORD_RE = re.compile(r"[0-9a-z]+")
PHONE_QUERY_RE = re.compile(r"^\+?[\d\s\-()]{4,}$")
COMPANY_SUFFIXES = (
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "集团",
    "公司",
    "co., ltd.",
    "co.,ltd.",
    "co. ltd.",
    "co ltd",
    "ltd.",
    "ltd",
    "inc.",
    "inc",
    "llc",
    "gmbh",
)


def fold(text: str) -> str:
    """NFKC (full-width → half-width) and lower case."""
    return unicodedata.normalize("NFKC", text or "").lower().strip()


def phone_digits(phone: str) -> list[str]:
    """'+86 138-0013-8000' → ['8613800138000', '13800138000']: with and without country code."""
    digits = re.sub(r"\D", "", fold(phone))
    if not digits:
        return []
    variants = [digits]
    if digits.startswith("0086"):
        variants.append(digits[4:])
    elif digits.startswith("86") and len(digits) == 13:
        variants.append(digits[2:])
    return variants


def normalize_phone(phone: str) -> str:
    """The national form used for duplicate checks."""
    variants = phone_digits(phone)
    return variants[-1] if variants else ""


def strip_company_suffix(name: str) -> str:
    folded = fold(name)
    for suffix in COMPANY_SUFFIXES:
        if folded.endswith(suffix) and len(folded) > len(suffix):
            return folded[: -len(suffix)].strip(" ,.")
    return folded


# --- pinyin -------------------------------------------------------------------------------------
# `pypinyin.lazy_pinyin` splits a text into runs of hanzi and of other characters, cuts each hanzi
# run into words (forward maximum matching against its phrase dictionary) and reads each word from
# the phrase dictionary or, character by character, from the first reading in its character
# dictionary, then drops the tones — through several layers of objects per word, ~100 µs a name.
# The same steps from flat tables, with the toneless readings computed once: a character that
# has one reading in every phrase containing it (its own first one) is read from the table
# directly, so a run made only of such characters needs no word cutting; a run with any other
# character (行 in 银行, 长 in 长沙 …) is cut with pypinyin's own segmenter and its words read from
# the phrase table. Anything unusual (a character without pinyin inside a run) goes to pypinyin
# itself. tests/core/test_search_pinyin.py compares the output with pypinyin's on generated names.
class _PinyinTable:
    def __init__(self) -> None:
        from pypinyin.constants import PHRASES_DICT, PINYIN_DICT, RE_HANS, Style
        from pypinyin.core import _default_convert
        from pypinyin.seg import mmseg

        pattern = RE_HANS.pattern  # '^(?:[…])+$': one or more characters that have pinyin
        if not (pattern.startswith("^") and pattern.endswith("$")):  # pragma: no cover
            raise RuntimeError(f"unexpected pypinyin RE_HANS pattern: {pattern[:40]}")
        #: re.split() with it alternates other text (even items) and hanzi runs (odd items).
        self.split = re.compile(f"({pattern[1:-1]})", RE_HANS.flags).split
        self.cut = mmseg.seg.cut
        self.phrase_readings = PHRASES_DICT
        self.toneless: dict[str, str] = {}
        self._to_normal = lambda reading: _default_convert.convert_style(
            "", reading, style=Style.NORMAL, strict=True
        )
        self.first = {
            chr(code): self.normal(readings.split(",")[0]) for code, readings in PINYIN_DICT.items()
        }
        self.phrases: dict[str, list[str] | None] = {}  # phrase → toneless syllables (cache)
        self.safe = dict(self.first)
        for phrase, readings in PHRASES_DICT.items():
            if len(readings) != len(phrase):
                for char in phrase:
                    self.safe.pop(char, None)
                continue
            for char, item in zip(phrase, readings, strict=True):
                if char in self.safe and (not item or self.normal(item[0]) != self.safe[char]):
                    del self.safe[char]

    def normal(self, reading: str) -> str:
        value = self.toneless.get(reading)
        if value is None:
            value = self.toneless[reading] = self._to_normal(reading)
        return value

    def _phrase(self, word: str) -> list[str] | None:
        if word not in self.phrases:
            readings = self.phrase_readings[word]
            syllables = None
            if len(readings) == len(word) and all(readings):
                syllables = [self.normal(item[0]) for item in readings]
                if not all(syllables):
                    syllables = None
            self.phrases[word] = syllables  # None: leave the run to pypinyin
        return self.phrases[word]

    def _run(self, run: str, keep_other: bool) -> list[str]:
        safe = self.safe
        try:
            return [safe[char] for char in run]
        except KeyError:
            pass
        result: list[str] = []
        first, phrases = self.first, self.phrase_readings
        for word in self.cut(run):
            if word in phrases:
                syllables = self._phrase(word)
            else:
                syllables = [first.get(char) for char in word]
            if syllables is None or None in syllables:
                # a phrase whose readings do not match its characters, or a character without
                # pinyin: pypinyin's own rules
                return lazy_pinyin(run, errors="default" if keep_other else "ignore")
            result.extend(syllables)
        return result

    def syllables(self, text: str, *, keep_other: bool) -> list[str]:
        """`lazy_pinyin(text)` (keep_other) or `lazy_pinyin(text, errors="ignore")`."""
        result: list[str] = []
        for index, part in enumerate(self.split(text)):
            if not part:
                continue
            if index % 2:
                result.extend(self._run(part, keep_other))
            elif keep_other:  # text without pinyin: kept as it is, or dropped
                result.append(part)
        return result


@lru_cache(maxsize=1)
def _pinyin_table() -> _PinyinTable:
    return _PinyinTable()


def pinyin_tables_load() -> None:
    """Build the tables now (~0.4 s): before forking worker processes, which then share them."""
    _pinyin_table()


def to_pinyin(text: str, *, keep_other: bool = True) -> list[str]:
    """The syllables of `text`, as `pypinyin.lazy_pinyin(text)` gives them (other text kept as
    it is), or as `lazy_pinyin(text, errors="ignore")` with `keep_other=False` — faster."""
    return _pinyin_table().syllables(text, keep_other=keep_other)


def pinyin_forms(name: str) -> list[str]:
    """'张伟' → ['zhang wei', 'zhangwei', 'zw']; Latin text is returned unchanged."""
    if not CJK_RE.search(name):
        return []
    return list(_pinyin_forms(name))


@lru_cache(maxsize=65536)
def _pinyin_forms(name: str) -> tuple[str, ...]:
    # Names repeat (张伟, 王芳 …) and pinyin is the costly part of search_fields(): bulk
    # imports and `bench generate` hit this cache often.
    # One conversion: the initials are the syllables' first letters (what Style.FIRST_LETTER
    # returns, checked on 40,000 person and company names), at half the cost.
    syllables = [s for s in to_pinyin(name, keep_other=False) if s.strip()]
    full = " ".join(syllables)
    forms = [full, full.replace(" ", ""), "".join(s[0] for s in syllables)]
    return tuple(fold(f) for f in forms if f)


def cjk_grams(text: str) -> set[str]:
    grams: set[str] = set()
    for run in CJK_RE.findall(text):
        grams.update(run)
        grams.update(run[i : i + 2] for i in range(len(run) - 1))
    return grams


# --- pinyin pairs -------------------------------------------------------------------------------
# A trigram index serves 'zhoucheng' by intersecting the posting lists of its seven trigrams,
# each shared by every row with a common syllable (zho, hou, che, hen, eng …): 8–12 ms of index
# work for a word in 2% of a million rows, whatever the number of matches. The same word as
# the pinyin pair token 'zhoucheng' is one posting list holding exactly the candidates.
LETTERS_RE = re.compile(r"[a-z]+")
#: A query read as syllables in more ways than this goes to the trigram index.
MAX_READINGS = 8
#: Latin words longer than this give no pinyin pairs (a long token is no name).
MAX_PAIR_WORD = 40


@lru_cache(maxsize=1)
def pinyin_syllables() -> frozenset[str]:
    """Every toneless pinyin syllable with a vowel ('zhang', 'er', 'lv' …; not 'm', 'ng')."""
    from pypinyin.constants import PINYIN_DICT

    table = _pinyin_table()
    syllables = {table.normal(r) for readings in PINYIN_DICT.values() for r in readings.split(",")}
    return frozenset(s for s in syllables if LETTERS_RE.fullmatch(s) and re.search("[aeiouv]", s))


def _syllables_at(word: str, start: int) -> list[str]:
    known = pinyin_syllables()
    ends = range(start + 1, min(start + 6, len(word)) + 1)  # the longest syllable: 6 letters
    return [word[start:end] for end in ends if word[start:end] in known]


def _joined(syllables: list[str]) -> list[str]:
    """Adjacent syllables joined: the pinyin pairs of a reading."""
    return [a + b for a, b in pairwise(syllables)]


def syllable_pairs(syllables: list[str]) -> set[str]:
    """The pinyin pair tokens of a name read as `syllables`: adjacent syllables joined, 3+
    letters (shorter ones would be taken for a word's 2-letter prefix)."""
    return {pair for pair in _joined(syllables) if len(pair) >= 3}


@lru_cache(maxsize=65536)
def word_pairs(word: str) -> frozenset[str]:
    """Every pinyin pair in a Latin word, wherever it begins: a term made of syllables is then
    found inside the word as a substring search would find it. Cached: words repeat ('ltd',
    e-mail domains) in an import."""
    pairs: set[str] = set()
    if len(word) > MAX_PAIR_WORD:
        return frozenset()
    for start in range(len(word) - 2):
        for first in _syllables_at(word, start):
            for second in _syllables_at(word, start + len(first)):
                if len(first) + len(second) >= 3:
                    pairs.add(first + second)
    return frozenset(pairs)


def term_readings(term: str) -> list[list[str]] | None:
    """A letters-only term's readings as 2+ whole syllables, each as the pinyin pairs it needs;
    None when the term must go to the trigram index: not all letters, no reading, more than
    MAX_READINGS, or one reading a single syllable or with a pair under 3 letters (such a
    name has no pair token for it)."""
    if not LETTERS_RE.fullmatch(term):
        return None
    readings: list[list[str]] = []

    def walk(start: int, taken: list[str]) -> bool:
        if start == len(term):
            readings.append(taken)
            return len(readings) <= MAX_READINGS
        return all(
            walk(start + len(s), [*taken, s]) for s in _syllables_at(term, start)
        )  # fmt: skip

    if not walk(0, []) or not readings:
        return None
    needed: dict[tuple[str, ...], None] = {}  # li|na and lin|a need the same pair
    for syllables in readings:
        pairs = _joined(syllables)
        if not pairs or any(len(p) < 3 for p in pairs):
            return None
        needed[tuple(sorted(set(pairs)))] = None
    return [list(pairs) for pairs in needed]


def search_fields(
    *,
    names: Iterable[str] = (),
    phones: Iterable[str] = (),
    emails: Iterable[str] = (),
    extra: Iterable[str] = (),
) -> dict[str, str]:
    """The `search_text` and `search_grams` values for a row.

    A hanzi name is searched by its pinyin joined ('zhangwei') and its initials ('zw'), both in
    the text; its syllables ('zhang wei') only give word-start grams (1–2 letters: 'we'). In the
    text they would add nothing a query can find — a query word has no spaces, so it is inside
    one syllable, hence inside the joined form — but a fifth of the text's trigrams, which the
    trigram index stores and updates for every row (most of a bulk import's cost)."""
    names = [fold(n) for n in names if n]
    parts: list[str] = []
    syllables: list[str] = []
    latin: list[str] = []  # text whose Latin words give pinyin pairs: not the joined pinyin
    for name in names:
        parts.append(name)
        latin.append(name)
        forms = pinyin_forms(name)
        if forms:
            syllables.append(forms[0])
            parts.extend(forms[1:])
            latin.extend(forms[2:])  # the initials
    for phone in phones:
        parts.extend(phone_digits(phone))
    emails = [fold(e) for e in emails if e]
    extra = [fold(x) for x in extra if x]
    parts += emails + extra
    text = " | ".join(dict.fromkeys(p for p in parts if p))
    grams = cjk_grams(text)  # names and extra keywords (products, industries …)
    for words in (text, *syllables):
        for word in WORD_RE.findall(words):
            grams.add(word[:1])
            grams.add(word[:2])
    for spaced in syllables:
        grams |= syllable_pairs(spaced.split())
    for words in (*latin, *emails, *extra):
        for word in LETTERS_RE.findall(words):
            grams |= word_pairs(word)
    return {"search_text": text, "search_grams": " ".join(sorted(grams))}


class SearchableModel(models.Model):
    """Adds the two derived columns; subclasses say what goes in them."""

    search_text = models.TextField(default="", blank=True, editable=False)
    search_grams = models.TextField(default="", blank=True, editable=False)

    class Meta:
        abstract = True

    def search_parts(self) -> dict[str, Iterable[str]]:  # pragma: no cover - abstract
        raise NotImplementedError

    def refresh_search(self) -> None:
        for name, value in search_fields(**self.search_parts()).items():
            setattr(self, name, value)


# --- query ------------------------------------------------------------------------------------
def parse_query(q: str) -> list[str]:
    q = fold(q)
    if not q:
        return []
    if PHONE_QUERY_RE.match(q):
        digits = re.sub(r"\D", "", q)
        return [digits[2:] if digits.startswith("86") and len(digits) == 13 else digits]
    return [t for t in q.split() if t]


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def search_filter(queryset: models.QuerySet, q: str) -> models.QuerySet:
    """Filter `queryset` (of a SearchableModel with a SearchIndex) to rows matching `q`."""
    model = queryset.model
    table = model._meta.db_table
    vendor = connection.vendor
    for term in parse_query(q):
        cjk = cjk_grams(term)
        if cjk:
            runs = CJK_RE.findall(term)
            needed = set()
            for run in runs:
                needed |= {run} if len(run) == 1 else {run[i : i + 2] for i in range(len(run) - 1)}
            if vendor == "postgresql":
                queryset = _having_grams(queryset, table, sorted(needed))
            else:
                match = " AND ".join(_fts_phrase(g) for g in sorted(needed))
                queryset = queryset.filter(
                    pk__in=RawSQL(
                        f"SELECT rowid FROM {table}_grams WHERE {table}_grams MATCH %s", (match,)
                    )
                )
            if len(term) > 2 or not CJK_RE.fullmatch(term):
                queryset = _containing(queryset, table, term, vendor)
        elif len(term) >= 3 and (readings := term_readings(term)):
            queryset = _having_pairs(queryset, table, readings, vendor)
            queryset = _containing(queryset, table, term, vendor)
        elif len(term) >= 3:
            if vendor == "postgresql":
                queryset = queryset.filter(search_text__contains=term)
            else:
                queryset = queryset.filter(
                    pk__in=RawSQL(
                        f"SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH %s",
                        (_fts_phrase(term),),
                    )
                )
        else:
            if vendor == "postgresql":
                queryset = _having_grams(queryset, table, [term])
            else:
                queryset = queryset.filter(
                    pk__in=RawSQL(
                        f"SELECT rowid FROM {table}_grams WHERE {table}_grams MATCH %s",
                        (_fts_phrase(term),),
                    )
                )
    return queryset


def _having_grams(queryset: models.QuerySet, table: str, grams: list[str]) -> models.QuerySet:
    """Rows whose `search_grams` hold every gram (PostgreSQL).

    `string_to_array(search_grams, ' ') @> grams` is what the GIN index serves (exactly, no
    recheck). Before it, for the first gram, `NOT (strpos(search_grams, gram) = 0)`: a test the
    array test implies (a gram of the row is in its text), so it changes no result, and it
    costs a fraction of splitting the text into an array; nearly every row it lets through
    matches (a CJK gram found in the text is one of its grams). It pays when the database walks
    an ordered index past rows that do not match (a common word: newest first, stop after a
    page): 5,557 products walked for 球阀 took 16–20 ms, 7 ms with it; customers by initials
    2–3x faster. Written as NOT (… = 0), the planner takes it to keep 99.5% of rows (an unknown
    equality keeps 0.5%), so its estimates, and the plans, stay those of the grams alone
    (checked on every benchmark word); as cheap as the array test, it is evaluated first (ties
    keep the written order). One gram, not all: on the rows the index found, it is work for
    nothing."""
    return queryset.filter(
        RawSQL(
            f"(NOT (strpos({table}.search_grams, %s) = 0) "
            f"AND string_to_array({table}.search_grams, ' ') @> %s::text[])",
            (grams[0], grams),
            output_field=models.BooleanField(),
        )
    )


def _having_pairs(queryset, table: str, readings: list[list[str]], vendor: str):
    """Rows holding every pinyin pair of at least one reading of a term."""
    if vendor == "postgresql":
        if len(readings) == 1:
            return _having_grams(queryset, table, readings[0])
        one = f"string_to_array({table}.search_grams, ' ') @> %s::text[]"
        any_reading = " OR ".join([one] * len(readings))
        return queryset.filter(
            RawSQL(f"({any_reading})", tuple(readings), output_field=models.BooleanField())
        )
    match = " OR ".join(
        "(" + " AND ".join(_fts_phrase(pair) for pair in pairs) + ")" for pairs in readings
    )
    return queryset.filter(
        pk__in=RawSQL(f"SELECT rowid FROM {table}_grams WHERE {table}_grams MATCH %s", (match,))
    )


def _containing(queryset: models.QuerySet, table: str, term: str, vendor: str):
    """The whole term in `search_text`, for a term the grams index already narrowed down. On
    PostgreSQL as `strpos`, which the trigram index cannot serve: as a LIKE the planner would
    AND the trigram index into the grams' bitmap, and every candidate row would then be
    rechecked against both conditions (the trigram index is lossy) — twice the work per row
    for no fewer rows."""
    if vendor == "postgresql":
        return queryset.filter(
            RawSQL(
                f"strpos({table}.search_text, %s) > 0", (term,), output_field=models.BooleanField()
            )
        )
    return queryset.filter(search_text__contains=term)


# --- migration operation ------------------------------------------------------------------------
def _sqlite_trigger_sql(t: str) -> list[str]:
    """The triggers keeping a table's two FTS5 indexes current, then a rebuild of both."""
    statements = []
    for suffix, column in (("fts", "search_text"), ("grams", "search_grams")):
        idx = f"{t}_{suffix}"
        statements += [
            f"CREATE TRIGGER IF NOT EXISTS {idx}_ai AFTER INSERT ON {t} BEGIN "
            f"INSERT INTO {idx}(rowid, {column}) VALUES (new.id, new.{column}); END",
            f"CREATE TRIGGER IF NOT EXISTS {idx}_ad AFTER DELETE ON {t} BEGIN "
            f"INSERT INTO {idx}({idx}, rowid, {column}) "
            f"VALUES ('delete', old.id, old.{column}); END",
            f"CREATE TRIGGER IF NOT EXISTS {idx}_au AFTER UPDATE OF {column} ON {t} BEGIN "
            f"INSERT INTO {idx}({idx}, rowid, {column}) "
            f"VALUES ('delete', old.id, old.{column}); "
            f"INSERT INTO {idx}(rowid, {column}) VALUES (new.id, new.{column}); END",
            f"INSERT INTO {idx}({idx}) VALUES ('rebuild')",
        ]
    return statements


def repair_search_indexes(*, using: str = "default", **kwargs) -> list[str]:
    """Recreate the SQLite search triggers a later migration dropped; returns the tables fixed.

    SQLite alters most columns by rebuilding the table (create new, copy, drop old, rename), and
    dropping the old table drops its triggers: after such a migration the FTS tables stop
    following inserts and updates and search finds nothing new. Run after every `migrate`
    (`post_migrate`, see `CoreConfig.ready`); a no-op when the triggers are in place and on
    PostgreSQL, whose indexes survive ALTER TABLE.
    """
    from django.apps import apps
    from django.db import connections

    conn = connections[using]
    if conn.vendor != "sqlite":
        return []
    tables = {
        m._meta.db_table
        for m in apps.get_models()
        if issubclass(m, SearchableModel) and not m._meta.proxy
    }
    repaired = []
    with conn.cursor() as cursor:
        cursor.execute("SELECT type, name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        existing = {(kind, name) for kind, name in cursor.fetchall()}
        for t in sorted(tables):
            if ("table", f"{t}_fts") not in existing or ("table", t) not in existing:
                continue  # its SearchIndex migration has not run (yet)
            triggers = {f"{t}_{s}_{op}" for s in ("fts", "grams") for op in ("ai", "ad", "au")}
            if all(("trigger", name) in existing for name in triggers):
                continue
            for sql in _sqlite_trigger_sql(t):
                cursor.execute(sql)
            repaired.append(t)
    return repaired


def search_index_names(table: str) -> tuple[str, str]:
    """The PostgreSQL search indexes of a table: (trigram on search_text, grams)."""
    return f"{table}_search_trgm", f"{table}_search_grams"


class _TableOperation(Operation):
    """A migration operation on one table's search machinery: SQL per database vendor, no
    model state. Subclasses give `_forward_sql`/`_backward_sql` and the name's `fragment`."""

    reversible = True
    fragment = ""

    def __init__(self, table: str) -> None:
        self.table = table

    def state_forwards(self, app_label, state):
        pass

    @property
    def migration_name_fragment(self):
        return f"{self.fragment}_{self.table}"

    def deconstruct(self):
        return (self.__class__.__qualname__, [], {"table": self.table})

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        for sql in self._forward_sql(schema_editor.connection.vendor):
            schema_editor.execute(sql)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        for sql in self._backward_sql(schema_editor.connection.vendor):
            schema_editor.execute(sql)

    def _forward_sql(self, vendor: str) -> list[str]:  # pragma: no cover - abstract
        raise NotImplementedError

    def _backward_sql(self, vendor: str) -> list[str]:  # pragma: no cover - abstract
        raise NotImplementedError


class SearchIndex(_TableOperation):
    """Create the search indexes of one table, for whichever database runs the migration.

    PostgreSQL: pg_trgm GIN on search_text, GIN on string_to_array(search_grams, ' ').
    SQLite: FTS5 trigram table `<table>_fts` and unicode61 table `<table>_grams`, both
    external-content tables kept in sync by triggers.
    """

    fragment = "search_index"

    def describe(self):
        return f"Create search indexes on {self.table}"

    def _forward_sql(self, vendor: str) -> list[str]:
        t = self.table
        if vendor == "postgresql":
            trgm, grams = search_index_names(t)
            return [
                "CREATE EXTENSION IF NOT EXISTS pg_trgm",
                f"CREATE INDEX {trgm} ON {t} USING gin (search_text gin_trgm_ops)",
                f"CREATE INDEX {grams} ON {t} USING gin (string_to_array(search_grams, ' '))",
            ]
        if vendor == "sqlite":
            statements = [
                f"CREATE VIRTUAL TABLE {t}_fts USING fts5(search_text, content='{t}', "
                f"content_rowid='id', tokenize='trigram')",
                f"CREATE VIRTUAL TABLE {t}_grams USING fts5(search_grams, content='{t}', "
                f"content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
            ]
            return statements + _sqlite_trigger_sql(t)
        return []

    def _backward_sql(self, vendor: str) -> list[str]:
        t = self.table
        if vendor == "postgresql":
            return [f"DROP INDEX IF EXISTS {name}" for name in search_index_names(t)]
        if vendor == "sqlite":
            statements = []
            for suffix in ("fts", "grams"):
                for trig in ("ai", "ad", "au"):
                    statements.append(f"DROP TRIGGER IF EXISTS {t}_{suffix}_{trig}")
                statements.append(f"DROP TABLE IF EXISTS {t}_{suffix}")
            return statements
        return []


#: How many values PostgreSQL's statistics keep for a search column (its default: 100).
SEARCH_STATISTICS_TARGET = 1000


class SearchStatistics(_TableOperation):
    """PostgreSQL: fuller statistics for one table's search columns, then ANALYZE it.

    The planner estimates `search_text LIKE '%word%'` by trying the pattern on the column's
    histogram — with the default 100 entries a word in 1.6% of the rows is usually in none of
    them, so `zhoucheng` among 1.15M products was estimated at 105 rows (21,385 real) and the
    newest-first page sorted every match (55 ms) instead of walking the primary key until it had
    a page (5 ms). With 1,000 entries such words are seen and rare ones still are not; the grams
    index's element statistics (the CJK bigrams, pinyin word starts) get 10x as many frequent
    values too. The cost: ANALYZE reads 10x the sample (seconds on a million rows), planning a
    search tries the pattern on 1,000 values (~0.6 ms more). So it is for the directory's
    tables, whose searches count to 1,000 and page a common word by walking an ordered index;
    a customer search pages from its matches up to 10,000 (`core.pagination.matches_page`),
    whatever the estimates, and would only pay the planning. SQLite: nothing.
    """

    fragment = "search_statistics"

    def describe(self):
        return f"Fuller statistics for the search columns of {self.table}"

    def _statistics_sql(self, vendor: str, target: int) -> list[str]:
        if vendor != "postgresql":
            return []
        t = self.table
        return [
            f"ALTER TABLE {t} ALTER COLUMN search_text SET STATISTICS {target}",
            f"ALTER INDEX {search_index_names(t)[1]} ALTER COLUMN 1 SET STATISTICS {target}",
            f"ANALYZE {t}",
        ]

    def _forward_sql(self, vendor: str) -> list[str]:
        return self._statistics_sql(vendor, SEARCH_STATISTICS_TARGET)

    def _backward_sql(self, vendor: str) -> list[str]:
        return self._statistics_sql(vendor, -1)
