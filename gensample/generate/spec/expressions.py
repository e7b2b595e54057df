"""A small safe expression language over the columns of a row, evaluated on whole columns.

An expression is parsed with Python's ``ast`` but only these forms are accepted: column names,
numbers and strings, ``+ - * / // %``, comparisons, ``and or not``, ``a if cond else b`` and calls
of the functions in :data:`FUNCTIONS`. Nothing is ever passed to ``eval``.
"""

import ast
import functools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from gensample.native.strings import join_element_wise

Value = pa.Array | pa.Scalar
MOST_DIGITS = 15
"""``round(x, digits)`` rounds to at most this many digits either side of the point: a
float64 holds about 15 significant digits."""


def _text(value: Value) -> Value:
    return value.cast(pa.string())


def _concat(*values: Value) -> Value:
    return join_element_wise(*(_text(v) for v in values), "")


def _integer(value: Value) -> int:
    return int(value.as_py()) if isinstance(value, pa.Scalar) else int(value)


@dataclass(frozen=True)
class Function:
    """A function an expression may call: what computes it, what it takes (in words, for an
    error) and how many arguments."""

    call: Callable[..., Value]
    takes: str
    least: int = 1
    most: float = 1


FUNCTIONS: dict[str, Function] = {
    "upper": Function(pc.utf8_upper, "a text"),
    "lower": Function(pc.utf8_lower, "a text"),
    "title": Function(pc.utf8_title, "a text"),
    "length": Function(pc.utf8_length, "a text"),
    "abs": Function(pc.abs, "a number"),
    "round": Function(
        lambda value, digits=0: pc.round(value, _integer(digits)),
        f"a number, then whole-number digits from -{MOST_DIGITS} to {MOST_DIGITS}",
        most=2,
    ),
    "text": Function(_text, "any value"),
    "concat": Function(_concat, "any values", most=math.inf),
    "year": Function(pc.year, "a date"),
    "month": Function(pc.month, "a date"),
    "day": Function(pc.day, "a date"),
}
"""The functions an expression may call."""


def _divided(a: Value, b: Value) -> Value:
    """``a / b`` as floats: refused unless ``a`` holds numbers (a cast would take digit texts)."""
    if not (pa.types.is_integer(a.type) or pa.types.is_floating(a.type)):
        raise TypeError(f"{a.type} is not a number")
    return pc.divide(pc.cast(a, pa.float64()), b)


_ARITHMETIC = {
    ast.Sub: pc.subtract,
    ast.Mult: pc.multiply,
    ast.Div: _divided,
    ast.FloorDiv: lambda a, b: pc.floor(_divided(a, b)),
    ast.Mod: lambda a, b: pc.subtract(a, pc.multiply(pc.floor(_divided(a, b)), b)),
}
_COMPARISONS = {
    ast.Eq: pc.equal,
    ast.NotEq: pc.not_equal,
    ast.Lt: pc.less,
    ast.LtE: pc.less_equal,
    ast.Gt: pc.greater,
    ast.GtE: pc.greater_equal,
}
_UNARY = {ast.Not: pc.invert, ast.USub: pc.negate, ast.UAdd: lambda value: value}
_OPERATORS = {ast.Add, *_ARITHMETIC, *_UNARY}
TAKES = {
    ast.BinOp: "numbers (+ also joins texts)",
    ast.Compare: "values of one kind: numbers, texts or dates",
    ast.BoolOp: "true/false values (comparisons)",
    ast.UnaryOp: "a number (not: a true/false value)",
    ast.IfExp: "a true/false condition, then two values of one kind",
}
"""What each operator takes, in words, for an error."""


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
        _check_call(node)
    elif isinstance(node, ast.Constant) and not isinstance(node.value, (int, float, str)):
        raise ValueError(f"constant {node.value!r} is not allowed: expected a number or a string")
    elif isinstance(node, (ast.BinOp, ast.UnaryOp)) and type(node.op) not in _OPERATORS:
        raise ValueError(f"operator {type(node.op).__name__} is not allowed")
    elif isinstance(node, ast.Compare) and not all(type(op) in _COMPARISONS for op in node.ops):
        raise ValueError("only ==, !=, <, <=, >, >= comparisons are allowed")
    elif not isinstance(node, allowed + operators):
        raise ValueError(f"{type(node).__name__} is not allowed in an expression")


def _check_call(node: ast.Call) -> None:
    """A known function, with as many arguments as it takes; ``round``'s digits a constant."""
    if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS or node.keywords:
        raise ValueError(f"unknown function: expected one of {sorted(FUNCTIONS)}")
    name, function = node.func.id, FUNCTIONS[node.func.id]
    if not function.least <= len(node.args) <= function.most:
        raise ValueError(f"{ast.unparse(node)!r} is not allowed: {name} takes {function.takes}")
    if name == "round" and len(node.args) == 2:
        try:
            digits = ast.literal_eval(node.args[1])
        except ValueError:
            digits = None
        if type(digits) is not int or abs(digits) > MOST_DIGITS:
            raise ValueError(f"{ast.unparse(node)!r} is not allowed: round takes {function.takes}")


def names(tree: ast.expr) -> set[str]:
    """The column names ``tree`` reads (function names excluded)."""
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and id(n) not in called}


def evaluate(tree: ast.expr, columns: Mapping[str, pa.Array]) -> Value:
    """The value of ``tree`` for every row of ``columns``; ``TypeError`` names a part of it
    given values of a kind it does not take."""
    if isinstance(tree, ast.Name):
        return columns[tree.id]
    if isinstance(tree, ast.Constant):
        return pa.scalar(tree.value)
    values = [evaluate(node, columns) for node in _operands(tree)]
    try:
        return _applied(tree, values)
    except (pa.ArrowNotImplementedError, TypeError):
        takes = FUNCTIONS[tree.func.id].takes if isinstance(tree, ast.Call) else TAKES[type(tree)]
        *others, last = [kind(value.type) for value in values]
        given = f"{', '.join(others)} and {last}" if others else last
        raise TypeError(
            f"{ast.unparse(tree)!r} is not allowed on {given}: expected {takes}"
        ) from None


def _operands(tree: ast.expr) -> list[ast.expr]:
    """The expressions an operator or a call takes, in order."""
    if isinstance(tree, ast.Call):
        return tree.args
    if isinstance(tree, ast.UnaryOp):
        return [tree.operand]
    if isinstance(tree, ast.BoolOp):
        return tree.values
    if isinstance(tree, ast.IfExp):
        return [tree.test, tree.body, tree.orelse]
    if isinstance(tree, ast.BinOp):
        return [tree.left, tree.right]
    return [tree.left, *tree.comparators]


def _applied(tree: ast.expr, values: list[Value]) -> Value:
    """The operator or call of ``tree`` applied to the values of its operands."""
    if isinstance(tree, ast.Call):
        return FUNCTIONS[tree.func.id].call(*values)
    if isinstance(tree, ast.UnaryOp):
        return _UNARY[type(tree.op)](values[0])
    if isinstance(tree, ast.BoolOp):
        combine = pc.and_kleene if isinstance(tree.op, ast.And) else pc.or_kleene
        return functools.reduce(combine, values)
    if isinstance(tree, ast.IfExp):
        return pc.if_else(*values)
    if isinstance(tree, ast.BinOp):
        left, right = values
        if isinstance(tree.op, ast.Add):
            textual = pa.types.is_string(left.type) or pa.types.is_string(right.type)
            return _concat(left, right) if textual else pc.add(left, right)
        return _ARITHMETIC[type(tree.op)](left, right)
    found = [
        _COMPARISONS[type(op)](a, b)
        for op, a, b in zip(tree.ops, values[:-1], values[1:], strict=True)
    ]
    return functools.reduce(pc.and_kleene, found)


def kind(type_: pa.DataType) -> str:
    """A type in words."""
    if pa.types.is_string(type_) or pa.types.is_large_string(type_):
        return "a text"
    if pa.types.is_integer(type_):
        return "a whole number"
    if pa.types.is_floating(type_) or pa.types.is_decimal(type_):
        return "a number"
    if pa.types.is_temporal(type_):
        return "a date"
    return "a true/false value" if pa.types.is_boolean(type_) else str(type_)
