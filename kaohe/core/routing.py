"""URL rules whose URL builders are compiled on first use (issue 17: start-up cost)."""
from __future__ import annotations

import typing as t

from werkzeug.routing import Rule


class LazyBuilderRule(Rule):
    """A Werkzeug rule that compiles its ``url_for`` builders when first called.

    Werkzeug compiles two builders per rule when the rule is added (an AST built, walked
    and compiled: ~0.2 ms a rule, ~35–50 ms of every start for ~180 rules), although a
    CLI command or a worker builds the URLs of a few rules at most. Matching is unchanged
    (the rule's parts are still parsed when added); each builder is Werkzeug's own,
    compiled by the first call and then bound to the rule in place of the stub.
    """

    def _compile_builder(self, append_unknown: bool = True) -> t.Callable[..., tuple[str, str]]:
        attribute = "_build_unknown" if append_unknown else "_build"
        compile_builder = super()._compile_builder

        # Positional-only: every rule variable (even one named "rule") is a keyword.
        def build(rule: Rule, /, **values: t.Any) -> tuple[str, str]:
            real = compile_builder(append_unknown).__get__(rule, None)
            setattr(rule, attribute, real)
            return real(**values)

        return build
