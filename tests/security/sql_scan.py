"""A static check that SQL is built only by the ORM, from constants, or from quoted identifiers.

Every ``execute()``/``executemany()``/``raw()``/``RawSQL()`` call's query argument must be made of
string constants, identifier helpers (``connection.ops.quote_name``, psycopg's ``sql.Identifier``
inside ``sql.SQL(...).format``) and SQL that the ORM generated (``.sql_with_params()``). Values
must travel as parameters. A query that interpolates anything must also say why on its own line
(``# noqa: S608 - <reason>`` or ``# sql-safe: <reason>``). ``.extra()`` is refused.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

QUERY_METHODS = {"execute", "executemany", "raw"}
QUERY_FUNCTIONS = {"RawSQL"}
# Calls whose result is a safe SQL fragment: quoted identifiers or ORM-generated SQL.
IDENTIFIER_HELPERS = {"quote_name", "Identifier", "sql_with_params"}
# Names whose values are reviewed SQL fragments built only from constants of the code itself
# (path relative to the repository, variable name) -> why it is safe.
REVIEWED_FRAGMENTS: dict[tuple[str, str], str] = {
    ("lifecycle/churn/features.py", "selects"): "fixed aggregate expressions over EventKind constants and int literals",
    ("tenants/tests/test_schema_builder.py", "query"): "the constant catalogue queries of CATALOGUE_QUERIES",
    ("crm_saas/tests/test_pg_arrays.py", "cast"): "type names written in the tests themselves",
}
# ruff drops an S608 noqa marker where its own rule does not fire (DDL), so "sql-safe: <reason>" too.
JUSTIFIED = re.compile(r"noqa: S608 - \w|# sql-safe: \w")
SKIPPED_PARTS = {".venv", "migrations", "node_modules", ".data", "test-artifacts", "__pycache__"}


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    problem: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.problem}"


def python_files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*.py") if not SKIPPED_PARTS.intersection(path.relative_to(root).parts))


def _call_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    if isinstance(call.func, ast.Name):
        return call.func.id
    return None


class _Checker:
    def __init__(self, path: str, source: str) -> None:
        self.path = path
        self.lines = source.splitlines()
        self.tree = ast.parse(source)
        self.parents: dict[ast.AST, ast.AST] = {}
        for node in ast.walk(self.tree):
            for child in ast.iter_child_nodes(node):
                self.parents[child] = node
        self.findings: list[Finding] = []

    def run(self) -> list[Finding]:
        for node in ast.walk(self.tree):
            if not isinstance(node, ast.Call):
                continue
            name = _call_name(node)
            if name == "extra" and isinstance(node.func, ast.Attribute) and node.keywords:
                self.findings.append(Finding(self.path, node.lineno, "QuerySet.extra() is not allowed; use the ORM"))
            elif (name in QUERY_METHODS and isinstance(node.func, ast.Attribute)) or name in QUERY_FUNCTIONS:
                query = (
                    node.args[0]
                    if node.args
                    else next((k.value for k in node.keywords if k.arg in {"sql", "query"}), None)
                )
                if query is not None:
                    self._check_query(node, query)
        return self.findings

    def _check_query(self, call: ast.Call, query: ast.AST) -> None:
        if isinstance(query, ast.Constant) and isinstance(query.value, str):
            return
        problems: list[str] = []
        if not self._safe(query, self._scope_of(call), problems, depth=0):
            self.findings.append(Finding(self.path, call.lineno, "; ".join(problems) or "query is not a constant"))
            return
        scope = self._scope_of(call)
        if self._is_dynamic(query, scope) and not self._justified(call, query, scope):
            self.findings.append(
                Finding(self.path, call.lineno, "interpolated SQL needs '# noqa: S608' with a reason on the query")
            )

    # -- what counts as safe ---------------------------------------------------------------------
    def _safe(self, node: ast.AST, scope: ast.AST, problems: list[str], depth: int) -> bool:
        if depth > 8:
            problems.append("query built too indirectly to check")
            return False
        if isinstance(node, ast.Constant):
            return isinstance(node.value, str | int | float) or node.value is None
        if isinstance(node, ast.JoinedStr):
            return all(self._safe(part, scope, problems, depth + 1) for part in node.values)
        if isinstance(node, ast.FormattedValue):
            return self._safe(node.value, scope, problems, depth + 1)
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.Mod):
                problems.append("'%' formatting of SQL; pass values as parameters")
                return False
            if isinstance(node.op, ast.Add):
                return self._safe(node.left, scope, problems, depth + 1) and self._safe(
                    node.right, scope, problems, depth + 1
                )
        if isinstance(node, ast.List | ast.Tuple):
            return all(self._safe(element, scope, problems, depth + 1) for element in node.elts)
        if isinstance(node, ast.Call):
            return self._safe_call(node, scope, problems, depth)
        if isinstance(node, ast.Name):
            return self._safe_name(node.id, scope, problems, depth)
        problems.append(f"{ast.unparse(node)!r} reaches the SQL text")
        return False

    def _safe_call(self, node: ast.Call, scope: ast.AST, problems: list[str], depth: int) -> bool:
        name = _call_name(node)
        if name in IDENTIFIER_HELPERS:
            return True
        if name == "SQL" and all(isinstance(arg, ast.Constant) for arg in node.args):  # psycopg sql.SQL("...")
            return True
        if (
            isinstance(node.func, ast.Attribute)
            and name in {"join", "format"}
            and self._is_psycopg_sql(node.func.value)
        ):
            return True  # psycopg composes SQL objects only; plain values become quoted literals
        if isinstance(node.func, ast.Attribute) and name in {"join", "format"}:
            receiver_ok = self._safe(node.func.value, scope, problems, depth + 1)
            args_ok = all(self._safe(arg, scope, problems, depth + 1) for arg in node.args)
            keywords_ok = all(self._safe(k.value, scope, problems, depth + 1) for k in node.keywords)
            return receiver_ok and args_ok and keywords_ok
        problems.append(f"{ast.unparse(node)!r} reaches the SQL text")
        return False

    @staticmethod
    def _is_psycopg_sql(node: ast.AST) -> bool:
        return (
            isinstance(node, ast.Call)
            and _call_name(node) == "SQL"
            and all(isinstance(arg, ast.Constant) for arg in node.args)
        )

    def _safe_name(self, name: str, scope: ast.AST, problems: list[str], depth: int) -> bool:
        if (self.path, name) in REVIEWED_FRAGMENTS:
            return True
        values = self._assignments(name, scope)
        if values is None:
            problems.append(f"{name!r} comes from outside (argument or loop variable)")
            return False
        if not values:
            problems.append(f"{name!r} is not assigned where the query is built")
            return False
        return all(self._safe(value, scope, problems, depth + 1) for value in values)

    def _assignments(self, name: str, scope: ast.AST) -> list[ast.AST] | None:
        """Values assigned to ``name`` in ``scope`` (None when it is a parameter or loop target)."""
        if isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef):
            arguments = scope.args
            every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs, arguments.vararg, arguments.kwarg]
            if any(arg is not None and arg.arg == name for arg in every):
                return None
        values: list[ast.AST] = []
        for node in ast.walk(scope):
            if isinstance(node, ast.For | ast.comprehension) and name in _target_names(node.target):
                return None
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name) and target.id == name:
                        values.append(node.value)
                    elif isinstance(target, ast.Tuple) and name in _target_names(target):
                        values.append(node.value)  # e.g. sql, params = query.sql_with_params()
            elif (
                isinstance(node, ast.AnnAssign | ast.AugAssign)
                and isinstance(node.target, ast.Name)
                and node.target.id == name
                and node.value is not None
            ):
                values.append(node.value)
        if not values and scope is not self.tree:
            return self._assignments(name, self.tree)
        return values

    def _scope_of(self, node: ast.AST) -> ast.AST:
        current = self.parents.get(node)
        while current is not None and not isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef):
            current = self.parents.get(current)
        return current or self.tree

    def _is_dynamic(self, node: ast.AST, scope: ast.AST) -> bool:
        """Whether anything but constants and ORM output went into the text."""
        if isinstance(node, ast.Call) and _call_name(node) in {"sql_with_params", "format"}:
            return False  # ORM SQL, or psycopg's composition of sql.SQL with identifiers
        if isinstance(node, ast.Tuple):  # sql, params = query.sql_with_params()
            return any(self._is_dynamic(element, scope) for element in node.elts)
        if isinstance(node, ast.Name):
            values = self._assignments(node.id, scope) or []
            return any(self._is_dynamic(value, scope) for value in values)
        return not isinstance(node, ast.Constant)

    def _justified(self, call: ast.Call, query: ast.AST, scope: ast.AST) -> bool:
        """``# noqa: S608`` on a line of the call or of the statement that built the query."""
        statements: list[ast.AST] = [call]
        if isinstance(query, ast.Name):
            statements += [
                node
                for node in ast.walk(scope)
                if isinstance(node, ast.Assign) and any(query.id in _target_names(target) for target in node.targets)
            ]
        for statement in statements:
            # A comment on the line above counts too.
            for number in range(max(1, statement.lineno - 1), getattr(statement, "end_lineno", statement.lineno) + 1):
                if JUSTIFIED.search(self.lines[number - 1]):
                    return True
        return False


def _target_names(target: ast.AST) -> set[str]:
    return {node.id for node in ast.walk(target) if isinstance(node, ast.Name)}


def scan_source(path: str, source: str) -> list[Finding]:
    return _Checker(path, source).run()


def scan_tree(root: Path) -> list[Finding]:
    findings: list[Finding] = []
    for file in python_files(root):
        findings.extend(scan_source(file.relative_to(root).as_posix(), file.read_text()))
    return findings
