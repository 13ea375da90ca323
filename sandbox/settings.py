"""Settings shared by the three sandbox upstreams."""

from __future__ import annotations

from dataclasses import dataclass, field

from sandbox.faults import FaultSettings

SANDBOX_TOKEN = "sandbox-token"  # noqa: S105 - a public, documented sandbox credential
"""The credential every sandbox upstream accepts unless told otherwise.

It lives here, not in :mod:`gateway.config`: the gateway has no default
credential, so only ``serve --demo`` (and tests) hand this one to it.
"""
SANDBOX_CLIENT_ID = "sandbox-client"
SANDBOX_CLIENT_SECRET = "sandbox-client-secret"  # noqa: S105 - public, like the token
"""The OAuth2 client the jobs store and operations manager sandboxes issue tokens to."""


@dataclass(slots=True)
class SandboxSettings:
    """How one sandbox upstream behaves.

    ``seed`` makes the generated data reproducible: the same seed gives the
    same jobs. ``progress_seconds`` is the clock of jobs created through the
    API: they are queued or running for that long, then reach a final state.
    ``client_id``/``client_secret``: the OAuth2 client the token endpoint
    accepts (jobs store and operations manager); ``token_lifetime``: seconds
    its tokens live.
    """

    seed: int = 0
    token: str = SANDBOX_TOKEN
    progress_seconds: float = 5.0
    client_id: str = SANDBOX_CLIENT_ID
    client_secret: str = field(default=SANDBOX_CLIENT_SECRET, repr=False)
    token_lifetime: float = 3600.0
    faults: FaultSettings = field(default_factory=FaultSettings)
