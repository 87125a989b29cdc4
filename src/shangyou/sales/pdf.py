"""The quotation as a PDF (reportlab), written in the quotation's language (zh-hans or en).

Chinese text needs a CJK font. A TrueType font is embedded (subset) so the text is real text that
can be searched and copied: `settings.PDF_FONT` (env `SHANGYOU_PDF_FONT`) names the file, else
the usual Debian places are tried (`fonts-wqy-zenhei`, `fonts-wqy-microhei`, `fonts-arphic-*`);
`.ttc` collections use their first face. The Noto CJK OTF files have CFF outlines, which
reportlab cannot embed. Without any, reportlab's built-in CID font STSong-Light is used (not
embedded: viewers substitute a local font).

The document's wording is fixed per language here (`LABELS`) rather than taken from the UI
catalogue: the customer reads the quotation in the language chosen on it, whatever language
the salesperson's screen is in.
"""

import io
import logging
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils import formats, translation
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import KeepTogether

from .models import Quotation

logger = logging.getLogger(__name__)
FONT_NAME = "ShangyouCJK"
FALLBACK_FONT = "STSong-Light"
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/arphic/ukai.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
    "C:/Windows/Fonts/simhei.ttf",
)

LABELS = {
    "zh-hans": {
        "title": "报价单",
        "number": "报价单号",
        "revision": "版本",
        "date": "报价日期",
        "valid_until": "有效期至",
        "customer": "客户",
        "contact": "联系人",
        "seller": "报价方",
        "salesperson": "业务员",
        "no": "序号",
        "item": "品名 / 规格",
        "quantity": "数量",
        "unit": "单位",
        "unit_price": "单价",
        "discount": "折扣",
        "tax_rate": "税率",
        "amount": "金额",
        "subtotal": "小计",
        "document_discount": "整单折扣",
        "tax": "税额",
        "total": "合计",
        "currency": "币种",
        "terms": "条款",
        "validity": "本报价有效期至 %(date)s。",
        "accept": "接受报价：请打开以下链接，填写姓名后点击“接受”；如有疑问请联系 %(who)s。",
        "page": "第 %(n)s 页",
        "prices": "单价不含税，金额为折扣后未税金额。",
    },
    "en": {
        "title": "Quotation",
        "number": "Quotation no.",
        "revision": "Revision",
        "date": "Date",
        "valid_until": "Valid until",
        "customer": "Customer",
        "contact": "Contact",
        "seller": "From",
        "salesperson": "Sales contact",
        "no": "No.",
        "item": "Item / specification",
        "quantity": "Qty",
        "unit": "Unit",
        "unit_price": "Unit price",
        "discount": "Disc.",
        "tax_rate": "Tax",
        "amount": "Amount",
        "subtotal": "Subtotal",
        "document_discount": "Discount on the total",
        "tax": "Tax",
        "total": "Total",
        "currency": "Currency",
        "terms": "Terms",
        "validity": "This quotation is valid until %(date)s.",
        "accept": "To accept, open the link below, type your name and press “Accept”. "
        "Questions: %(who)s.",
        "page": "Page %(n)s",
        "prices": "Unit prices exclude tax; amounts are net of discounts, before tax.",
    },
}


def _font_file() -> str:
    configured = getattr(settings, "PDF_FONT", "") or ""
    if configured and Path(configured).is_file():
        return configured
    for candidate in FONT_CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    return ""


@cache
def _register(path: str) -> str:
    """Register the font once per process; the font name to use."""
    if path:
        try:
            if path.lower().endswith(".ttc"):
                pdfmetrics.registerFont(TTFont(FONT_NAME, path, subfontIndex=0))
            else:
                pdfmetrics.registerFont(TTFont(FONT_NAME, path))
            return FONT_NAME
        except Exception as exc:  # noqa: BLE001 - a font reportlab cannot read (CFF outlines …)
            logger.warning(
                "PDF font %s cannot be embedded (%s); using %s", path, exc, FALLBACK_FONT
            )
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
    return FALLBACK_FONT


def pdf_font() -> str:
    return _register(_font_file())


def _money(value) -> str:
    return f"{value:,.2f}"


def _number(value) -> str:
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _percent(value) -> str:
    return f"{_number(value)}%" if value else ""


def quotation_pdf(*, quotation: Quotation, lines=None, link: str = "") -> bytes:
    """The quotation as PDF bytes. `lines` defaults to the stored lines; `link` is the signed
    acceptance link printed with the instructions."""
    from .selectors import quotation_lines

    lines = list(lines if lines is not None else quotation_lines(quotation=quotation))
    language = quotation.language if quotation.language in LABELS else "zh-hans"
    t = LABELS[language]
    font = pdf_font()
    base = ParagraphStyle("base", fontName=font, fontSize=9, leading=12, wordWrap="CJK")
    small = ParagraphStyle("small", parent=base, fontSize=8, leading=10, textColor=colors.grey)
    right = ParagraphStyle("right", parent=base, alignment=TA_RIGHT)
    title = ParagraphStyle("title", parent=base, fontSize=18, leading=24, spaceAfter=4)
    heading = ParagraphStyle("heading", parent=base, fontSize=11, leading=15, spaceBefore=6)

    def p(text, style=base) -> Paragraph:
        escaped = (
            str(text or "")
            .replace("&", "&amp;")
            .replace("<", "&lt;")
            .replace(">", "&gt;")
            .replace("\n", "<br/>")
        )
        return Paragraph(escaped, style)

    with translation.override(language):

        def day(value) -> str:
            return formats.date_format(value, "Y-m-d") if value else ""

        company = quotation.company
        customer = quotation.customer
        owner = quotation.owner
        story = [p(company.name, heading), p(t["title"], title)]
        number = str(quotation.number)
        meta = [
            [p(t["number"]), p(number), p(t["date"]), p(day(quotation.issue_date))],
            [
                p(t["revision"]),
                p(str(quotation.revision)),
                p(t["valid_until"]),
                p(day(quotation.valid_until)),
            ],
            [p(t["customer"]), p(customer.name), p(t["currency"]), p(quotation.currency)],
            [
                p(t["contact"]),
                p(quotation.contact.name if quotation.contact else ""),
                p(t["salesperson"]),
                p(
                    f"{owner.display_name} {owner.email}".strip() if owner else company.name,
                ),
            ],
        ]
        meta_table = Table(meta, colWidths=[25 * mm, 60 * mm, 25 * mm, 60 * mm])
        meta_table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("TEXTCOLOR", (0, 0), (0, -1), colors.grey),
                    ("TEXTCOLOR", (2, 0), (2, -1), colors.grey),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ]
            )
        )
        story += [meta_table, Spacer(1, 6 * mm)]

        header = [
            p(t["no"]),
            p(t["item"]),
            p(t["quantity"], right),
            p(t["unit"]),
            p(t["unit_price"], right),
            p(t["discount"], right),
            p(t["tax_rate"], right),
            p(t["amount"], right),
        ]
        rows = [header]
        for index, line in enumerate(lines, start=1):
            item = line.description
            if line.sku:
                item = f"{item} ({line.sku})"
            cell = [p(item)]
            if line.specification:
                cell.append(p(line.specification, small))
            rows.append(
                [
                    p(str(index)),
                    cell,
                    p(_number(line.quantity), right),
                    p(line.unit),
                    p(_money(line.unit_price), right),
                    p(_percent(line.discount_percent), right),
                    p(_percent(line.tax_rate), right),
                    p(_money(line.line_subtotal), right),
                ]
            )
        widths = [10 * mm, 64 * mm, 16 * mm, 12 * mm, 22 * mm, 14 * mm, 12 * mm, 24 * mm]
        table = Table(rows, colWidths=widths, repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f7")),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.HexColor("#8a94a6")),
                    ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#dce1e7")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story.append(table)

        totals = [[p(t["subtotal"], right), p(_money(quotation.subtotal), right)]]
        if quotation.discount_total:
            totals.append(
                [
                    p(f"{t['document_discount']} {_percent(quotation.discount_percent)}", right),
                    p(f"-{_money(quotation.discount_total)}", right),
                ]
            )
        totals.append([p(t["tax"], right), p(_money(quotation.tax_total), right)])
        bold = ParagraphStyle("total", parent=right, fontSize=11, leading=15)
        totals.append(
            [
                p(f"{t['total']} ({quotation.currency})", bold),
                p(_money(quotation.total), bold),
            ]
        )
        totals_table = Table(totals, colWidths=[150 * mm, 24 * mm])
        totals_table.setStyle(
            TableStyle([("LINEABOVE", (0, -1), (-1, -1), 0.6, colors.HexColor("#8a94a6"))])
        )
        story += [Spacer(1, 2 * mm), KeepTogether(totals_table), p(t["prices"], small)]

        if quotation.terms:
            story += [p(t["terms"], heading), p(quotation.terms)]
        story += [
            p(t["validity"] % {"date": day(quotation.valid_until)}, heading),
            p(
                t["accept"]
                % {"who": f"{owner.display_name} {owner.email}".strip() if owner else company.name}
            ),
        ]
        if link:
            story.append(p(link, small))

    def footer(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.setFillColor(colors.grey)
        canvas.drawString(18 * mm, 10 * mm, f"{company.name} · {quotation}")
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, t["page"] % {"n": doc.page})
        canvas.restoreState()

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=f"{t['title']} {quotation}",
        author=company.name,
    )
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def pdf_filename(quotation: Quotation) -> str:
    return f"{quotation}.pdf"
