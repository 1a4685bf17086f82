"""The printable template as a PDF (reportlab): pure drawing of ``template.layout()``.

reportlab because it writes a small, exact vector PDF with no browser or system
fonts involved; the web process can call it (no OpenCV, no Keras).
"""

from __future__ import annotations

import io

from reportlab.lib.colors import Color, black
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from ml.hands.template import LINE_MM, PAGE_H, PAGE_W, layout

BOX_GREY = Color(0.55, 0.55, 0.55)  # light enough to wash out, dark enough to see on paper


def template_pdf() -> bytes:
    """One A4 page: corner markers, a title, the instructions, a labelled box per sample."""
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=(PAGE_W * mm, PAGE_H * mm), invariant=1)
    pdf.setTitle("HandGen handwriting sheet")

    def y(mm_from_top: float) -> float:
        return (PAGE_H - mm_from_top) * mm

    pdf.setFillColor(black)
    for marker in layout().markers:
        cell = marker.size / 6
        for r, row in enumerate(marker.cells()):
            for c, dark in enumerate(row):
                if dark:
                    pdf.rect((marker.x + c * cell) * mm, y(marker.y + (r + 1) * cell), cell * mm + 0.2,
                             cell * mm + 0.2, stroke=0, fill=1)
    for label in layout().labels:
        pdf.setFont("Helvetica-Bold" if label.size > 8 else "Helvetica", label.size)
        pdf.drawString(label.x * mm, y(label.y), label.text)
    pdf.setStrokeColor(BOX_GREY)
    pdf.setLineWidth(LINE_MM * mm)
    for box in layout().boxes:
        pdf.rect(box.x * mm, y(box.y + box.h), box.w * mm, box.h * mm, stroke=1, fill=0)
    pdf.showPage()
    pdf.save()
    return out.getvalue()
