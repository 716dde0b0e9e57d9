"""Convert Bulk API 2.0 CSV to and from the record dicts the REST API uses; pure.

Query results arrive as CSV text with every value a string; they are turned into
the JSON shapes the REST query returns (numbers, booleans, ``None`` for empty,
parent fields nested) using the declared field types, so one set of mappers reads
both. Ingest rows are rendered as strings; on update an empty cell leaves a field
alone, so ``#N/A`` is written to clear one (docs/salesforce.md §6.3,
https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/datafiles_prepare_csv.htm).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from plansync.connectors.salesforce.schema import SCHEMA, FieldType

NULL = "#N/A"
MAX_UPLOAD_BYTES = 100_000_000
"""Raw CSV bytes per ingest job: the upload limit is 150 MB base64-encoded, about
100 MB of data (docs/salesforce.md §6.1,
https://developer.salesforce.com/docs/atlas.en-us.salesforce_app_limits_cheatsheet.meta/salesforce_app_limits_cheatsheet/salesforce_app_limits_platform_bulkapi.htm)."""
_ABSENT = object()
_NUMBERS = frozenset(
    {FieldType.DOUBLE, FieldType.CURRENCY, FieldType.PERCENT, FieldType.INT}
)


@dataclass(frozen=True, slots=True)
class CsvPart:
    """One ingest job's worth of CSV: the encoded document and its record count."""

    data: bytes
    rows: int


@dataclass(frozen=True, slots=True)
class IngestRow:
    """One row's outcome in an ingest job's result files."""

    values: Mapping[str, str]
    record_id: str | None
    ok: bool
    created: bool = False
    error_code: str | None = None
    error: str | None = None


def parse_query_csv(object_name: str, text: str) -> list[dict[str, Any]]:
    """Return the rows of one query result page as REST-shaped dicts.

    Each column's converter is chosen once from the header (this runs for every
    cell of reads of a hundred thousand rows).
    """
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        return []
    schema = SCHEMA.get(object_name)
    plain: list[tuple[int, str, Callable[[str], object]]] = []
    parents: dict[str, list[tuple[int, str]]] = {}
    for index, column in enumerate(header):
        parent, dot, name = column.partition(".")
        if dot:
            parents.setdefault(parent, []).append((index, name))
            continue
        spec = schema.fields.get(column) if schema else None
        plain.append((index, column, _converter(spec.type if spec else None)))
    rows = []
    for values in reader:
        row: dict[str, Any] = {name: convert(values[i]) for i, name, convert in plain}
        for parent, fields in parents.items():
            # A parent whose every field is empty is a null lookup, as in REST.
            nested = {name: values[i] or None for i, name in fields}
            has_value = any(v is not None for v in nested.values())
            row[parent] = nested if has_value else None
        rows.append(row)
    return rows


def render_value(value: object, *, clear: bool) -> str:
    """Render one field value as a CSV cell; ``None`` is ``#N/A`` when ``clear``."""
    if type(value) is str and value:  # the common case first: this runs per cell
        return value
    if value is None or value == "":
        return NULL if clear else ""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def render_csv(records: Sequence[Mapping[str, object]], *, clear: bool) -> str:
    """Render records as one CSV document sharing one set of columns.

    A field a record does not name stays an empty cell, which leaves it alone.
    """
    columns = list(dict.fromkeys(name for record in records for name in record))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(
        [
            ""
            if (value := record.get(name, _ABSENT)) is _ABSENT
            # The walrus keeps this one dict lookup per cell.
            else render_value(value, clear=clear)
            for name in columns
        ]
        for record in records
    )
    return out.getvalue()


def render_parts(
    records: Sequence[Mapping[str, object]],
    *,
    clear: bool,
    max_bytes: int = MAX_UPLOAD_BYTES,
) -> list[CsvPart]:
    """Render records as CSV documents of at most ``max_bytes`` each, one per job.

    Nearly always everything fits one document, rendered once; a larger set is
    halved until each half fits, and each part names the columns its rows use.
    """
    data = render_csv(records, clear=clear).encode("utf-8")
    if len(data) <= max_bytes or len(records) <= 1:
        return [CsvPart(data, len(records))]
    half = len(records) // 2
    return [
        *render_parts(records[:half], clear=clear, max_bytes=max_bytes),
        *render_parts(records[half:], clear=clear, max_bytes=max_bytes),
    ]


def parse_ingest_results(
    successful: str, failed: str, unprocessed: str, *, column: str
) -> list[IngestRow]:
    """Read the three result files of an ingest job into one list of outcomes.

    Only ``column`` (what identifies a row: its key or Id) is kept of the
    original values. ``sf__Error`` reads ``CODE:message:fields --``
    (docs/salesforce.md §6.3).
    """
    out: list[IngestRow] = []
    for row in _rows(successful, ("sf__Id", "sf__Created", column)):
        record_id, created, value = row
        out.append(
            IngestRow(
                {column: value}, record_id or None, True, created.lower() == "true"
            )
        )
    for row in _rows(failed, ("sf__Id", "sf__Error", column)):
        record_id, message, value = row
        code, _, rest = message.partition(":")
        text = rest.rsplit(":", 1)[0] if rest else message
        out.append(
            IngestRow(
                {column: value},
                record_id or None,
                False,
                False,
                code or "UNKNOWN",
                text,
            )
        )
    out.extend(
        IngestRow({column: value}, None, False, False, "UNPROCESSED", "not processed")
        for (value,) in _rows(unprocessed, (column,))
    )
    return out


def _rows(text: str, wanted: Sequence[str]) -> Iterator[tuple[str, ...]]:
    """Yield the ``wanted`` columns of each row ("" where a column is missing)."""
    if not text.strip():
        return
    reader = csv.reader(io.StringIO(text))
    header = next(reader)
    where = [header.index(name) if name in header else -1 for name in wanted]
    for values in reader:
        yield tuple(values[i] if i >= 0 else "" for i in where)


def _converter(kind: FieldType | None) -> Callable[[str], object]:
    if kind is FieldType.BOOLEAN:
        return _boolean
    if kind in _NUMBERS:
        return _number
    return _text


def _boolean(text: str) -> bool:
    return text.lower() == "true"


def _number(text: str) -> float | None:
    return float(text) if text else None


def _text(text: str) -> str | None:
    return text or None
