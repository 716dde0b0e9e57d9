"""Read and write Bulk API 2.0 CSV: the job's delimiter and line ending, quoted values.

Result files quote every value and leave null cells empty (Bulk query nulls come back
as empty cells: https://github.com/forcedotcom/SFDX-Data-Move-Utility/releases/tag/5.7.1).
https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/datafiles_prepare_csv.htm
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

DELIMITERS = {
    "COMMA": ",",
    "TAB": "\t",
    "PIPE": "|",
    "SEMICOLON": ";",
    "CARET": "^",
    "BACKQUOTE": "`",
}
LINE_ENDINGS = {"LF": "\n", "CRLF": "\r\n"}


def read_csv(text: str, delimiter: str = "COMMA") -> tuple[list[str], list[list[str]]]:
    """Split uploaded CSV into its header and rows (empty lines skipped).

    Raises:
        ValueError: the text has no header row.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=DELIMITERS[delimiter])
    rows = [row for row in reader if row]
    if not rows:
        raise ValueError("no header row")
    return rows[0], rows[1:]


def write_csv(
    header: Sequence[str],
    rows: Iterable[Sequence[str | None]],
    *,
    delimiter: str = "COMMA",
    line_ending: str = "LF",
) -> str:
    """Render rows with every value quoted and None as an empty cell."""
    sep = DELIMITERS[delimiter]
    end = LINE_ENDINGS[line_ending]
    lines = [sep.join(_quote(name) for name in header)]
    lines.extend(sep.join("" if v is None else _quote(v) for v in row) for row in rows)
    return end.join(lines) + end


def _quote(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'
