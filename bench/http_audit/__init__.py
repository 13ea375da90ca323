"""GraphQL over HTTP compliance: graphql-http's audits against a running gateway.

``python -m bench.http_audit`` starts the sandbox upstreams and a gateway
(:mod:`bench.processes`), copies ``package.json`` and ``audit.mjs`` into
``.bench/http_audit/`` (gitignored), runs ``npm install`` there and then
``node audit.mjs <gateway>/graphql``, which prints every audit that is not ok
(with its reason) and the totals. Needs Node.js 18+ and npm; not part of the
test run. Its GETs carry ``X-GraphQL-CSRF: 1``, which the gateway's CSRF
prevention asks of every GET (:mod:`gateway.csrf`);
``python -m bench.http_audit --no-csrf-header`` sends them without it.
"""
