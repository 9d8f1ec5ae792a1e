"""The data's way in: read a file, map its columns, normalise values, parse dates, derive endpoints, check quality, flag identifiers."""
