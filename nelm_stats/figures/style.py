"""Shared look of every figure: colour-blind-safe palette that also survives grayscale."""
from __future__ import annotations

__all__ = [
    "PALETTE", "DASHES", "FONT", "colour", "dash", "base_layout",
]

# Okabe-Ito palette (colour-blind safe); paired with dashes so curves differ in grayscale too.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot", "solid", "dash")
FONT = dict(family="Arial, Helvetica, sans-serif", size=14, color="#222222")


def colour(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


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
