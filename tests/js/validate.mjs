// graphql-js and GraphQL Code Generator on the committed schema, offline:
//   node validate.mjs <schema.graphql> <types.ts to write>
// buildSchema must accept schema.graphql, and validate() every document of documents/;
// then @graphql-codegen/core (the engine of @graphql-codegen/cli) with the typescript and
// typescript-operations plugins writes the TypeScript types of the schema and the documents.
import { writeFileSync, readFileSync } from "node:fs";
import { codegen } from "@graphql-codegen/core";
import * as typescript from "@graphql-codegen/typescript";
import * as typescriptOperations from "@graphql-codegen/typescript-operations";
import { buildSchema, parse, validate } from "graphql";
import { allDocuments, report } from "./documents.mjs";

const [schemaPath, typesPath] = process.argv.slice(2);
if (!schemaPath || !typesPath) {
  console.error("usage: node validate.mjs <schema.graphql> <types.ts>");
  process.exit(2);
}

const sdl = readFileSync(schemaPath, "utf8");
const schema = buildSchema(sdl);
const documents = allDocuments().map(({ name, location, source }) => ({
  name,
  location,
  document: parse(source),
}));
const errors = Object.fromEntries(
  documents.map(({ name, document }) => [name, validate(schema, document).map((e) => e.message)]),
);

const types = await codegen({
  schema: parse(sdl),
  schemaAst: schema,
  filename: typesPath,
  documents: documents.map(({ location, document }) => ({ location, document })),
  config: {},
  plugins: [{ typescript: {} }, { typescriptOperations: {} }],
  pluginMap: { typescript, typescriptOperations },
});
writeFileSync(typesPath, types);

const exported = [...types.matchAll(/^export type (\w+)/gm)].map((match) => match[1]);
report({ schemaTypes: Object.keys(schema.getTypeMap()).length, errors, exported });
