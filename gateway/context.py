"""The per-request context: upstream APIs bound to the caller, and fresh loaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeAlias

import strawberry
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from gateway.config import Settings
from gateway.create_claims import CreateClaims, LocalCreateClaims
from gateway.live.hub import PollHub
from gateway.loaders import Loaders
from gateway.upstream_names import Upstream
from gateway.upstreams.awx import AwxAPI
from gateway.upstreams.caller import Caller
from gateway.upstreams.client import UpstreamClient
from gateway.upstreams.jobstore import JobstoreAPI
from gateway.upstreams.opsmanager import OpsManagerAPI


@dataclass(slots=True)
class Context:
    """What every resolver of one request can reach."""

    request: Request | WebSocket | None
    response: Response | WebSocket | None
    settings: Settings
    jobstore: JobstoreAPI
    opsmanager: OpsManagerAPI
    awx: AwxAPI
    loaders: Loaders
    create_claims: CreateClaims = field(default_factory=LocalCreateClaims)
    """The app's ``clientJobId`` claims of creates (see :mod:`gateway.create_claims`)."""
    clients: dict[Upstream, UpstreamClient] = field(default_factory=dict)
    """The app's upstream clients (a live poll makes a fresh context of its own from them)."""
    authorization: str | None = field(default=None, repr=False)
    """The caller's ``Authorization`` header (forwarded upstream in ``forward`` mode)."""
    live: PollHub | None = None
    """The app's shared pollers (:mod:`gateway.live`); ``None``: no subscriptions here."""
    encodes_datetimes: bool = False
    """Whether the answer is encoded by orjson, which writes a UTC ``datetime`` as the
    ``DateTime`` scalar does (the POST lane's answers): the execution plans then leave
    such a value for the encoder rather than make its text (``schema.core.plan_compile``)."""

    @classmethod
    def create(
        cls,
        *,
        settings: Settings,
        clients: dict[Upstream, UpstreamClient],
        authorization: str | None,
        request: Request | WebSocket | None = None,
        response: Response | WebSocket | None = None,
        create_claims: CreateClaims | None = None,
        live: PollHub | None = None,
    ) -> Context:
        """A context for one request (call inside the running event loop)."""
        caller = Caller.for_request(
            authorization,
            timeout=settings.request_timeout,
            max_calls=settings.max_upstream_calls,
        )
        jobstore = JobstoreAPI(clients[Upstream.JOBSTORE], caller)
        opsmanager = OpsManagerAPI(clients[Upstream.OPSMANAGER], caller)
        awx = AwxAPI(clients[Upstream.AWX], caller)
        return cls(
            request=request,
            response=response,
            settings=settings,
            jobstore=jobstore,
            opsmanager=opsmanager,
            awx=awx,
            loaders=Loaders.create(
                jobstore=jobstore,
                opsmanager=opsmanager,
                awx=awx,
                jobstore_concurrency=settings.jobstore_concurrency,
            ),
            create_claims=create_claims if create_claims is not None else LocalCreateClaims(),
            clients=clients,
            authorization=authorization,
            live=live,
        )

    def for_poll(self) -> Context:
        """A fresh context for one live poll: same caller, new loaders, deadline and budget.

        Every poll reads the upstreams anew: a request's loaders cache what
        they loaded, which would freeze a watched job.
        """
        return Context.create(
            settings=self.settings,
            clients=self.clients,
            authorization=self.authorization,
            create_claims=self.create_claims,
            live=self.live,
        )


Info: TypeAlias = strawberry.Info[Context, None]
