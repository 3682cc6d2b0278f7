"""Render an appeal letter as a PDF with reportlab (in memory, nothing written to disk or logs)."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from services.denials.domain.appeal_letter import AppealLetter


def render_pdf(letter: AppealLetter) -> bytes:
    """The letter as PDF bytes."""
    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=LETTER, title=letter.title, author="Claimline")
    grid = TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey), ("FONTSIZE", (0, 0), (-1, -1), 9)])
    story = [Paragraph(escape(letter.title), styles["Title"]), Spacer(1, 8),
             Table([[k, v] for k, v in letter.facts], style=grid), Spacer(1, 10)]
    if letter.lines:
        story += [Paragraph("Services billed", styles["Heading2"]),
                  Table([("Line", "Procedure", "Modifiers", "Charge"), *letter.lines], style=grid), Spacer(1, 10)]
    story.append(Paragraph("Denial reason", styles["Heading2"]))
    story += [Paragraph(escape(reason), styles["BodyText"]) for reason in letter.reasons]
    story.append(Paragraph("Documentation evidence", styles["Heading2"]))
    story += [Paragraph(escape(item), styles["BodyText"]) for item in letter.evidence]
    story += [Paragraph("Request", styles["Heading2"]), Paragraph(escape(letter.request), styles["BodyText"])]
    document.build(story)
    return buffer.getvalue()
