// graphql-ws (graphql-transport-ws) against the gateway: node ws_client.mjs ws://127.0.0.1:PORT/graphql
// Runs each entry of OPERATIONS and reports, by name, every result it received until the
// operation completed (or `take` results, for a subscription that does not end by itself).
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { documentText, report } from "./documents.mjs";

const OPERATIONS = [
  { name: "workflowJob", query: documentText("WorkflowJob"), variables: { id: 7 } },
  // AWX workflow job 7 has finished: its stream is the job once, then `complete`
  {
    name: "jobStatus",
    query: documentText("JobStatus"),
    variables: { id: Buffer.from("WorkflowJob:7").toString("base64") },
    take: 5,
  },
];

const url = process.argv[2];
if (!url) {
  console.error("usage: node ws_client.mjs <ws url>");
  process.exit(2);
}

const client = createClient({ url, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });

async function collect({ query, variables, take }) {
  const results = [];
  const iterator = client.iterate({ query, variables });
  for await (const result of iterator) {
    results.push(result);
    if (take !== undefined && results.length >= take) {
      await iterator.return?.();
      break;
    }
  }
  return results;
}

const answers = {};
try {
  for (const operation of OPERATIONS) {
    answers[operation.name] = await collect(operation);
  }
} finally {
  await client.dispose();
}
report(answers);
