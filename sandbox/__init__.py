"""Reference implementations of the three upstream REST APIs.

They let the gateway be demoed, tested and benchmarked without the real
products: a jobs store (WorkfloPlus-compatible), an operations manager
(Itential-compatible) and AWX. Each is a Starlette app wrapped in
:class:`~sandbox.middleware.SandboxMiddleware`, which adds the
upstream's own authentication, request counting (``/_sandbox/stats``) and
configurable latency and faults (``/_sandbox/faults``).
"""
