// graphql-request against the gateway over HTTP:
//   node http_client.mjs http://127.0.0.1:PORT/graphql <clientJobId>
// Runs the WorkflowJob query and the CreateFlowJob mutation as POSTs (application/json, which
// CSRF prevention lets through), the query again as a GET with X-GraphQL-CSRF (which a GET
// needs), and once as a GET without it (refused: its status and code are reported).
import { ClientError, GraphQLClient } from "graphql-request";
import { documentText, report } from "./documents.mjs";

const [endpoint, clientJobId] = process.argv.slice(2);
if (!endpoint || !clientJobId) {
  console.error("usage: node http_client.mjs <endpoint> <clientJobId>");
  process.exit(2);
}

const WORKFLOW_JOB = documentText("WorkflowJob");
const CREATE_FLOW_JOB = documentText("CreateFlowJob");

const client = new GraphQLClient(endpoint);
const query = await client.request(WORKFLOW_JOB, { id: 7 });
const mutation = await client.request(CREATE_FLOW_JOB, {
  input: { jobTitle: "graphql-request client", clientJobId },
});

const overGet = new GraphQLClient(endpoint, { method: "GET", headers: { "X-GraphQL-CSRF": "1" } });
const getQuery = await overGet.request(WORKFLOW_JOB, { id: 7 });

let getWithoutHeader;
try {
  await new GraphQLClient(endpoint, { method: "GET" }).request(WORKFLOW_JOB, { id: 7 });
  getWithoutHeader = { status: 200 };
} catch (error) {
  if (!(error instanceof ClientError)) throw error;
  getWithoutHeader = {
    status: error.response.status,
    codes: (error.response.errors ?? []).map((e) => e.extensions?.code),
  };
}

report({ query, mutation, getQuery, getWithoutHeader });
