"""GraphQL over HTTP compliance: graphql-http's audits against a running gateway.

``python -m bench.http_audit`` starts the sandbox upstreams and a gateway
(:mod:`bench.processes`), copies ``package.json`` and ``audit.mjs`` into
``.bench/http_audit/`` (gitignored), runs ``npm install`` there and then
``node audit.mjs <gateway>/graphql``, which prints every audit that is not ok
(with its reason) and the totals. Needs Node.js 18+ and npm; not part of the
test run.
"""
