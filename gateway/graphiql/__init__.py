"""GraphiQL served by the gateway itself: its files pinned with npm and served
from ``/graphiql/static/``, the example operations as its first tabs, no CDN.

- :mod:`gateway.graphiql.assets`: the files and their route;
- :mod:`gateway.graphiql.examples`: the example operations (``examples/``);
- :mod:`gateway.graphiql.page`: the page on ``GET /graphql`` and its CSP.

``GATEWAY_GRAPHIQL=false`` serves neither the page nor its files.
"""

from gateway.graphiql.page import GraphiQLPage

__all__ = ["GraphiQLPage"]
