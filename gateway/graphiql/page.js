// GraphiQL on the gateway's own files: strawberry's wiring (explorer plugin, headers
// editor), with the example operations as the first tabs and graphql-ws's client for
// subscriptions on the same /graphql, over ws:// or wss://.
(function () {
  "use strict";

  var url = window.location.origin + window.location.pathname;
  var wsClient = graphqlWs.createClient({
    url: url.replace(/^http/, "ws"),
    lazy: true,
  });
  var fetcher = GraphiQL.createFetcher({ url: url, wsClient: wsClient });
  var examples = JSON.parse(
    document.getElementById("graphiql-examples").textContent,
  );
  var explorer = GraphiQLPluginExplorer.explorerPlugin();
  // GraphiQL 3 fills the variables editor of the first tab from its `variables`
  // prop only (not from defaultTabs): pass them on a first visit, when no tabs
  // are stored yet.
  var firstVariables;
  try {
    if (window.localStorage.getItem("graphiql:tabState") === null && examples.length) {
      firstVariables = examples[0].variables;
    }
  } catch (e) {
    // no localStorage (a privacy setting): the tabs are not kept, start as new
    firstVariables = examples.length ? examples[0].variables : undefined;
  }

  function GatewayGraphiQL() {
    return React.createElement(GraphiQL, {
      fetcher: fetcher,
      plugins: [explorer],
      defaultTabs: examples,
      variables: firstVariables,
      defaultEditorToolsVisibility: true,
      isHeadersEditorEnabled: true,
      // Headers often hold a credential: kept while the page is open, not in localStorage.
      shouldPersistHeaders: false,
      inputValueDeprecation: true,
    });
  }

  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(GatewayGraphiQL),
  );
})();
