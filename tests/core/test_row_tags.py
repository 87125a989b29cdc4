"""`{% pk_url %}` and `|day` give what `{% url %}` and `|date:"SHORT_DATE_FORMAT"` give."""

import datetime

import pytest
from django.template import Context, Template
from django.urls import set_script_prefix
from django.utils import translation

ROW = (
    "{% load shangyou %}"
    "{% url 'contacts:customer_detail' pk %}|{% pk_url 'contacts:customer_detail' pk %}|"
    "{% url 'schedule:task_done' pk %}|{% pk_url 'schedule:task_done' pk %}|"
    '{{ when|date:"SHORT_DATE_FORMAT" }}|{{ when|day }}|'
    '{{ when|date:"DATE_FORMAT" }}|{{ when|day:"DATE_FORMAT" }}|'
    '{{ nothing|date:"SHORT_DATE_FORMAT" }}|{{ nothing|day }}'
)


def _render(**context) -> list[str]:
    return Template(ROW).render(Context(context)).split("|")


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize(
    "when",
    [
        datetime.datetime(2026, 12, 31, 23, 30, tzinfo=datetime.UTC),  # 1 January in Shanghai
        datetime.datetime(2026, 3, 5, 1, 2),  # noqa: DTZ001 - naive on purpose
        datetime.date(2026, 7, 9),
    ],
    ids=["aware", "naive", "date"],
)
def test_row_helpers_match_url_and_date(settings, language, when):
    settings.TIME_ZONE = "Asia/Shanghai"
    with translation.override(language):
        for pk in (1, 123456789):
            url, fast_url, task, fast_task, *dates = _render(pk=pk, when=when, nothing=None)
            assert fast_url == url and fast_task == task and str(pk) in url
            assert dates[0::2] == dates[1::2]
            assert dates[-1] == ""
    if isinstance(when, datetime.datetime) and when.tzinfo:
        with translation.override("en"):
            assert _render(pk=1, when=when, nothing=None)[5] == "01/01/2027"


def test_pk_url_follows_the_script_prefix():
    try:
        set_script_prefix("/crm/")
        url, fast_url, *_ = _render(pk=7, when=None, nothing=None)
        assert url == fast_url == "/crm/customers/7/"
    finally:
        set_script_prefix("/")
    assert _render(pk=7, when=None, nothing=None)[1] == "/customers/7/"


def test_options_match_a_template_loop():
    pairs = [(1, "张伟"), (2, 'O\'Brien & "Sons" <b>'), ("", "—")]
    loop = Template(
        '{% for v, label in pairs %}<option value="{{ v }}">{{ label }}</option>{% endfor %}'
    )
    fast = Template("{% load shangyou %}{% options pairs %}")
    assert fast.render(Context({"pairs": pairs})) == loop.render(Context({"pairs": pairs}))
    assert "&lt;b&gt;" in fast.render(Context({"pairs": pairs}))
