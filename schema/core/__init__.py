"""What every domain of the graph shares: nodes and ids, pagination, scalars, filters, errors."""
