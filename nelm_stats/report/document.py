"""The report as a document model: what every exporter (DOCX, HTML, PDF, PPTX) writes.

A :class:`Report` is a title, provenance lines and sections; a section is an ordered list of
blocks (text, tables, figures) plus the few key numbers a slide shows.  Everything here is
already worded and formatted by the presentation layer (:mod:`nelm_stats.report.format`):
exporters only lay it out, they never format a number.  Tables carry both the display frame
(text cells, headers for people) and, where there is one, the tidy numeric frame behind it,
so a spreadsheet export keeps numbers as numbers.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Union

import pandas as pd

__all__ = ["TextBlock", "TableBlock", "FigureBlock", "FigureRecipe", "CurveSeries", "Section", "Report", "Block"]


@dataclass(frozen=True)
class TextBlock:
    """A paragraph.  ``kind``: "results" (sentences with the numbers), "methods", "note"
    (a caveat, e.g. an analysis that could not be done, and why) or "paragraph"."""
    text: str
    kind: str = "paragraph"


@dataclass(frozen=True)
class TableBlock:
    """A table: ``frame`` holds the display text (every cell a string, headers for people);
    ``data`` the tidy numbers behind it (or None); ``footnotes`` name each test and explain
    symbols ("–": beyond the longest follow-up)."""
    key: str
    title: str
    frame: pd.DataFrame
    footnotes: tuple[str, ...] = ()
    data: pd.DataFrame | None = None


@dataclass(frozen=True)
class CurveSeries:
    """One step curve as plotted (for a native, editable chart): the x and y of the step
    line, corners included."""
    name: str
    x: tuple[float, ...]
    y: tuple[float, ...]


@dataclass(frozen=True)
class FigureRecipe:
    """How a figure is drawn: ``builder(*args, **dict(kwargs))``, a function of
    :mod:`nelm_stats.figures` and the results it draws.  A report keeps the recipe, not the
    figure: composing the report builds none (a plotly figure of 100 000 patients' curves takes
    0.1 s), a screen draws the figure of a section when it is opened, an export when it writes it.
    Picklable (a cached report keeps it)."""
    builder: Callable
    args: tuple = ()
    kwargs: tuple = ()  # ((name, value), ...)

    def build(self):
        return self.builder(*self.args, **dict(self.kwargs))


@dataclass(frozen=True)
class FigureBlock:
    """A figure with its caption.  ``recipe`` draws it (:class:`FigureRecipe`; a plotly figure
    already drawn is taken as it is); ``figure`` is the plotly figure.  ``curves``: the same
    curves as data, for a native PowerPoint chart (Kaplan–Meier figures), else empty;
    ``x_title``/``y_title`` label them."""
    key: str
    title: str
    recipe: object  # FigureRecipe, or a plotly.graph_objects.Figure
    caption: str = ""
    curves: tuple[CurveSeries, ...] = ()
    x_title: str = ""
    y_title: str = ""

    @property
    def figure(self):
        """The plotly figure (built now from the recipe)."""
        return self.recipe.build() if isinstance(self.recipe, FigureRecipe) else self.recipe


Block = Union[TextBlock, TableBlock, FigureBlock]


@dataclass(frozen=True)
class Section:
    """A chapter of the report and one or two slides of the deck.  ``key`` is stable
    ("flow", "table_one", "survival", "margins", "cox", "propensity"); ``headline`` holds
    the key numbers in one short line each (for the slide beside the figure)."""
    key: str
    title: str
    blocks: tuple[Block, ...]
    headline: tuple[str, ...] = ()


@dataclass(frozen=True)
class Report:
    """The whole analysis, worded.  ``provenance``: (label, value) lines naming software
    version, settings and a short hash of the input data, so two reports can be told apart."""
    title: str
    subtitle: str
    sections: tuple[Section, ...]
    methods: str
    take_home: tuple[str, ...] = ()
    provenance: tuple[tuple[str, str], ...] = ()
    created: str = ""

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)

    def tables(self) -> list[TableBlock]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, TableBlock)]

    def figures(self) -> list[FigureBlock]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, FigureBlock)]
