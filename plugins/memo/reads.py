"""Which names of its context a template can read (plugins/memo/pages.py fingerprints those).

`Templates(env).names(name)` parses the template and every template it extends, includes and
imports (transitively), and returns the union of the names each reads from its context
(`jinja2.meta.find_undeclared_variables`: it over-approximates, never under). A template named
by an expression that is not a constant (or a choice between constants) could be any template:
every template of the environment is then included. A template that cannot be loaded or
parsed gives None: its pages are always rendered.
"""

from __future__ import annotations

import logging

from jinja2 import meta, nodes

logger = logging.getLogger(__name__)

#: {template source: (names it reads, templates it names or None)}, for every environment.
PARSED: dict[str, tuple[frozenset, list | None]] = {}


def _template_names(expression) -> list[str] | None:
    """The template names an extends/include/import expression can give; None if any other
    value is possible."""
    if isinstance(expression, nodes.Const) and isinstance(expression.value, str):
        return [expression.value]
    if isinstance(expression, nodes.CondExpr):
        one, other = _template_names(expression.expr1), _template_names(expression.expr2)
        return None if one is None or other is None else one + other
    if isinstance(expression, (nodes.Tuple, nodes.List)):
        names = [_template_names(item) for item in expression.items]
        return None if None in names else [name for found in names for name in found]
    return None


class Templates:
    """The context names each template (with what it extends, includes and imports) reads."""

    def __init__(self, env) -> None:
        self.env = env
        self._own: dict[str, tuple[frozenset, list | None]] = {}
        self._closures: dict[str, frozenset | None] = {}

    def _parse(self, name: str) -> tuple[frozenset, list | None]:
        if name not in self._own:
            source = self.env.loader.get_source(self.env, name)[0]
            if source not in PARSED:  # each generator has an environment of its own
                tree = self.env.parse(source)
                found: list | None = []
                for node in tree.find_all((nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)):
                    names = _template_names(node.template)
                    found = None if names is None or found is None else found + names
                PARSED[source] = (frozenset(meta.find_undeclared_variables(tree)), found)
            self._own[name] = PARSED[source]
        return self._own[name]

    def names(self, name: str) -> frozenset | None:
        """Every name the template `name` can read from its context; None if unknown."""
        if name not in self._closures:
            try:
                self._closures[name] = self._closure(name)
            except Exception as error:  # noqa: BLE001 - a template we cannot read is rendered
                logger.debug("pages: %s is always rendered (%s)", name, error)
                self._closures[name] = None
        return self._closures[name]

    def _closure(self, name: str) -> frozenset:
        read, seen, todo = set(), set(), [name]
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            names, referenced = self._parse(current)
            read |= names
            todo += self.env.list_templates() if referenced is None else referenced
        return frozenset(read)
