"""Render a statement document (domain/statement.py) as a one-document PDF with reportlab."""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

SERVICE_COLUMNS = ("Date", "Services", "Charges", "Insurance paid", "Adjustments", "You owe", "Pending insurance")
TOTAL_ROWS = (("Total charges", "charges"), ("Insurance payments", "insurance_paid"),
              ("Adjustments", "adjustments"), ("Your responsibility", "patient_responsibility"),
              ("Your payments", "patient_payments"), ("Refunds to you", "refunds"),
              ("Pending insurance (not due from you)", "insurance_pending"), ("Credit", "credit"),
              ("AMOUNT DUE", "amount_due"))
GRID = TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey), ("FONTSIZE", (0, 0), (-1, -1), 8),
                   ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey), ("ALIGN", (2, 1), (-1, -1), "RIGHT")])


def render_statement_pdf(document: dict[str, Any]) -> bytes:
    """The statement as PDF bytes: header, one row per service, the patient's payments, the totals."""
    styles = getSampleStyleSheet()
    patient, totals = document["patient"], document["totals"]
    address = patient["address"]
    story: list[Any] = [
        Paragraph(escape(f"{document['practice']} - Patient statement"), styles["Title"]),
        Paragraph(f"Statement date: {document['as_of']}", styles["Normal"]),
        Paragraph(escape(f"{patient['name']}, account {patient['account_number']}"), styles["Normal"]),
        Paragraph(escape(f"{address['line1']}, {address['city']}, {address['state']} {address['postal_code']}"),
                  styles["Normal"]),
        Spacer(1, 0.2 * inch),
    ]
    rows: list[list[str]] = [list(SERVICE_COLUMNS)]
    for service in document["services"]:
        rows.append([service["date_of_service"], " ".join(service["procedures"]), service["charges"],
                     service["insurance_paid"], service["adjustments"], service["patient_responsibility"],
                     service["insurance_pending"]])
    story += [Table(rows, style=GRID, repeatRows=1), Spacer(1, 0.2 * inch)]
    if document["patient_transactions"]:
        payments = [["Received", "Kind", "Method", "Amount"]] + [
            [t["received_on"], t["kind"], t["method"], t["amount"]] for t in document["patient_transactions"]]
        story += [Table(payments, style=GRID, repeatRows=1), Spacer(1, 0.2 * inch)]
    story.append(Table([[label, totals[key]] for label, key in TOTAL_ROWS],
                       style=TableStyle([("FONTSIZE", (0, 0), (-1, -1), 9), ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                                         ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold")])))
    buffer = io.BytesIO()
    # invariant=1: no creation timestamp or random id, so the same statement renders to the same bytes
    SimpleDocTemplate(buffer, pagesize=LETTER, title="Patient statement", invariant=1).build(story)
    return buffer.getvalue()
