"""The jobs store (WorkfloPlus-compatible) in the graph: ``FlowJob``, steps, ``createFlowJob``."""
