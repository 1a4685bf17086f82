"""Formatting for the run pages: durations, metric values, sort links."""

import math
from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def duration(value):
    """A timedelta or seconds as "2h 05m", "4m 10s" or "12.3s"; "—" when unknown."""
    if value is None or value == "":
        return "—"
    seconds = value.total_seconds() if isinstance(value, timedelta) else float(value)
    if seconds < 0 or not math.isfinite(seconds):
        return "—"
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return f"{days}d {hours:02d}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m {secs:02d}s"


@register.filter
def metric(value, digits=3):
    """A metric with ``digits`` significant digits; "—" when missing."""
    if value is None or isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return "—"
    if value == 0:
        return "0"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.{int(digits)}g}" if abs(value) >= 1e-3 else f"{value:.2e}"


@register.filter
def percent(value):
    if value is None or isinstance(value, bool) or not isinstance(value, int | float):
        return "—"
    return f"{value * 100:.1f}%"


@register.simple_tag(takes_context=True)
def sort_link(context, column):
    """The ?sort= value a column header links to: its best-first order, or the reverse when active."""
    first = context["header_sorts"][column]
    current = context["current"]["sort"]
    if current == first:
        return first[1:] if first.startswith("-") else f"-{first}"
    return first


@register.simple_tag(takes_context=True)
def sort_mark(context, column):
    current = context["current"]["sort"]
    key = context["header_sorts"][column].lstrip("-")
    if current.lstrip("-") != key:
        return ""
    return "▼" if current.startswith("-") else "▲"
