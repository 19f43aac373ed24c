"""Inspect's sample filter language, compiled to one polars expression.

The text users type in ``inspect view``'s filter box works here unchanged: Inspect's viewer
evaluates it with filtrex, one sample at a time, and this module gives the same answer for
the whole frame at once. Its rules, as filtrex and the viewer define them:

- Values are numbers, text, true/false, null and lists ``(a, b, c)``; ``True``, ``False``
  and ``None`` are constants. ``"..."`` is text; ``'...'`` names a variable (for names
  with odd characters), as in filtrex.
- ``==``/``!=`` are strict (``1 == "1"`` is false); ``<``, ``+``, ``-``, ... need numbers
  (``+`` also joins text); ``and``/``or``/``not`` need true/false. A sample where an
  operator gets the wrong type, or a missing value, is left out (filtrex raises there and
  the viewer drops the sample); ``and``/``or`` look at their right side only when the left
  does not decide, so ``has_error or score > 1`` keeps samples with errors.
- ``not`` binds tighter than comparisons, as in filtrex: ``not x == 1`` is ``(not x) == 1``.
- Comparisons chain (``1 <= x < 3``); ``x in (1, 2)``; ``x ~= "re"`` (regex, case-sensitive);
  ``mod`` is the floored modulo, ``^`` the power; ``if a then b else c``.
- Math functions take any value as JavaScript's ``Number()`` does (null is 0).
- Scores: a scorer's name (``match``), ``scorer.name`` for dict scorers, and the bare name
  when it is unique. A sample with an error has no score values (they are undefined there,
  which equals nothing). Boolean scores read a missing value as false.

Where Inspect would fail on every sample (a number compared with text, an unknown name)
this module raises at compile time instead, naming the position. One deliberate addition:
text scores (``C``/``I`` grades, numbers written as text) used as numbers take their value
under `evallens.scores` rather than failing, so ``match > 0.5`` counts correct answers.

Example:
    >>> import polars as pl
    >>> df = pl.DataFrame({"id": [1, 2, 3], "epoch": [1, 1, 2], "error": ["", "", "boom"],
    ...                    "score_match": ["C", "I", None]})
    >>> df.filter(compile_filter("match == 'C' or epoch > 1".replace("'", '"'), df)).height
    2
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import polars as pl

from evallens.errors import UnknownNameError
from evallens.scores import ScoreDescriptor, describe_scores, descriptor_value_expr

_NESTED_PROBE = 1_000
"""Rows a nested metadata key's values are read from to tell its type."""

Kind = Literal["number", "text", "bool", "null", "list"]


# ------------------------------------------------------------------------------- errors
class FilterSyntaxError(ValueError):
    """Filter text that does not parse: where (``position``) and what was ``expected``.

    Example:
        >>> try:
        ...     parse("epoch == ")
        ... except FilterSyntaxError as error:
        ...     print(error.position, error.expected[0].split(" (")[0])
        9 a value
    """

    def __init__(self, text: str, position: int, message: str, expected: Sequence[str]) -> None:
        self.text = text
        self.position = position
        self.length = 1
        self.expected = list(expected)
        super().__init__(f"{message} at position {position + 1}\n{_pointer(text, position)}")


class FilterNameError(UnknownNameError):
    """An unknown variable or function in filter text; ``near`` lists close names."""

    def __init__(
        self, kind: str, name: str, candidates: Sequence[str], position: int, hint: str = ""
    ) -> None:
        self.position = position
        self.length = len(name)
        super().__init__(kind, name, candidates)
        if hint:
            self.args = (f"unknown {kind} {name!r}{hint} (at position {position + 1})",)
        else:
            self.args = (f"{self.args[0]} (at position {position + 1})",)


class FilterTypeError(ValueError):
    """An operator or function given values it cannot take (e.g. a number and text)."""

    def __init__(self, text: str, position: int, length: int, message: str) -> None:
        self.text = text
        self.position = position
        self.length = max(1, length)
        super().__init__(f"{message} at position {position + 1}\n{_pointer(text, position)}")


def _pointer(text: str, position: int) -> str:
    line = text.replace("\n", " ")
    return f"  {line}\n  {' ' * position}^"


# ---------------------------------------------------------------------------- tokenizer
@dataclass(frozen=True)
class Token:
    kind: str
    """``number``, ``string``, ``symbol``, ``quoted`` (a '...' name), an operator or keyword,
    or ``end``."""
    text: str
    """The token's source text (for strings and quoted names: the unescaped value)."""
    start: int
    end: int


_KEYWORDS = ("and", "or", "not", "in", "of", "if", "then", "else", "mod")
_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<op>==|!=|~=|>=|<=|[-+*/^(),<>%?:])
  | (?P<notin>not\s+in(?![\w$.]))
  | (?P<keyword>(?:and|or|not|in|of|if|then|else|mod)(?![\w$.]))
  | (?P<number>[0-9]+(?:\.[0-9]+)?(?![0-9.]))
  | (?P<symbol>[a-zA-Z$_][.a-zA-Z0-9$_]*)
  | (?P<quoted>'(?:\\.|[^'\\])*')
  | (?P<string>"(?:\\.|[^"\\])*")
    """,
    re.VERBOSE,
)


_REGEX_SYNTAX = frozenset("\\^$.|?*+()[]{}")


def _plain_text(pattern: str) -> bool:
    """Whether a regex is plain text that matches itself (not empty, no regex syntax)."""
    return bool(pattern) and not (_REGEX_SYNTAX & set(pattern))


def _js_upper(char: str) -> str:
    # RegExp's Canonicalize without the "u" flag: the upper case when it is one character,
    # and never an ASCII character for a non-ASCII one.
    upper = char.upper()
    if len(upper) != 1 or (ord(char) >= 128 and ord(upper) < 128):
        return char
    return upper


@functools.cache
def _js_case_classes() -> dict[str, str]:
    # Each character's fellows under _js_upper: the characters sharing its canonical form.
    groups: dict[str, list[str]] = {}
    for code in range(0x10000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        char = chr(code)
        groups.setdefault(_js_upper(char), []).append(char)
    return {c: "".join(g) for g in groups.values() if len(g) > 1 for c in g}


def _js_folded(text: str) -> str:
    """A case-sensitive regex matching ``text`` as RegExp(text, "i") does."""
    # Plain text has no regex syntax, so only the classes need building (of cased letters).
    classes = _js_case_classes()
    return "".join(f"[{classes[ch]}]" if ch in classes else ch for ch in text)


def _unquote(literal: str) -> str:
    # filtrex escapes only the quote and the backslash; any other backslash is kept, so a
    # regex such as "\d+" reaches the regex engine as written.
    body, out, i = literal[1:-1], [], 0
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body) and body[i + 1] in (literal[0], "\\"):
            out.append(body[i + 1])
            i += 2
        else:
            out.append(body[i])
            i += 1
    return "".join(out)


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text``; unrecognised characters raise `FilterSyntaxError`.

    Example:
        >>> [t.kind for t in tokenize('score >= 0.5 and not input_contains("x")')]
        ['symbol', '>=', 'number', 'and', 'not', 'symbol', '(', 'string', ')', 'end']
    """
    tokens: list[Token] = []
    at = 0
    while at < len(text):
        m = _TOKEN.match(text, at)
        if m is None:
            quote = text[at] in "\"'"
            raise FilterSyntaxError(
                text,
                at,
                "unclosed quote" if quote else f"unexpected character {text[at]!r}",
                [f"a closing {text[at]}"] if quote else ["a value or an operator"],
            )
        kind = m.lastgroup or ""
        value = m.group()
        if kind == "op":
            kind = value
        elif kind == "notin":
            kind = "not in"
        elif kind == "keyword":
            kind = value
        elif kind in ("string", "quoted"):
            value = _unquote(value)
        if kind != "space":
            tokens.append(Token(kind, value, at, m.end()))
        at = m.end()
    tokens.append(Token("end", "", len(text), len(text)))
    return tokens


# ------------------------------------------------------------------------------- parser
@dataclass(frozen=True)
class Node:
    """One node of the syntax tree; ``start``/``end`` are offsets into the text."""

    kind: str
    """``number``, ``string``, ``name``, ``list``, ``call``, ``unary``, ``binary``,
    ``chain``, ``if``."""
    start: int
    end: int
    value: Any = None
    """The literal, the name, the operator (``chain``: the operators in order)."""
    args: tuple[Node, ...] = ()
    quoted: bool = False


_RELATIONS = ("==", "!=", "~=", "<", "<=", ">", ">=")
_BINARY = {"or": 2, "and": 3, "in": 4, "not in": 4, "+": 6, "-": 6, "*": 7, "/": 7,
           "mod": 7, "%": 7, "^": 9}  # fmt: skip
_RELATION_LEVEL = 5
_PREFIX_LEVEL = 8
_VALUE_START = ["a value (number, \"text\", a name, '(', 'not', '-' or 'if')"]


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.at = 0

    @property
    def token(self) -> Token:
        return self.tokens[self.at]

    def take(self) -> Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def fail(self, expected: Sequence[str]) -> FilterSyntaxError:
        t = self.token
        got = "the end of the filter" if t.kind == "end" else repr(self.text[t.start : t.end])
        return FilterSyntaxError(
            self.text, t.start, f"expected {' or '.join(expected)}, got {got}", expected
        )

    def expect(self, kind: str) -> Token:
        if self.token.kind != kind:
            raise self.fail([repr(kind)])
        return self.take()

    def parse(self) -> Node:
        if self.token.kind == "end":
            raise self.fail(_VALUE_START)
        node = self.expr(0)
        if self.token.kind != "end":
            raise self.fail(["an operator ('and', 'or', '==', '+', ...)", "the end"])
        return node

    def expr(self, level: int) -> Node:
        left = self.prefix()
        while True:
            kind = self.token.kind
            if kind in _RELATIONS and level <= _RELATION_LEVEL:
                left = self.chain(left)
                continue
            op_level = _BINARY.get(kind)
            if op_level is None or op_level < level:
                return left
            self.take()
            # '^' is right-associative; the rest are left-associative.
            right = self.expr(op_level if kind == "^" else op_level + 1)
            op = "mod" if kind == "%" else kind
            left = Node("binary", left.start, right.end, op, (left, right))

    def chain(self, left: Node) -> Node:
        ops: list[str] = []
        operands = [left]
        while self.token.kind in _RELATIONS:
            ops.append(self.take().kind)
            operands.append(self.expr(_RELATION_LEVEL + 1))
        return Node("chain", left.start, operands[-1].end, tuple(ops), tuple(operands))

    def prefix(self) -> Node:
        t = self.token
        if t.kind in ("not", "-"):
            self.take()
            operand = self.expr(_PREFIX_LEVEL)
            return Node("unary", t.start, operand.end, t.kind, (operand,))
        if t.kind == "if":
            self.take()
            cond = self.expr(0)
            self.expect("then")
            then = self.expr(0)
            self.expect("else")
            other = self.expr(1)
            return Node("if", t.start, other.end, None, (cond, then, other))
        if t.kind == "number":
            self.take()
            return Node("number", t.start, t.end, float(t.text))
        if t.kind == "string":
            self.take()
            return Node("string", t.start, t.end, t.text)
        if t.kind in ("symbol", "quoted"):
            self.take()
            if t.kind == "symbol" and self.token.kind == "(":
                return self.call(t)
            if self.token.kind == "of":
                raise FilterSyntaxError(
                    self.text, self.token.start, "'of' is not supported here: write a.b", []
                )
            return Node("name", t.start, t.end, t.text, quoted=t.kind == "quoted")
        if t.kind == "(":
            self.take()
            items = [self.expr(0)]
            while self.token.kind == ",":
                self.take()
                items.append(self.expr(0))
            end = self.expect(")").end
            if len(items) == 1:
                return items[0]
            return Node("list", t.start, end, None, tuple(items))
        raise self.fail(_VALUE_START)

    def call(self, name: Token) -> Node:
        self.expect("(")
        args: list[Node] = []
        if self.token.kind != ")":
            args.append(self.expr(0))
            while self.token.kind == ",":
                self.take()
                args.append(self.expr(0))
        end = self.expect(")").end
        return Node("call", name.start, end, name.text, tuple(args))


def parse(text: str) -> Node:
    """The syntax tree of filter ``text``; raises `FilterSyntaxError` with the position.

    Example:
        >>> parse("1 < x <= 3").value
        ('<', '<=')
    """
    return _Parser(text).parse()


# ---------------------------------------------------------------------------- variables
SAMPLE_VARIABLES: dict[str, str] = {
    "epoch": "The epoch (run) number of the sample",
    "completed": "Whether the sample completed (true unless still running)",
    "has_error": "Whether the sample has an error",
    "has_limit": "Whether the sample stopped at a limit",
    "has_retries": "Whether the sample was retried",
    "id": "The sample's id",
    "uuid": "The sample run's globally unique id",
    "input": "The sample input as text",
    "target": "The sample target as text",
    "answer": "The sample's answer",
    "error": "The sample's error message (or None)",
    "limit": "The limit that stopped the sample (or None)",
    "retries": "Times the sample was retried (0 if none)",
    "tokens": "Total tokens across all models (or None)",
    "duration": "Total time of the sample, in seconds (or None)",
    "metadata": "Sample metadata: metadata.<key>",
}
"""Inspect's sample variables, always defined (a score of the same name is shadowed)."""

FUNCTIONS: dict[str, str] = {
    "input_contains": "Whether the input matches a regular expression (any case)",
    "target_contains": "Whether the target matches a regular expression (any case)",
    "answer_contains": "Whether the answer matches a regular expression (any case)",
    "error_contains": "Whether the error matches a regular expression (any case)",
    "is_nan": "Whether a number is NaN, e.g. is_nan(score)",
    "min": "Smallest of two or more values",
    "max": "Largest of two or more values",
    "abs": "Absolute value",
    "round": "Round to the nearest integer",
    "floor": "Round down",
    "ceil": "Round up",
    "sqrt": "Square root",
    "log": "Natural logarithm",
    "log2": "Base 2 logarithm",
    "log10": "Base 10 logarithm",
    "exists": "Whether a value is not None",
    "empty": 'Whether a value is None or ""',
}
KEYWORDS = ("and", "or", "not", "in", "not in", "mod", "if", "then", "else", "True", "False",
            "None")  # fmt: skip


@dataclass(frozen=True)
class Val:
    """A compiled value: its expression, static kind, and where evaluating it fails."""

    expr: pl.Expr
    kind: Kind
    ok: pl.Expr | None = None
    """False on rows where filtrex would raise (they are left out); None: never."""
    undefined: pl.Expr | None = None
    """True where the value is JavaScript's undefined rather than null (both are null in
    ``expr``); only ``==`` tells them apart."""
    score: ScoreDescriptor | None = None
    """The score a text value is, for its numeric value under `evallens.scores`."""
    items: tuple[Val, ...] = ()
    literal: Any = None
    """The constant, for literals (regex patterns are checked when compiled)."""


@dataclass(frozen=True)
class Variable:
    """A name the filter text can use, and how to read it from the frame."""

    name: str
    description: str
    read: Callable[[], Val] = field(compare=False, repr=False)
    kind: str = ""


def _all(*oks: pl.Expr | None) -> pl.Expr | None:
    present = [ok for ok in oks if ok is not None]
    if not present:
        return None
    out = present[0]
    for ok in present[1:]:
        out = out & ok
    return out


def _kind_of(dtype: pl.DataType) -> Kind | None:
    if dtype == pl.Boolean:
        return "bool"
    if dtype.is_numeric():
        return "number"
    if dtype == pl.String or isinstance(dtype, pl.Categorical | pl.Enum):
        return "text"
    if dtype == pl.Null:
        return "null"
    return None


class Scope:
    """The variables of one frame: Inspect's sample variables, metadata and scores.

    Example:
        >>> scope = Scope(pl.DataFrame({"id": [1], "score_judge": [3.0]}))
        >>> "judge" in scope.variables and "epoch" in scope.variables
        True
    """

    def __init__(
        self, frame: pl.DataFrame | pl.Schema, scores: Sequence[ScoreDescriptor] | None = None
    ) -> None:
        self._numeric_ids: bool | None = None
        self.frame: pl.DataFrame | None = None
        """The frame's values (None: only its schema is known); nested keys are typed from it."""
        if isinstance(frame, pl.DataFrame):
            self.frame = frame
            self.schema = frame.schema
            if scores is None:
                scores = describe_scores(frame)
        else:
            self.schema = frame
        self.scores = list(scores or [])
        self.has_error = self._has_error()
        self.variables: dict[str, Variable] = {}
        for name, description in SAMPLE_VARIABLES.items():
            if name != "metadata":
                self.variables[name] = Variable(name, description, self._builtin(name))
        self.metadata = sorted(
            c.removeprefix("metadata_") for c in self.schema if c.startswith("metadata_")
        )
        for key in self.metadata:
            name = f"metadata.{key}"
            self.variables[name] = Variable(name, "Sample metadata", self._metadata_reader(key))
        self._add_scores()

    # -- the frame's columns -------------------------------------------------------------
    def _col(self, name: str) -> tuple[pl.Expr, pl.DataType] | None:
        return (pl.col(name), self.schema[name]) if name in self.schema else None

    def _text_or_null(self, name: str) -> pl.Expr:
        """A text column with ``""`` read as missing (readers write ``""`` for no error)."""
        col = pl.col(name).cast(pl.String)
        return pl.when(col == "").then(None).otherwise(col)

    def _has_error(self) -> pl.Expr:
        return (
            self._text_or_null("error").is_not_null() if "error" in self.schema else pl.lit(False)
        )

    def _column_val(self, name: str, what: str) -> Val:
        dtype = self.schema[name]
        kind = _kind_of(dtype)
        if kind is None:
            raise ValueError(f"{what} holds {dtype} values, which the filter cannot compare")
        return Val(pl.col(name), kind)

    def _builtin(self, name: str) -> Callable[[], Val]:
        def text(column: str) -> Val:
            if column not in self.schema:
                return Val(pl.lit(None, pl.String), "text")
            return Val(
                self._text_or_null(column)
                if column in ("error", "limit")
                else pl.col(column).cast(pl.String),
                "text",
            )

        def number(column: str, default: float | None) -> Val:
            if column not in self.schema:
                return Val(pl.lit(default, pl.Float64), "number")
            expr = pl.col(column).cast(pl.Float64)
            return Val(expr if default is None else expr.fill_null(default), "number")

        readers: dict[str, Callable[[], Val]] = {
            "epoch": lambda: number("epoch", None),
            "completed": lambda: Val(
                pl.col("completed").fill_null(True) if "completed" in self.schema else pl.lit(True),
                "bool",
            ),
            "has_error": lambda: Val(self.has_error, "bool"),
            "has_limit": lambda: Val(
                self._text_or_null("limit").is_not_null()
                if "limit" in self.schema
                else pl.lit(False),
                "bool",
            ),
            "has_retries": lambda: Val(
                (pl.col("retries").fill_null(0) > 0) if "retries" in self.schema else pl.lit(False),
                "bool",
            ),
            "id": lambda: self._column_val("id", "id") if "id" in self.schema else text("id"),
            "uuid": lambda: text("uuid" if "uuid" in self.schema else "sample_id"),
            "input": lambda: text("input"),
            "target": lambda: text("target"),
            # The viewer reads the selected scorer's answer, "" when it has none.
            "answer": lambda: (
                Val(pl.col("answer").cast(pl.String).fill_null(""), "text")
                if self.scores and "answer" in self.schema
                else text("answer")
            ),
            "error": lambda: text("error"),
            "limit": lambda: text("limit"),
            "retries": lambda: number("retries", 0.0),
            "tokens": lambda: number("total_tokens", None),
            "duration": lambda: number("total_time", None),
        }
        return readers[name]

    def _metadata_reader(self, key: str) -> Callable[[], Val]:
        def read() -> Val:
            val = self._column_val(f"metadata_{key}", f"metadata.{key}")
            # A key a sample lacks is undefined in the viewer, not null.
            return replace(val, undefined=val.expr.is_null())

        return read

    def metadata_path(self, name: str) -> Val | None:
        """``metadata.a.b``: key ``a``'s column, then ``b`` inside its JSON text."""
        parts = name.split(".")[1:]
        for cut in range(len(parts), 0, -1):
            key = ".".join(parts[:cut])
            column = f"metadata_{key}"
            if column in self.schema and cut < len(parts):
                path = "$" + "".join(f"[{_json_key(p)}]" for p in parts[cut:])
                expr = pl.col(column).cast(pl.String).str.json_path_match(path)
                kind = self._nested_kind(column, parts[cut:])
                if kind == "number":
                    # a value that is not a number there (text, an object) is not one here
                    number = expr.cast(pl.Float64, strict=False)
                    return Val(number, "number", undefined=expr.is_null())
                if kind == "bool":
                    flag = pl.when(expr == "true").then(True).when(expr == "false").then(False)
                    return Val(flag, "bool", undefined=expr.is_null())
                return Val(expr, "text", undefined=expr.is_null())
        return None

    def numeric_text_ids(self) -> bool:
        """Whether ids are text from several logs and some read as whole numbers ("76105")."""
        if self.schema.get("id") != pl.String:
            return False
        if self.frame is None:
            return True  # only the schema is known: mixed ids cannot be ruled out
        if self._numeric_ids is None:
            # One log keeps its ids' own type (text ids are text in Inspect too); several may
            # have mixed numbers and text into text.
            logs = self.frame.get_column("log").n_unique() if "log" in self.schema else 1
            ids = self.frame.get_column("id")
            self._numeric_ids = logs > 1 and bool(ids.str.contains(r"^-?\d+$").any())
        return self._numeric_ids

    def _nested_kind(self, column: str, path: list[str]) -> str:
        """What a nested metadata key holds, read off the JSON: numbers, booleans or text.

        The key's values in the column's first rows that have it decide (JSON keeps a
        number's type, the text the path gives back does not): all numbers is a number
        (as the viewer compares them), all booleans a boolean, anything else text.
        """
        if self.frame is None:
            return "text"
        texts = self.frame.get_column(column).cast(pl.String).drop_nulls().head(_NESTED_PROBE)
        kinds = set()
        for text in texts:
            try:
                value: Any = json.loads(text)
            except ValueError:
                continue
            for key in path:
                value = value.get(key) if isinstance(value, dict) else None
            if value is None:
                continue
            kinds.add(
                "bool" if isinstance(value, bool)
                else "number" if isinstance(value, int | float)
                else "text"
            )  # fmt: skip
        return kinds.pop() if len(kinds) == 1 else "text"

    # -- scores --------------------------------------------------------------------------
    def _add_scores(self) -> None:
        used: set[str] = set()
        banned = set(SAMPLE_VARIABLES)
        for s in self.scores:
            banned.add(s.scorer)
            if s.name in used:
                banned.add(s.name)
            used.add(s.name)
        for s in self.scores:
            reader = self._score_reader(s)
            kind = f"score: {s.kind}"
            if s.categories:
                kind += " (" + ", ".join(f'"{c}"' for c in s.categories[:6]) + ")"
            names = []
            if s.name == s.scorer:
                if s.scorer not in SAMPLE_VARIABLES:
                    names.append(s.scorer)
            else:
                names.append(f"{s.scorer}.{s.name}")
                if s.name not in banned:
                    names.append(s.name)
            for name in names:
                self.variables.setdefault(
                    name, Variable(name, f"Score of {s.scorer}", reader, kind)
                )

    def _score_reader(self, s: ScoreDescriptor) -> Callable[[], Val]:
        def read() -> Val:
            val = self._column_val(s.column, f"score {s.name!r}")
            expr = val.expr
            # A sample with an error has no score variables, nor one scored by another
            # task's scorers: they are undefined there. (A frame cannot tell a score whose
            # value is None from one the sample lacks; both read as undefined.)
            undefined = self.has_error | expr.is_null()
            if val.kind == "bool" or s.kind == "boolean":
                # The viewer coerces boolean scores with Boolean(value): missing is false.
                expr = expr.cast(pl.Boolean, strict=False).fill_null(False)
                val = replace(val, kind="bool")
                undefined = self.has_error
            expr = pl.when(self.has_error).then(None).otherwise(expr)
            return replace(val, expr=expr, undefined=undefined, score=s)

        return read

    # -- lookup --------------------------------------------------------------------------
    def lookup(self, node: Node, text: str) -> Val:
        """The value a name node reads; unknown names raise listing the close ones."""
        name = str(node.value)
        if not node.quoted:
            if name == "True":
                return Val(pl.lit(True), "bool", literal=True)
            if name == "False":
                return Val(pl.lit(False), "bool", literal=False)
            if name == "None":
                return Val(pl.lit(None), "null", literal=None)
        variable = self.variables.get(name)
        if variable is not None:
            try:
                return variable.read()
            except ValueError as error:
                raise FilterTypeError(text, node.start, node.end - node.start, str(error)) from None
        if name.startswith("metadata."):
            val = self.metadata_path(name)
            if val is not None:
                return val
        hint = ""
        if name == "metadata":
            hint = "; metadata is a dict: use metadata.<key>"
        elif node.quoted:
            hint = f'; \'...\' names a variable, "..." is text: write "{name}"'
        elif name in ("true", "false", "null", "none"):
            hint = "; the constants are True, False and None"
        elif name in {s.scorer for s in self.scores}:
            keys = sorted(f"{s.scorer}.{s.name}" for s in self.scores if s.scorer == name)
            hint = f"; {name} is a dict of scores: use {', '.join(keys)}"
        raise FilterNameError("filter variable", name, sorted(self.variables), node.start, hint)


def _json_key(part: str) -> str:
    return "'" + part.replace("\\", "\\\\").replace("'", "\\'") + "'"


# ----------------------------------------------------------------------------- compiler
class _Compiler:
    def __init__(self, text: str, scope: Scope) -> None:
        self.text = text
        self.scope = scope

    def fail(self, node: Node, message: str) -> FilterTypeError:
        return FilterTypeError(self.text, node.start, node.end - node.start, message)

    # -- coercions (filtrex's num/str/bool: a missing value raises, so the row is out) ---
    def num(self, node: Node, val: Val) -> tuple[pl.Expr, pl.Expr | None]:
        if val.kind == "number":
            expr = val.expr.cast(pl.Float64)
        elif val.kind == "text" and val.score is not None:
            dtype = self.scope.schema[val.score.column]
            expr = (
                pl.when(self.scope.has_error)
                .then(None)
                .otherwise(descriptor_value_expr(val.score, dtype))
            )
        elif val.kind == "null":
            raise self.fail(node, "expected a number, got None")
        else:
            raise self.fail(node, f"expected a number, got {_kind_name(val)}")
        return expr, _all(val.ok, expr.is_not_null())

    def text_of(self, node: Node, val: Val) -> tuple[pl.Expr, pl.Expr | None]:
        if val.kind != "text":
            raise self.fail(node, f"expected text, got {_kind_name(val)}")
        return val.expr, _all(val.ok, val.expr.is_not_null())

    def truth(self, node: Node, val: Val) -> tuple[pl.Expr, pl.Expr | None]:
        if val.kind != "bool":
            raise self.fail(node, f"expected true or false, got {_kind_name(val)}")
        if val.literal is not None:
            return val.expr, val.ok
        return val.expr.fill_null(False), _all(val.ok, val.expr.is_not_null())

    def arithmetic(self, node: Node, val: Val) -> tuple[pl.Expr, pl.Expr | None]:
        """An operand of ``+ - * / mod ^``: text as ``Number()`` reads it, else `num`."""
        if val.kind == "text":
            return self.to_number(val), val.ok
        return self.num(node, val)

    def to_number(self, val: Val) -> pl.Expr:
        """JavaScript's ``Number(v)``: null is 0, undefined and bad text are NaN."""
        nan = pl.lit(math.nan)
        if val.kind == "number":
            expr = val.expr.cast(pl.Float64).fill_null(0.0)
        elif val.kind == "bool":
            expr = val.expr.cast(pl.Float64).fill_null(0.0)
        elif val.kind == "null":
            expr = pl.lit(0.0)
        elif val.kind == "text":
            # as JavaScript: a grade "C" is NaN here (only a comparison, where Inspect's
            # viewer fails, reads a text score by its value)
            stripped = val.expr.str.strip_chars()
            expr = (
                pl.when(val.expr.is_null() | (stripped == ""))
                .then(0.0)
                .otherwise(stripped.cast(pl.Float64, strict=False).fill_null(nan))
            )
        else:
            expr = nan
        if val.undefined is not None:
            expr = pl.when(val.undefined).then(nan).otherwise(expr)
        return expr

    # -- nodes ---------------------------------------------------------------------------
    def compile(self, node: Node) -> Val:
        method = getattr(self, f"c_{node.kind}")
        result: Val = method(node)
        return result

    def c_number(self, node: Node) -> Val:
        return Val(pl.lit(node.value, pl.Float64), "number", literal=node.value)

    def c_string(self, node: Node) -> Val:
        return Val(pl.lit(node.value, pl.String), "text", literal=node.value)

    def c_name(self, node: Node) -> Val:
        return self.scope.lookup(node, self.text)

    def c_list(self, node: Node) -> Val:
        items = tuple(self.compile(a) for a in node.args)
        return Val(pl.lit(None), "list", _all(*(i.ok for i in items)), items=items)

    def c_if(self, node: Node) -> Val:
        cond_node, then_node, else_node = node.args
        cond, cond_ok = self.truth(cond_node, self.compile(cond_node))
        a, b = self.compile(then_node), self.compile(else_node)
        if a.kind != b.kind and "null" not in (a.kind, b.kind):
            raise self.fail(node, f"if gives {_kind_name(a)} or {_kind_name(b)}: pick one")
        if "list" in (a.kind, b.kind):
            raise self.fail(node, "if cannot give a list")
        kind = b.kind if a.kind == "null" else a.kind
        ok = _all(cond_ok, pl.when(cond).then(_ok(a.ok)).otherwise(_ok(b.ok)))
        expr = pl.when(cond).then(a.expr).otherwise(b.expr)
        undefined = None
        if a.undefined is not None or b.undefined is not None:
            undefined = pl.when(cond).then(_no(a.undefined)).otherwise(_no(b.undefined))
        return Val(expr, kind, ok, undefined)

    def c_unary(self, node: Node) -> Val:
        (operand_node,) = node.args
        operand = self.compile(operand_node)
        if node.value == "not":
            expr, ok = self.truth(operand_node, operand)
            return Val(~expr, "bool", ok)
        expr, ok = self.num(operand_node, operand)
        return Val(-expr, "number", ok)

    def c_binary(self, node: Node) -> Val:
        op = node.value
        left_node, right_node = node.args
        left, right = self.compile(left_node), self.compile(right_node)
        if op in ("and", "or"):
            a, a_ok = self.truth(left_node, left)
            b, b_ok = self.truth(right_node, right)
            # The right side is evaluated only when the left does not decide.
            if op == "and":
                return Val(a & b, "bool", _all(a_ok, _or_ok(~a, b_ok)))
            return Val(a | b, "bool", _all(a_ok, _or_ok(a, b_ok)))
        if op in ("in", "not in"):
            return self.member(node, left, right, negate=op == "not in")
        if op == "+" and "text" in (left.kind, right.kind):
            # as JavaScript: text joins ("5" + 1 is "51"), a text score's too; text joined
            # with an undefined value stays undefined (JavaScript's "undefined5" is no number)
            a, a_ok = self.as_text(left_node, left)
            b, b_ok = self.as_text(right_node, right)
            gone = [u for u in (left.undefined, right.undefined) if u is not None]
            undefined = pl.any_horizontal(gone).fill_null(False) if gone else None
            return Val(pl.concat_str([a, b]), "text", _all(a_ok, b_ok), undefined)
        # Arithmetic reads text as JavaScript's Number() does (a grade "C" is NaN): only a
        # comparison, where Inspect's viewer fails, reads a text score by its value.
        a, a_ok = self.arithmetic(left_node, left)
        b, b_ok = self.arithmetic(right_node, right)
        ok = _all(a_ok, b_ok)
        if op == "-" and right.undefined is not None:
            # filtrex reads `a - b` with b undefined as `-a` (its minus doubles as negation).
            undefined = right.undefined.fill_null(False)
            return Val(
                pl.when(undefined).then(-a).otherwise(a - b),
                "number",
                _all(a_ok, _or_ok(undefined, b_ok)),
            )
        if op == "+":
            return Val(a + b, "number", ok)
        if op == "-":
            return Val(a - b, "number", ok)
        if op == "*":
            return Val(a * b, "number", ok)
        if op == "/":
            return Val(a / b, "number", ok)
        if op == "^":
            return Val(a.pow(b), "number", ok)
        # filtrex's mod, ((a % b) + b) % b, is the floored modulo (the sign of b).
        return Val(pl.when(b == 0).then(math.nan).otherwise(a - b * (a / b).floor()), "number", ok)

    def as_text(self, node: Node, val: Val) -> tuple[pl.Expr, pl.Expr | None]:
        if val.kind == "text":
            return self.text_of(node, val)
        expr, ok = self.num(node, val)
        whole = expr.round(0) == expr
        as_text = (
            pl.when(whole & (expr.abs() < 1e21))
            .then(expr.cast(pl.Int64, strict=False).cast(pl.String))
            .otherwise(expr.cast(pl.String))
        )
        return as_text, ok

    def check_text_id(self, node: Node, *sides: tuple[Node, Val]) -> None:
        """``id`` compared with a number where this frame's ids are text: an error, not 0 rows.

        Logs with numeric ids read together with logs with text ids give text ids, so
        ``id == 76105`` would find nothing where Inspect's viewer, reading one log, finds it.
        Only where several logs' ids are text and some read as numbers: one log's text ids,
        and ids such as "q7", compare as Inspect's do.
        """
        names = [v for n, v in sides if n.kind == "name" and n.value == "id" and v.kind == "text"]
        items = [i for _, v in sides for i in (v.items if v.kind == "list" else (v,))]
        if names and any(i.kind == "number" for i in items) and self.scope.numeric_text_ids():
            raise self.fail(
                node,
                "id is text in this frame (e.g. logs with numeric and text ids read together): "
                'compare it with text, e.g. id == "76105"',
            )

    def member(self, node: Node, left: Val, right: Val, negate: bool) -> Val:
        self.check_text_id(node, (node.args[0], left), (node.args[1], right))
        lefts = left.items if left.kind == "list" else (left,)
        rights = right.items if right.kind == "list" else (right,)
        if any(i.kind == "list" for i in (*lefts, *rights)):
            raise self.fail(node, "lists inside lists cannot be compared")
        oks = [left.ok, right.ok]
        if left.kind != "list":
            oks.append(left.expr.is_not_null())
        if right.kind != "list":
            oks.append(right.expr.is_not_null())
        found: pl.Expr = pl.lit(True)
        for a in lefts:
            # Array.includes: strict equality, except that NaN finds NaN.
            hit: pl.Expr = pl.lit(False)
            for b in rights:
                hit = hit | self.equal(a, b, nan_equal=True)
            found = found & hit
        return Val(~found if negate else found, "bool", _all(*oks))

    def equal(self, a: Val, b: Val, nan_equal: bool = False) -> pl.Expr:
        """``a === b``: same kind and value, or both null (or both undefined)."""
        if "list" in (a.kind, b.kind):
            return pl.lit(False)  # a list is never (strictly) equal to a value or a list
        both_missing = a.expr.is_null() & b.expr.is_null() & (_no(a.undefined) == _no(b.undefined))
        if a.kind != b.kind or "null" in (a.kind, b.kind):
            same: pl.Expr = pl.lit(False)
        elif a.kind == "number":
            x, y = a.expr.cast(pl.Float64), b.expr.cast(pl.Float64)
            same = x == y
            if not nan_equal:
                same = same & x.is_not_nan()
        else:
            same = a.expr == b.expr
        return pl.when(a.expr.is_null() | b.expr.is_null()).then(both_missing).otherwise(same)

    def relation(
        self, node: Node, op: str, left: Val, right: Val
    ) -> tuple[pl.Expr, pl.Expr | None]:
        a_node, b_node = node.args[0], node.args[1]
        if op in ("==", "!="):
            self.check_text_id(node, (a_node, left), (b_node, right))
        if op == "==":
            return self.equal(left, right), _all(left.ok, right.ok)
        if op == "!=":
            return ~self.equal(left, right), _all(left.ok, right.ok)
        if op == "~=":
            a, a_ok = self.text_of(a_node, left)
            b, b_ok = self.text_of(b_node, right)
            return self.regex(b_node, a, right, case_insensitive=False), _all(a_ok, b_ok)
        a, a_ok = self.num(a_node, left)
        b, b_ok = self.num(b_node, right)
        compare = {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]
        # JavaScript: any comparison with NaN is false (polars orders NaN last).
        return compare & a.is_not_nan() & b.is_not_nan(), _all(a_ok, b_ok)

    def c_chain(self, node: Node) -> Val:
        vals = [self.compile(a) for a in node.args]
        result: pl.Expr | None = None
        ok: pl.Expr | None = None
        for i, op in enumerate(node.value):
            pair = Node(
                "chain", node.args[i].start, node.args[i + 1].end, args=node.args[i : i + 2]
            )
            step, step_ok = self.relation(pair, op, vals[i], vals[i + 1])
            if result is None:
                result, ok = step, step_ok
            else:
                # a < b < c is (a < b) && (b < c): c is not looked at when a < b is false.
                ok = _all(ok, _or_ok(~result, step_ok))
                result = result & step
        assert result is not None
        return Val(result.fill_null(False), "bool", ok)

    def regex(self, node: Node, subject: pl.Expr, pattern: Val, case_insensitive: bool) -> pl.Expr:
        flag = "(?i)" if case_insensitive else ""
        if pattern.literal is None:
            if pattern.kind != "text":
                raise self.fail(node, f"expected a regular expression, got {_kind_name(pattern)}")
            return subject.str.contains(pl.lit(flag) + pattern.expr)
        text = str(pattern.literal)
        if case_insensitive and _plain_text(text):
            # Plain text (no regex syntax) is a substring search, folded as Inspect's
            # RegExp(text, "i") folds: without the "u" flag a character matches one whose
            # upper case is the same, and a non-ASCII character never matches an ASCII one
            # (the long s is not "s"). For ASCII text that is exactly ASCII case-insensitive
            # matching, several times faster than a regex.
            if text.isascii():
                return subject.str.contains_any([text], ascii_case_insensitive=True)
            return subject.str.contains(_js_folded(text))
        regex = flag + text
        try:
            pl.Series([""]).str.contains(regex)
        except pl.exceptions.ComputeError as error:
            # the regex crate's own reason ("unclosed group"), not polars' expression
            lines = str(error).strip().splitlines()
            reason = next(
                (ln.strip()[len("error: ") :] for ln in lines if ln.strip().startswith("error: ")),
                lines[-1] if lines else str(error),
            )
            raise self.fail(node, f"invalid regular expression: {reason}") from None
        return subject.str.contains(regex)

    def c_call(self, node: Node) -> Val:
        name = str(node.value)
        if name not in FUNCTIONS:
            raise FilterNameError("filter function", name, sorted(FUNCTIONS), node.start)
        args = [self.compile(a) for a in node.args]
        ok = _all(*(a.ok for a in args))
        if name.endswith("_contains"):
            if len(args) != 1:
                raise self.fail(node, f'{name} takes one regular expression, e.g. {name}("error")')
            pattern = args[0]
            if pattern.kind == "number" and pattern.literal is not None:
                pattern = replace(pattern, kind="text", literal=_js_number_text(pattern.literal))
            field_name = name.removesuffix("_contains")
            subject = self.scope.lookup(
                Node("name", node.start, node.end, field_name), self.text
            ).expr
            return Val(
                self.regex(node.args[0], subject, pattern, True).fill_null(False), "bool", ok
            )
        if name == "is_nan":
            self.arity(node, args, 1)
            (a,) = args
            if a.kind != "number":
                return Val(pl.lit(False), "bool", ok)
            return Val(a.expr.cast(pl.Float64).is_nan().fill_null(False), "bool", ok)
        if name in ("exists", "empty"):
            self.arity(node, args, 1)
            (a,) = args
            missing = a.expr.is_null() if a.kind != "list" else pl.lit(False)
            if name == "exists":
                return Val(~missing, "bool", ok)
            if a.kind == "text":
                missing = missing | (a.expr == "")
            return Val(missing.fill_null(True), "bool", ok)
        if any(a.kind == "list" for a in args):
            raise self.fail(node, f"{name} takes numbers, not a list")
        numbers = [self.to_number(a) for a in args]
        if name in ("min", "max"):
            if not numbers:
                raise self.fail(node, f"{name} takes one or more values")
            any_nan = pl.any_horizontal([n.is_nan() for n in numbers])
            pick = pl.min_horizontal(numbers) if name == "min" else pl.max_horizontal(numbers)
            return Val(pl.when(any_nan).then(math.nan).otherwise(pick), "number", ok)
        self.arity(node, args, 1)
        (x,) = numbers
        unary: dict[str, pl.Expr] = {
            "abs": x.abs(),
            "floor": x.floor(),
            "ceil": x.ceil(),
            "round": (x + 0.5).floor(),
            "sqrt": pl.when(x < 0).then(math.nan).otherwise(x.sqrt()),
            "log": pl.when(x < 0).then(math.nan).otherwise(x.log()),
            "log2": pl.when(x < 0).then(math.nan).otherwise(x.log(2)),
            "log10": pl.when(x < 0).then(math.nan).otherwise(x.log10()),
        }
        return Val(unary[name], "number", ok)

    def arity(self, node: Node, args: Sequence[Val], n: int) -> None:
        if len(args) != n:
            raise self.fail(
                node, f"{node.value} takes {n} value{'s' if n > 1 else ''}, got {len(args)}"
            )


def _js_number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def _ok(ok: pl.Expr | None) -> pl.Expr:
    return pl.lit(True) if ok is None else ok


def _no(flag: pl.Expr | None) -> pl.Expr:
    return pl.lit(False) if flag is None else flag.fill_null(False)


def _or_ok(decides: pl.Expr, ok: pl.Expr | None) -> pl.Expr | None:
    return None if ok is None else decides | ok


def _kind_name(val: Val) -> str:
    what = {"number": "a number", "text": "text", "bool": "true/false", "null": "None",
            "list": "a list"}[val.kind]  # fmt: skip
    if val.score is not None and val.kind == "text":
        return f"text (score {val.score.name!r})"
    return what


def compile_filter(
    text: str,
    frame: pl.DataFrame | pl.Schema | Scope,
    scores: Sequence[ScoreDescriptor] | None = None,
) -> pl.Expr:
    """One boolean polars expression (no nulls) selecting the samples ``text`` keeps.

    Args:
        text: A filter as typed in ``inspect view``, e.g. ``'has_error or score < 0.5'``.
        frame: The samples frame (or its schema, or a `Scope` built once for it).
        scores: The frame's score descriptors (default: described from ``frame``).

    Raises:
        FilterSyntaxError: The text does not parse (``position``, ``expected``).
        FilterNameError: An unknown variable or function (``position``, ``near``).
        FilterTypeError: Values of the wrong kind, e.g. ``epoch > "a"``.

    Example:
        >>> df = pl.DataFrame({"id": [1, 2, 3], "epoch": [1, 2, 3]})
        >>> df.filter(compile_filter("epoch in (1, 3) and not (id == 3)", df))["id"].to_list()
        [1]
    """
    scope = frame if isinstance(frame, Scope) else Scope(frame, scores)
    tree = parse(text)
    compiler = _Compiler(text, scope)
    val = compiler.compile(tree)
    if val.kind != "bool":
        raise compiler.fail(tree, f"a filter must be true or false, this gives {_kind_name(val)}")
    expr, ok = compiler.truth(tree, val)
    keep = expr if ok is None else (ok & expr)
    return keep.fill_null(False).alias("filter")


_SYMBOL = re.compile(r"[a-zA-Z$_][.a-zA-Z0-9$_]*")


def written(name: str) -> str:
    """How filter text writes a variable: bare, or in single quotes when it must be.

    Example:
        >>> written("scorer.Problem Correctness")
        "'scorer.Problem Correctness'"
    """
    if _SYMBOL.fullmatch(name) and name not in _KEYWORDS:
        return name
    return "'" + name.replace("\\", "\\\\").replace("'", "\\'") + "'"


def completions(scope: Scope) -> list[dict[str, str]]:
    """What the filter box offers as the user types: variables, functions, keywords."""
    out = [
        {"name": written(v.name), "kind": v.kind or "variable", "detail": v.description}
        for v in scope.variables.values()
    ]
    out += [{"name": f, "kind": "function", "detail": d} for f, d in FUNCTIONS.items()]
    out += [{"name": k, "kind": "keyword", "detail": ""} for k in KEYWORDS]
    return out


__all__ = [
    "FilterNameError",
    "FilterSyntaxError",
    "FilterTypeError",
    "Scope",
    "compile_filter",
    "completions",
    "parse",
    "tokenize",
    "written",
]
