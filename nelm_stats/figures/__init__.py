"""Plotly figure builders. Each takes a result object of nelm_stats and returns a go.Figure.

One module per concern (survival curves, forest plots, balance...); shared colours and
layout in :mod:`nelm_stats.figures.style`.
"""
