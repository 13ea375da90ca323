"""jobs-gateway: one GraphQL graph over three job systems."""
