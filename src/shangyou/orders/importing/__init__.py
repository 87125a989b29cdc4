"""Order-history import (issue 5): past sales orders from CSV or XLSX, one order line per row.

Columns (headers in Chinese or English): 订单号 / Order number, 客户编号 / Customer code,
客户 / 客户名称 / Customer, 日期 / 订单日期 / Date, 产品编码 / SKU, 产品 / 产品名称 / Product,
数量 / Quantity, 单价 / Unit price, 金额 / Amount, and optionally 单位 / Unit, 币种 / Currency,
税率 / Tax rate. Rows sharing an order number form one order, wherever they are in the file.

Two phases, as the customer import (`contacts.importing`):

1. `order_import_preview` reads and checks the file (row numbers as in the file, the header
   being row 1), matches customers (by code, then by name through the duplicate keys of
   `contacts.dedup`) and products (by SKU, then by name), and stores the report in an
   `OrderImportJob`: rows with errors, customers and products not found, order numbers the
   company already uses, the file's total and the total that would be imported. It keeps its
   parse of the file beside the upload (`cache`). Nothing else is written.
2. `order_import_commit` records the choices (create the missing customers and products or not;
   skip invalid orders; skip orders already imported) and queues `order_import_run`, which
   applies the file in ONE transaction: a failure changes nothing, and a worker killed midway
   leaves nothing behind (the next run starts again; a finished job returns its result). The
   run imports the file that was previewed — refused if the stored file changed since — from
   the kept parse when there is one, and matches customers, products and order numbers again.

Rules:

* An order is imported whole or not at all: an error on any of its rows makes the order invalid.
  A file with invalid orders (or rows without an order number) imports nothing unless the user
  chooses to skip them.
* Either the unit price or the amount is required; with both, quantity × price rounded to the
  cent must equal the amount. With only the amount, the unit price is derived (4 decimals) and
  the line keeps the file's amount exactly. The amount is the line's total: with a tax rate it
  is read as tax included (the tax is the part of it at that rate), so the order's total is
  always the sum of the file's amounts, to the cent.
* An order number the company already uses is an error for that order — or, with
  `skip_existing`, the order is skipped as already imported (so a file can be imported again
  after fixing a few rows).
* Imported orders are `completed`, `source=import`, keep their order number, belong to the
  customer's owner (the importing user for new customers) and carry `external_ref =
  "import:<job id>"`. Each gets one timeline entry on its customer (kind `order`, dated the order
  date, `related` = the order). The audit log gets one entry for the job (counts and totals) and
  one per customer or product created.

Modules: `reading` (records of a CSV, streamed; XLSX through `contacts.importers`), `parse`
(rows checked and grouped into orders), `matching`, `planning` (which orders are written, the
report, refusals), `cache` (the preview's parse kept for the run), `records` (the customers and
products created), `writer` (the orders: COPY on PostgreSQL, bulk_create on SQLite), `services`
(the phases) and `selectors`.

Speed: each distinct cell text is converted once (dates, pinyin keys, amounts), lookups are one
query per chunk of distinct keys, and the run streams one COPY per table.
"""

from .matching import Matches, match_records
from .parse import (
    ORDER_HEADERS,
    Line,
    ParsedFile,
    ParsedOrder,
    parse_currency,
    parse_decimal,
    parse_file,
    parse_tax_rate,
)
from .planning import Plan, build_report, make_plan, order_import_refusal
from .selectors import order_import_get, order_import_list, order_import_progress
from .services import (
    order_import_cancel,
    order_import_commit,
    order_import_files_delete,
    order_import_preview,
    order_import_run,
)
from .writer import _OrderWriter

__all__ = [
    "ORDER_HEADERS",
    "Line",
    "Matches",
    "ParsedFile",
    "ParsedOrder",
    "Plan",
    "_OrderWriter",
    "build_report",
    "make_plan",
    "match_records",
    "order_import_cancel",
    "order_import_commit",
    "order_import_files_delete",
    "order_import_get",
    "order_import_list",
    "order_import_preview",
    "order_import_progress",
    "order_import_refusal",
    "order_import_run",
    "parse_currency",
    "parse_decimal",
    "parse_file",
    "parse_tax_rate",
]
