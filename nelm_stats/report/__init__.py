"""The presentation layer: number formats, labels, narrative, report objects."""
