"""Shared look of every figure: colour-blind-safe palette that also survives grayscale."""
from __future__ import annotations

__all__ = [
    "PALETTE", "LEVEL_PALETTE", "DASHES", "FONT", "colour", "level_colour", "dash", "base_layout",
]

# Okabe-Ito palette (colour-blind safe); paired with dashes so curves differ in grayscale too.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
# Categories of one outcome (R0/R1/R2, Clavien–Dindo grades): a sequential palette (viridis, light to
# dark, colour-blind safe and ordered in grayscale) that never repeats a group's colour.
LEVEL_PALETTE = ("#FDE725", "#7AD151", "#22A884", "#2A788E", "#414487", "#440154", "#8C8C8C", "#3B3B3B")
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot", "solid", "dash")
FONT = dict(family="Arial, Helvetica, sans-serif", size=14, color="#222222")


def colour(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def level_colour(i: int, n: int) -> str:
    """The colour of category ``i`` of ``n`` ordered categories (spread over the sequential palette)."""
    if n <= 1:
        return LEVEL_PALETTE[3]
    return LEVEL_PALETTE[round(i * 5 / max(n - 1, 1))] if n <= 6 else LEVEL_PALETTE[i % len(LEVEL_PALETTE)]


def dash(i: int) -> str:
    return DASHES[i % len(DASHES)]


def base_layout(**extra) -> dict:
    """Journal-style layout: white background, black axes, no gridlines clutter."""
    layout = dict(
        template="simple_white",
        font=FONT,
        margin=dict(l=70, r=30, t=50, b=60),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0),
    )
    layout.update(extra)
    return layout
