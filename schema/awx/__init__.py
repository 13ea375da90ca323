"""AWX in the graph: ``WorkflowJob``, its nodes, ``JobTemplate``, launches and slice creates."""
