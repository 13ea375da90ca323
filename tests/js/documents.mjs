// The GraphQL documents the clients run, one operation per file in documents/.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const DOCUMENTS_DIR = join(import.meta.dirname, "documents");

/** Every document as { name, location, source }: name is the file name without `.graphql`. */
export function allDocuments() {
  return readdirSync(DOCUMENTS_DIR)
    .filter((file) => file.endsWith(".graphql"))
    .sort()
    .map((file) => {
      const location = join(DOCUMENTS_DIR, file);
      return { name: file.slice(0, -".graphql".length), location, source: readFileSync(location, "utf8") };
    });
}

/** The text of one document, by name (e.g. "WorkflowJob"). */
export function documentText(name) {
  return readFileSync(join(DOCUMENTS_DIR, `${name}.graphql`), "utf8");
}

/** Prints one JSON value on stdout: what the pytest test reads. */
export function report(value) {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}
