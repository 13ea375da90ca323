"""The cross-system view in the graph: ``jobs`` and ``jobCounts`` (see :mod:`gateway.view`)."""
