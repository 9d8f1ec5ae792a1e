"""Errors raised by nelm_stats.

Every problem with the caller's input or data is raised as a subclass of
:class:`AnalysisError`, with a message written for a clinician (what is wrong,
in which column, and what to do about it).  The dashboard catches
``AnalysisError`` and shows the message; anything else is a bug.
"""
from __future__ import annotations


class AnalysisError(ValueError):
    """Base class for every user-facing error of nelm_stats."""


class InputError(AnalysisError):
    """An argument is not usable (wrong type, unknown option, bad column name)."""


class MissingColumnError(InputError):
    """A column the analysis needs is not in the data."""


class InvalidValueError(InputError):
    """A column holds values the analysis cannot use (e.g. negative times)."""


class InsufficientDataError(AnalysisError):
    """Too few patients, events or groups for the analysis to be meaningful."""


class ConvergenceError(AnalysisError):
    """A model could not be fitted (no convergence, separation, collinearity)."""


class DataReadError(AnalysisError):
    """An uploaded file could not be read."""


__all__ = [
    "AnalysisError",
    "InputError",
    "MissingColumnError",
    "InvalidValueError",
    "InsufficientDataError",
    "ConvergenceError",
    "DataReadError",
]
