"""Invoice rendering: CSV for spreadsheets and a printable A4 HTML page a finance officer files.

Both take the invoice dict of ``chalicelib.domain.billing.compute_invoice`` (which is also the JSON
form) and add no arithmetic of their own.

CSV: UTF-8 with a byte-order mark and CRLF line ends, so Excel opens it with the right characters;
amounts are plain integers (no "Rp", no separators) so a spreadsheet sums them. Text cells starting
with ``= + - @`` are prefixed with ``'`` against formula injection.

HTML: every text put into the page goes through ``html.escape``; labels are bilingual (Bahasa
Indonesia first), amounts are written ``Rp 1.234.567``.
"""

from __future__ import annotations

import csv
import io
from html import escape
from typing import Any

from chalicelib.domain.billing import UNIT_LABELS, rupiah

CSV_COLUMNS = ("invoice_number", "line", "description_id", "description_en", "used", "included", "billable",
               "unit_price", "per", "amount_idr")
_TOTAL_LABELS = {
    "base": {"id": "Biaya dasar bulanan", "en": "Monthly base fee"},
    "subtotal": {"id": "Subtotal", "en": "Subtotal"},
    "tax": {"id": "PPN", "en": "VAT (PPN)"},
    "total": {"id": "Total", "en": "Total"},
}


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def to_csv(invoice: dict[str, Any]) -> str:
    """One line per priced item, then the base fee, subtotal, tax and total."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    number = invoice["number"]
    for line in invoice["lines"]:
        writer.writerow([_cell(v) for v in (number, line["item"], line["label"]["id"], line["label"]["en"],
                                            line["used"], line["included"], line["billable"], line["unit_price"],
                                            line["per"], line["amount"])])
    tax_label = {"id": f"PPN {invoice['tax_percent']}%", "en": f"VAT (PPN) {invoice['tax_percent']}%"}
    for key, labels, amount in (("base", _TOTAL_LABELS["base"], invoice["base_monthly"]),
                                ("subtotal", _TOTAL_LABELS["subtotal"], invoice["subtotal"]),
                                ("tax", tax_label, invoice["tax"]),
                                ("total", _TOTAL_LABELS["total"], invoice["total"])):
        writer.writerow([number, key, labels["id"], labels["en"], "", "", "", "", "", amount])
    return "\ufeff" + out.getvalue()


def _number(value: int) -> str:
    return f"{value:,}".replace(",", ".")


_CSS = """
@page { size: A4; margin: 18mm 16mm; }
* { box-sizing: border-box; }
body { font-family: "Helvetica Neue", Arial, sans-serif; font-size: 10.5pt; color: #111; margin: 0 auto;
       max-width: 190mm; padding: 12mm 0; }
header { display: flex; justify-content: space-between; align-items: flex-start; border-bottom: 2px solid #111;
         padding-bottom: 6mm; margin-bottom: 6mm; }
h1 { font-size: 18pt; margin: 0 0 2mm; letter-spacing: 0.04em; }
.en { color: #555; font-size: 0.85em; }
.status { display: inline-block; border: 1px solid #111; padding: 1mm 3mm; text-transform: uppercase; }
.status.draft { color: #a00; border-color: #a00; }
dl { display: grid; grid-template-columns: max-content auto; gap: 1mm 5mm; margin: 0; }
dt { font-weight: bold; } dd { margin: 0; }
.parties { display: flex; justify-content: space-between; gap: 10mm; margin-bottom: 6mm; }
table { width: 100%; border-collapse: collapse; margin-bottom: 5mm; }
th, td { border-bottom: 1px solid #bbb; padding: 1.6mm 2mm; vertical-align: top; }
th { text-align: left; background: #f0f0f0; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
tfoot td { border-bottom: none; }
tfoot tr.total td { border-top: 2px solid #111; font-weight: bold; font-size: 1.1em; }
.words { border: 1px solid #bbb; padding: 3mm; margin-bottom: 8mm; }
footer { font-size: 0.85em; color: #555; }
@media print {
  body { padding: 0; max-width: none; }
  .status.draft { color: #000; }
  tr { page-break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""


def _both(labels: dict[str, str]) -> str:
    return f'{escape(labels["id"])} <span class="en">/ {escape(labels["en"])}</span>'


def to_html(invoice: dict[str, Any]) -> str:
    """A complete, printable A4 page (inline CSS, no scripts, no outside resources)."""
    status = invoice["status"]
    status_labels = ({"id": "Draf (bulan berjalan)", "en": "Draft (month not over)"} if status == "draft"
                     else {"id": "Final", "en": "Final"})
    rows = []
    for line in invoice["lines"]:
        per = "" if line["per"] == 1 else f" / {_number(line['per'])}"
        rows.append(
            "<tr>"
            f"<td>{_both(UNIT_LABELS.get(line['item'], line['label']))}</td>"
            f'<td class="num">{_number(line["used"])}</td>'
            f'<td class="num">{_number(line["included"])}</td>'
            f'<td class="num">{_number(line["billable"])}</td>'
            f'<td class="num">{escape(rupiah(line["unit_price"]))}{escape(per)}</td>'
            f'<td class="num">{escape(rupiah(line["amount"]))}</td>'
            "</tr>")
    tax_labels = {"id": f"PPN {invoice['tax_percent']}%", "en": f"VAT {invoice['tax_percent']}%"}
    foot = "".join(
        f'<tr class="{cls}"><td colspan="5">{_both(labels)}</td><td class="num">{escape(rupiah(amount))}</td></tr>'
        for cls, labels, amount in (("base", _TOTAL_LABELS["base"], invoice["base_monthly"]),
                                    ("subtotal", _TOTAL_LABELS["subtotal"], invoice["subtotal"]),
                                    ("tax", tax_labels, invoice["tax"]),
                                    ("total", _TOTAL_LABELS["total"], invoice["total"])))
    period = invoice["period"]
    title = f"Faktur {invoice['number']} - {invoice['buyer']['name']}"
    return f"""<!DOCTYPE html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<style>{_CSS}</style>
</head>
<body>
<header>
  <div>
    <h1>FAKTUR <span class="en">/ INVOICE</span></h1>
    <div class="status {escape(status)}">{_both(status_labels)}</div>
  </div>
  <dl>
    <dt>{_both({"id": "Nomor", "en": "Number"})}</dt><dd>{escape(invoice["number"])}</dd>
    <dt>{_both({"id": "Periode", "en": "Period"})}</dt><dd>{escape(period["start"])} &ndash;
      {escape(period["end"])}</dd>
    <dt>{_both({"id": "Tanggal terbit", "en": "Issue date"})}</dt><dd>{escape(invoice["issue_date"])}</dd>
    <dt>{_both({"id": "Jatuh tempo", "en": "Due date"})}</dt><dd>{escape(invoice["due_date"])}</dd>
    <dt>{_both({"id": "Paket", "en": "Plan"})}</dt><dd>{escape(invoice["plan"])}</dd>
  </dl>
</header>
<section class="parties">
  <div><strong>{_both({"id": "Dari", "en": "From"})}</strong><br>{escape(invoice["seller"]["name"])}</div>
  <div><strong>{_both({"id": "Kepada", "en": "Bill to"})}</strong><br>{escape(invoice["buyer"]["name"])}
    <br><span class="en">{escape(invoice["buyer"]["code"])}</span></div>
</section>
<table>
  <thead><tr>
    <th>{_both({"id": "Uraian", "en": "Item"})}</th>
    <th class="num">{_both({"id": "Pemakaian", "en": "Used"})}</th>
    <th class="num">{_both({"id": "Termasuk", "en": "Included"})}</th>
    <th class="num">{_both({"id": "Ditagih", "en": "Billable"})}</th>
    <th class="num">{_both({"id": "Harga satuan", "en": "Unit price"})}</th>
    <th class="num">{_both({"id": "Jumlah", "en": "Amount"})}</th>
  </tr></thead>
  <tbody>
{chr(10).join(rows)}
  </tbody>
  <tfoot>{foot}</tfoot>
</table>
<div class="words"><strong>{_both({"id": "Terbilang", "en": "In words"})}:</strong>
  <em>{escape(invoice["total_in_words"])}</em></div>
<footer>
  {_both({"id": "Semua jumlah dalam rupiah (IDR), termasuk PPN sebagaimana tertera.",
          "en": "All amounts in Indonesian rupiah (IDR), VAT (PPN) as shown."})}
</footer>
</body>
</html>
"""
