"""The example operations GraphiQL opens as its first tabs, read once at start-up.

The folder ``examples/`` holds one ``NN-name.graphql`` file per operation,
opened in the order of their names, and beside it, when the operation takes
variables, ``NN-name.variables.json`` (a JSON object) filled into the tab's
variables editor. ``tests/gateway/test_graphiql_examples.py`` validates every
example against the schema.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

EXAMPLES_DIR = Path(__file__).parent / "examples"


@dataclass(frozen=True)
class Example:
    """One example operation: its file's stem, its text and its variables (or None)."""

    name: str
    query: str
    variables: dict[str, object] | None

    def tab(self) -> dict[str, str]:
        """The tab as GraphiQL's ``defaultTabs`` takes it (editor texts)."""
        tab = {"query": self.query}
        if self.variables is not None:
            tab["variables"] = json.dumps(self.variables, indent=2)
        return tab


def load_examples(folder: Path = EXAMPLES_DIR) -> list[Example]:
    """Every example in ``folder``, by file name; a bad variables file stops the start."""
    examples = []
    for path in sorted(folder.glob("*.graphql")):
        variables_path = path.with_suffix(".variables.json")
        variables = None
        if variables_path.exists():
            variables = json.loads(variables_path.read_text())
            if not isinstance(variables, dict):
                raise ValueError(f"{variables_path.name} must hold a JSON object")
        examples.append(Example(path.stem, path.read_text(), variables))
    return examples
