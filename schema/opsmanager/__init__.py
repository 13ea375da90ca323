"""The operations manager (Itential-compatible) in the graph: ``OperationsJob``, tasks, starts."""
