// GraphQL over HTTP audits against one URL: `node audit.mjs http://host:port/graphql`.
// Prints each audit that is not ok (MUST failures are errors, SHOULD/MAY are warnings or
// notices), then the totals; exits 1 when an audit errs.
//
// The gateway's CSRF prevention (GATEWAY_CSRF_PREVENTION, on by default) refuses a GET
// that carries no preflight-forcing header, as a browser could send it cross-site; so
// every GET of the audits goes out with `X-GraphQL-CSRF: 1`, as a real client's would.
// `--no-csrf-header` sends the audits as they are (the three GET audits then fail).
import { auditServer } from "graphql-http";

const args = process.argv.slice(2);
const plain = args.includes("--no-csrf-header");
const url = args.find((arg) => !arg.startsWith("--"));
if (!url) {
  console.error("usage: node audit.mjs <url> [--no-csrf-header]");
  process.exit(2);
}

function withCsrfHeader(input, init = {}) {
  const method = (init.method ?? "GET").toUpperCase();
  if (method !== "GET") return fetch(input, init);
  const headers = new Headers(init.headers);
  headers.set("x-graphql-csrf", "1");
  return fetch(input, { ...init, headers });
}

const results = await auditServer({ url, fetchFn: plain ? fetch : withCsrfHeader });
const totals = { ok: 0, notice: 0, warn: 0, error: 0 };
for (const result of results) {
  totals[result.status] += 1;
  if (result.status !== "ok") {
    console.log(`${result.status.toUpperCase()} ${result.name}`);
    console.log(`    ${result.reason}`);
  }
}
console.log(
  `audits: ${results.length}, ok ${totals.ok}, notice ${totals.notice}, warn ${totals.warn},` +
    ` error ${totals.error}` + (plain ? " (GETs without X-GraphQL-CSRF)" : ""),
);
process.exit(totals.error > 0 ? 1 : 0);
