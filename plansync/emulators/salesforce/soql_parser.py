"""Parse SOQL tokens into a ``Query`` by recursive descent.

Grammar (the subset of docs/salesforce.md §3.4)::

    query   := SELECT item (, item)* FROM name [WHERE cond] [GROUP BY path (, path)*]
               [ORDER BY key (, key)*] [LIMIT n] [OFFSET n]
    item    := path | AGG '(' [path] ')' [alias]
    cond    := unary ((AND unary)* | (OR unary)*)       -- mixing needs parentheses
    unary   := NOT unary | '(' cond ')' | path op value
             | path [NOT] IN '(' values | query ')'
               | path LIKE string | path INCLUDES|EXCLUDES '(' values ')'
    key     := path [ASC|DESC] [NULLS FIRST|LAST]
"""

from __future__ import annotations

from plansync.emulators.salesforce.errors import ApiError
from plansync.emulators.salesforce.soql_ast import (
    Aggregate,
    Comparison,
    Condition,
    FieldPath,
    Literal,
    Logical,
    Not,
    OrderItem,
    Query,
)
from plansync.emulators.salesforce.soql_dates import DATE_LITERALS, N_DATE_LITERALS
from plansync.emulators.salesforce.soql_lexer import Token, error_at, tokenize

AGGREGATES = frozenset({"COUNT", "COUNT_DISTINCT", "SUM", "AVG", "MIN", "MAX"})
_CLAUSE_WORDS = frozenset(
    {
        "FROM",
        "WHERE",
        "GROUP",
        "ORDER",
        "LIMIT",
        "OFFSET",
        "AND",
        "OR",
        "NOT",
        "FOR",
        "HAVING",
        "WITH",
        "ASC",
        "DESC",
        "NULLS",
        "IN",
        "LIKE",
        "SELECT",
    }
)


def parse(soql: str) -> Query:
    """Parse a SOQL statement.

    Raises:
        ApiError: 400 MALFORMED_QUERY with Salesforce's positional message.
    """
    parser = _Parser(soql, tokenize(soql))
    query = parser.query()
    parser.expect_end()
    return query


class _Parser:
    def __init__(self, soql: str, tokens: list[Token]) -> None:
        self.soql = soql
        self.tokens = tokens
        self.index = 0

    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index = min(self.index + 1, len(self.tokens) - 1)
        return token

    def unexpected(self, token: Token | None = None) -> ApiError:
        token = token or self.token
        text = token.text or "<EOF>"
        return error_at(self.soql, token.pos, f"unexpected token: '{text}'")

    def word(self, *words: str) -> Token:
        if not self.token.is_word(*words):
            raise self.unexpected()
        return self.advance()

    def punct(self, char: str) -> Token:
        if self.token.kind != "punct" or self.token.text != char:
            raise self.unexpected()
        return self.advance()

    def at_punct(self, char: str) -> bool:
        return self.token.kind == "punct" and self.token.text == char

    def expect_end(self) -> None:
        if self.token.kind != "eof":
            raise self.unexpected()

    def query(self) -> Query:
        self.word("SELECT")
        select = [self.select_item()]
        while self.at_punct(","):
            self.advance()
            select.append(self.select_item())
        self.word("FROM")
        sobject = self.advance()
        if sobject.kind != "ident" or "." in sobject.text:
            raise self.unexpected(sobject)
        where = group_by = order_by = None
        limit = offset = None
        offset_pos = 0
        if self.token.is_word("WHERE"):
            self.advance()
            where = self.condition()
        if self.token.is_word("GROUP"):
            self.advance()
            self.word("BY")
            group_by = [self.path()]
            while self.at_punct(","):
                self.advance()
                group_by.append(self.path())
        if self.token.is_word("ORDER"):
            self.advance()
            self.word("BY")
            order_by = [self.order_item()]
            while self.at_punct(","):
                self.advance()
                order_by.append(self.order_item())
        if self.token.is_word("LIMIT"):
            self.advance()
            limit = self.integer()
        if self.token.is_word("OFFSET"):
            offset_pos = self.advance().pos
            offset = self.integer()
        if self.token.is_word("FOR"):
            self.advance()
            self.word("VIEW", "REFERENCE", "UPDATE")
        return Query(
            self.soql,
            tuple(select),
            sobject.text,
            sobject.pos,
            where,
            tuple(group_by or ()),
            tuple(order_by or ()),
            limit,
            offset,
            offset_pos,
        )

    def select_item(self) -> FieldPath | Aggregate:
        token = self.token
        if (
            token.kind == "ident"
            and token.text.upper() in AGGREGATES
            and self._next_is("(")
        ):
            self.advance()
            self.punct("(")
            field = None if self.at_punct(")") else self.path()
            self.punct(")")
            if field is None and token.text.upper() != "COUNT":
                raise self.unexpected()
            alias = None
            if (
                self.token.kind == "ident"
                and self.token.text.upper() not in _CLAUSE_WORDS
            ):
                alias = self.advance().text
            return Aggregate(token.text.upper(), field, alias, token.pos)
        if self.at_punct("("):
            raise error_at(
                self.soql, token.pos, "parent-to-child subqueries are not supported"
            )
        return self.path()

    def path(self) -> FieldPath:
        token = self.token
        if token.kind != "ident" or token.text.upper() in _CLAUSE_WORDS:
            raise self.unexpected()
        self.advance()
        return FieldPath(tuple(token.text.split(".")), token.pos)

    def integer(self) -> int:
        token = self.advance()
        if (
            token.kind != "number"
            or not isinstance(token.value, int)
            or token.value < 0
        ):
            raise self.unexpected(token)
        return token.value

    def order_item(self) -> OrderItem:
        field = self.path()
        descending = False
        if self.token.is_word("ASC", "DESC"):
            descending = self.advance().text.upper() == "DESC"
        nulls_last = descending
        if self.token.is_word("NULLS"):
            self.advance()
            nulls_last = self.word("FIRST", "LAST").text.upper() == "LAST"
        return OrderItem(field, descending, nulls_last)

    def condition(self) -> Condition:
        first = self.unary()
        if not self.token.is_word("AND", "OR"):
            return first
        op = self.token.text.upper()
        items = [first]
        while self.token.is_word("AND", "OR"):
            if self.token.text.upper() != op:
                raise self.unexpected()
            self.advance()
            items.append(self.unary())
        return Logical(op, tuple(items))

    def unary(self) -> Condition:
        if self.token.is_word("NOT"):
            self.advance()
            return Not(self.unary())
        if self.at_punct("("):
            self.advance()
            inner = self.condition()
            self.punct(")")
            return inner
        field = self.path()
        return self.comparison(field)

    def comparison(self, field: FieldPath) -> Comparison:
        token = self.token
        if token.kind == "op":
            self.advance()
            return Comparison(
                field, "!=" if token.text == "<>" else token.text, self.value()
            )
        negate = False
        if token.is_word("NOT"):
            self.advance()
            negate = True
            if not self.token.is_word("IN"):
                raise self.unexpected()
        if self.token.is_word("IN", "INCLUDES", "EXCLUDES"):
            op = self.advance().text.upper()
            op = "NOT IN" if negate else op
            self.punct("(")
            if self.token.is_word("SELECT"):
                value: tuple[Literal, ...] | Query = self.query()
            else:
                items = [self.value()]
                while self.at_punct(","):
                    self.advance()
                    items.append(self.value())
                value = tuple(items)
            self.punct(")")
            return Comparison(field, op, value)
        if token.is_word("LIKE"):
            self.advance()
            pattern = self.value()
            if pattern.kind != "string":
                raise self.unexpected()
            return Comparison(field, "LIKE", pattern)
        raise self.unexpected()

    def value(self) -> Literal:
        token = self.advance()
        kind = token.kind
        if kind in ("string", "number", "date", "datetime"):
            return Literal(kind, token.value, token.pos, token.like, token.like_only)
        if kind == "ident":
            upper = token.text.upper()
            if upper in ("TRUE", "FALSE"):
                return Literal("boolean", upper == "TRUE", token.pos)
            if upper == "NULL":
                return Literal("null", None, token.pos)
            if upper in DATE_LITERALS:
                return Literal("dateliteral", (upper, None), token.pos)
            if upper in N_DATE_LITERALS:
                self.punct(":")
                amount = self.integer()
                return Literal("dateliteral", (upper, amount), token.pos)
        raise self.unexpected(token)

    def _next_is(self, char: str) -> bool:
        following = self.tokens[min(self.index + 1, len(self.tokens) - 1)]
        return following.kind == "punct" and following.text == char
