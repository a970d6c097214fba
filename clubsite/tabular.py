"""Spreadsheet files in and out of admin (django-import-export), shared by the apps.

Two things a Norwegian shop's files need that the library does not do by itself: CSV saved
by Excel here is often semicolon-separated and in Windows-1252, and exported text that a
member typed (a name, a reason) must not be run as a formula when the owner opens the file.
"""

from __future__ import annotations

import tablib
from import_export.formats import base_formats
from import_export.widgets import CharWidget

# A cell starting with one of these is read as a formula by Excel and LibreOffice.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class SafeTextWidget(CharWidget):
    """Text as typed, but a value that would start a formula gets a leading apostrophe
    (OWASP's advice against CSV injection). For free text only: numbers and E.164 phone
    numbers are exported as they are."""

    def render(self, value, obj=None, **kwargs):
        text = super().render(value, obj, **kwargs)
        if isinstance(text, str) and text.startswith(FORMULA_STARTS):
            return "'" + text
        return text


class CSV(base_formats.CSV):
    """CSV as Norwegian and Swedish Excel saves it: UTF-8 (with or without a byte-order
    mark) or Windows-1252, separated by commas or semicolons (guessed from the header)."""

    def create_dataset(self, in_stream, **kwargs):
        if isinstance(in_stream, bytes):
            try:
                text = in_stream.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = in_stream.decode("cp1252", errors="replace")
        else:
            text = in_stream.removeprefix("\ufeff")
        header = text.split("\n", 1)[0]
        delimiter = ";" if header.count(";") > header.count(",") else ","
        return tablib.import_set(text, format="csv", delimiter=delimiter)


class XLSX(base_formats.XLSX):
    """Excel workbooks: the first sheet, values of formulas (not the formulas)."""


IMPORT_FORMATS = [CSV, XLSX]
EXPORT_FORMATS = [CSV, XLSX]
