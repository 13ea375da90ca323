"""Typed async clients of the three upstream REST APIs, one module each.

Each client wraps one upstream's pooled connections (created in the app's
lifespan) through :class:`~gateway.upstreams.client.UpstreamClient`, which is
the one place where transport failures and HTTP statuses become
:mod:`gateway.errors`.
"""
