"""Rows for openpyxl's write-only workbooks with every text a text cell.

openpyxl writes a string that starts with ``=`` as a formula: an activity named
``=HYPERLINK("http://…","点击查看")`` would become a live link in a reviewer's
spreadsheet (formula injection). Here text is always a string cell, whatever it
starts with (= + - @, a tab, a carriage return).
"""

from openpyxl.cell import WriteOnlyCell


def text_cell(sheet, value) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=str(value))
    cell.data_type = "s"
    return cell


def append_row(sheet, values) -> None:
    """Append ``values`` to a write-only ``sheet``: strings as text cells, numbers as they are."""
    sheet.append([text_cell(sheet, value) if isinstance(value, str) else value for value in values])
