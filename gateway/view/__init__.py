"""The cross-system view, without GraphQL: every job of the three systems as one list.

- :mod:`gateway.view.sources` reads each system from a position, filters
  pushed down where the upstream has them and applied to a bounded scan where
  it does not (the jobs store);
- :mod:`gateway.view.merge` merges the reads newest first and writes the
  cursor that resumes the merge exactly;
- :mod:`gateway.view.pages` puts a page together (failures, warnings, cursors);
- :mod:`gateway.view.figures` counts jobs per state and times finished ones.

Jobs travel as documents with their :class:`~gateway.facts.JobFacts`; the
GraphQL layer (:mod:`schema.view`) maps only the answered documents to types.
"""
