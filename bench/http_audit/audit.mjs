// GraphQL over HTTP audits against one URL: `node audit.mjs http://host:port/graphql`.
// Prints each audit that is not ok (MUST failures are errors, SHOULD/MAY are warnings),
// then the totals; exits 1 when an audit errs.
import { auditServer } from "graphql-http";

const url = process.argv[2];
if (!url) {
  console.error("usage: node audit.mjs <url>");
  process.exit(2);
}
const results = await auditServer({ url });
const totals = { ok: 0, warn: 0, error: 0 };
for (const result of results) {
  totals[result.status] += 1;
  if (result.status !== "ok") {
    console.log(`${result.status.toUpperCase()} ${result.name}`);
    console.log(`    ${result.reason}`);
  }
}
console.log(`audits: ${results.length}, ok ${totals.ok}, warn ${totals.warn}, error ${totals.error}`);
process.exit(totals.error > 0 ? 1 : 0);
