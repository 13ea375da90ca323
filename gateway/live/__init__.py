"""Live job status: shared pollers (:mod:`gateway.live.hub`) and what the subscriptions
stream from them (:mod:`gateway.live.jobs`).

The upstreams have no push, so ``jobUpdated`` and ``jobsChanged`` poll them;
subscribers of the same job (or of the same filter), for the same credential,
share one poller, so N subscribers cost one upstream poll per interval.
"""
