"""A small safe expression language over the columns of a row, evaluated on whole columns.

An expression is parsed with Python's ``ast`` but only these forms are accepted: column names,
numbers and strings, ``+ - * / // %``, comparisons, ``and or not``, ``a if cond else b`` and calls
of the functions in :data:`FUNCTIONS`. Nothing is ever passed to ``eval``.
"""

import ast
from collections.abc import Callable, Mapping

import pyarrow as pa
import pyarrow.compute as pc

from gensample.native.strings import join_element_wise

Value = pa.Array | pa.Scalar


def _text(value: Value) -> Value:
    return value.cast(pa.string())


def _concat(*values: Value) -> Value:
    return join_element_wise(*(_text(v) for v in values), "")


FUNCTIONS: dict[str, Callable[..., Value]] = {
    "upper": pc.utf8_upper,
    "lower": pc.utf8_lower,
    "title": pc.utf8_title,
    "length": pc.utf8_length,
    "abs": pc.abs,
    "round": lambda value, digits=0: pc.round(value, _integer(digits)),
    "text": _text,
    "concat": _concat,
    "year": pc.year,
    "month": pc.month,
    "day": pc.day,
}
"""The functions an expression may call."""

_ARITHMETIC = {
    ast.Sub: pc.subtract,
    ast.Mult: pc.multiply,
    ast.Div: lambda a, b: pc.divide(pc.cast(a, pa.float64()), b),
    ast.FloorDiv: lambda a, b: pc.floor(pc.divide(pc.cast(a, pa.float64()), b)),
    ast.Mod: lambda a, b: pc.subtract(
        a, pc.multiply(pc.floor(pc.divide(pc.cast(a, pa.float64()), b)), b)
    ),
}
_COMPARISONS = {
    ast.Eq: pc.equal,
    ast.NotEq: pc.not_equal,
    ast.Lt: pc.less,
    ast.LtE: pc.less_equal,
    ast.Gt: pc.greater,
    ast.GtE: pc.greater_equal,
}


def _integer(value: Value) -> int:
    return int(value.as_py()) if isinstance(value, pa.Scalar) else int(value)


def parse(text: str) -> ast.expr:
    """The checked syntax tree of ``text``; ``ValueError`` names what is not allowed."""
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError as error:
        raise ValueError(f"not an expression ({error.msg})") from None
    for node in ast.walk(tree):
        _check_node(node)
    return tree


def _check_node(node: ast.AST) -> None:
    """Refuse a node outside the language."""
    allowed = (ast.Name, ast.Constant, ast.BinOp, ast.UnaryOp, ast.Compare, ast.BoolOp, ast.IfExp)
    operators = (ast.operator, ast.unaryop, ast.cmpop, ast.boolop, ast.Load, ast.Call)
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS or node.keywords:
            raise ValueError(f"unknown function: expected one of {sorted(FUNCTIONS)}")
    elif isinstance(node, ast.Constant) and not isinstance(node.value, (int, float, str)):
        raise ValueError(f"constant {node.value!r} is not allowed: expected a number or a string")
    elif isinstance(node, ast.BinOp) and type(node.op) not in (ast.Add, *_ARITHMETIC):
        raise ValueError(f"operator {type(node.op).__name__} is not allowed")
    elif isinstance(node, ast.Compare) and not all(type(op) in _COMPARISONS for op in node.ops):
        raise ValueError("only ==, !=, <, <=, >, >= comparisons are allowed")
    elif not isinstance(node, allowed + operators):
        raise ValueError(f"{type(node).__name__} is not allowed in an expression")


def names(tree: ast.expr) -> set[str]:
    """The column names ``tree`` reads (function names excluded)."""
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and id(n) not in called}


def evaluate(tree: ast.expr, columns: Mapping[str, pa.Array]) -> Value:
    """The value of ``tree`` for every row of ``columns``."""
    if isinstance(tree, ast.Name):
        return columns[tree.id]
    if isinstance(tree, ast.Constant):
        return pa.scalar(tree.value)
    if isinstance(tree, ast.Call):
        return FUNCTIONS[tree.func.id](*(evaluate(a, columns) for a in tree.args))
    if isinstance(tree, ast.UnaryOp):
        value = evaluate(tree.operand, columns)
        return pc.invert(value) if isinstance(tree.op, ast.Not) else pc.negate(value)
    if isinstance(tree, ast.BoolOp):
        combine = pc.and_kleene if isinstance(tree.op, ast.And) else pc.or_kleene
        values = [evaluate(v, columns) for v in tree.values]
        result = values[0]
        for value in values[1:]:
            result = combine(result, value)
        return result
    if isinstance(tree, ast.IfExp):
        test, body, orelse = (evaluate(n, columns) for n in (tree.test, tree.body, tree.orelse))
        return pc.if_else(test, body, orelse)
    return _binary(tree, columns)


def _binary(tree: ast.BinOp | ast.Compare, columns: Mapping[str, pa.Array]) -> Value:
    """An operator or a chain of comparisons."""
    if isinstance(tree, ast.BinOp):
        left, right = evaluate(tree.left, columns), evaluate(tree.right, columns)
        if isinstance(tree.op, ast.Add):
            textual = pa.types.is_string(left.type) or pa.types.is_string(right.type)
            return _concat(left, right) if textual else pc.add(left, right)
        return _ARITHMETIC[type(tree.op)](left, right)
    left, result = evaluate(tree.left, columns), None
    for op, node in zip(tree.ops, tree.comparators, strict=True):
        right = evaluate(node, columns)
        found = _COMPARISONS[type(op)](left, right)
        result = found if result is None else pc.and_kleene(result, found)
        left = right
    return result
