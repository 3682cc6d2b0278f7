"""Render CMS-1500 form pages as a PDF with reportlab (a plain grid of numbered boxes, one page per form)."""

from __future__ import annotations

import io
from collections.abc import Sequence

from reportlab.lib.pagesizes import letter
from reportlab.pdfgen.canvas import Canvas

from services.submission.domain.cms1500_form import FormPage

# Box number -> printed caption, in the order the form reads top to bottom.
CAPTIONS = {
    "carrier": "CARRIER", "1": "1. INSURANCE TYPE", "1a": "1a. INSURED'S I.D. NUMBER", "2": "2. PATIENT'S NAME",
    "3": "3. PATIENT'S BIRTH DATE / SEX", "4": "4. INSURED'S NAME", "5": "5. PATIENT'S ADDRESS",
    "6": "6. PATIENT RELATIONSHIP TO INSURED", "7": "7. INSURED'S ADDRESS", "9": "9. OTHER INSURED'S NAME",
    "9a": "9a. OTHER INSURED'S POLICY OR GROUP NUMBER", "9d": "9d. OTHER INSURANCE PLAN NAME",
    "11": "11. INSURED'S POLICY GROUP", "11a": "11a. INSURED'S DATE OF BIRTH / SEX", "11c": "11c. INSURANCE PLAN NAME",
    "11d": "11d. ANOTHER HEALTH BENEFIT PLAN?", "12": "12. PATIENT'S SIGNATURE", "13": "13. INSURED'S SIGNATURE",
    "17": "17. REFERRING PROVIDER", "17b": "17b. NPI", "21 ICD Ind.": "21. ICD IND.",
    "22": "22. RESUBMISSION CODE / ORIGINAL REF. NO.", "23": "23. PRIOR AUTHORIZATION NUMBER",
    "25": "25. FEDERAL TAX I.D. NUMBER", "26": "26. PATIENT'S ACCOUNT NO.", "27": "27. ACCEPT ASSIGNMENT?",
    "28": "28. TOTAL CHARGE", "29": "29. AMOUNT PAID", "31": "31. SIGNATURE OF PHYSICIAN OR SUPPLIER",
    "32": "32. SERVICE FACILITY LOCATION", "32a": "32a. NPI", "33": "33. BILLING PROVIDER INFO", "33a": "33a. NPI",
    "33b": "33b. OTHER ID",
}
LINE_COLUMNS = (("24A FROM", 52), ("TO", 52), ("B POS", 34), ("D CPT/HCPCS", 62), ("MODIFIER", 84),
                ("E PTR", 40), ("F CHARGES", 64), ("G UNITS", 44), ("J NPI", 80))
MARGIN, WIDTH, BOX_HEIGHT = 30, letter[0] - 60, 24


def render_cms1500(pages: Sequence[FormPage]) -> bytes:
    """The PDF bytes: one letter-size page per form page."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=letter, pageCompression=1)
    canvas.setTitle("CMS-1500 (02/12) claim")
    for page in pages:
        _draw_page(canvas, page)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _draw_page(canvas: Canvas, page: FormPage) -> None:
    top = letter[1] - MARGIN
    canvas.setFont("Helvetica-Bold", 11)
    canvas.drawString(MARGIN, top, "HEALTH INSURANCE CLAIM FORM")
    canvas.setFont("Helvetica", 7)
    canvas.drawRightString(MARGIN + WIDTH, top, f"APPROVED BY NUCC (CMS-1500 02/12)  PAGE {page.page} OF {page.pages}")
    y = top - 8
    header = [key for key in CAPTIONS if key in page.boxes and key not in _FOOTER]
    y = _box_grid(canvas, page, header, y)
    y = _diagnoses(canvas, page, y)
    y = _lines(canvas, page, y)
    _box_grid(canvas, page, [key for key in _FOOTER if key in page.boxes], y)


_FOOTER = ("25", "26", "27", "28", "29", "31", "32", "32a", "33", "33a", "33b")


def _box_grid(canvas: Canvas, page: FormPage, keys: list[str], y: float, columns: int = 2) -> float:
    column_width = WIDTH / columns
    for index, key in enumerate(keys):
        column = index % columns
        if column == 0:
            y -= BOX_HEIGHT
        x = MARGIN + column * column_width
        _box(canvas, x, y, column_width, CAPTIONS[key], page.boxes[key])
    return y


def _box(canvas: Canvas, x: float, y: float, width: float, caption: str, value: str) -> None:
    canvas.rect(x, y, width, BOX_HEIGHT)
    canvas.setFont("Helvetica", 5.5)
    canvas.drawString(x + 2, y + BOX_HEIGHT - 7, caption)
    canvas.setFont("Courier", 8)
    canvas.drawString(x + 4, y + 4, value[:72])


def _diagnoses(canvas: Canvas, page: FormPage, y: float) -> float:
    y -= BOX_HEIGHT * 2
    canvas.rect(MARGIN, y, WIDTH, BOX_HEIGHT * 2)
    canvas.setFont("Helvetica", 5.5)
    canvas.drawString(MARGIN + 2, y + BOX_HEIGHT * 2 - 7,
                      f"21. DIAGNOSIS OR NATURE OF ILLNESS OR INJURY   ICD IND. {page.boxes.get('21 ICD Ind.', '')}")
    canvas.setFont("Courier", 8)
    for index, letter_ in enumerate("ABCDEFGHIJKL"):
        code = page.boxes.get(f"21{letter_}", "")
        x = MARGIN + 4 + (index % 4) * (WIDTH / 4)
        row_y = y + BOX_HEIGHT * 2 - 18 - (index // 4) * 10
        canvas.drawString(x, row_y, f"{letter_}. {code}")
    return y


def _lines(canvas: Canvas, page: FormPage, y: float) -> float:
    row = BOX_HEIGHT
    y -= 12
    canvas.setFont("Helvetica", 5.5)
    x = MARGIN
    for caption, width in LINE_COLUMNS:
        canvas.drawString(x + 2, y + 3, caption)
        x += width
    for line in page.lines:
        y -= row
        canvas.rect(MARGIN, y, WIDTH, row)
        canvas.setFont("Courier", 6.5)
        if line.supplemental:
            canvas.drawString(MARGIN + 2, y + row - 8, line.supplemental)  # the shaded supplemental line
        canvas.setFont("Courier", 8)
        values = (line.date_from, line.date_to, line.place_of_service, line.procedure, line.modifiers,
                  line.diagnosis_pointer, line.charge, line.units, line.rendering_npi)
        x = MARGIN
        for (_, width), value in zip(LINE_COLUMNS, values, strict=True):
            canvas.drawString(x + 2, y + 3, value)
            x += width
    return y
