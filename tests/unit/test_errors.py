from __future__ import annotations

import inspect
import re

from plansync import errors


def _drawn_tree() -> dict[str, str]:
    """Parse the tree drawn in the errors module docstring: child → parent."""
    parents: dict[str, str] = {}
    stack: list[tuple[int, str]] = []
    for line in (errors.__doc__ or "").splitlines():
        match = re.match(r"^(\s*)(?:[│ ]*[├└]── )?([A-Z]\w+Error)\b", line)
        if not match:
            continue
        depth = len(line) - len(line.lstrip(" │├└─"))
        name = match.group(2)
        while stack and stack[-1][0] >= depth:
            stack.pop()
        if stack:
            parents[name] = stack[-1][1]
        stack.append((depth, name))
    return parents


class TestErrorTree:
    def test_docstring_drawing_matches_the_classes(self):
        """Every drawn edge is a real subclass edge, and every public error is drawn."""
        drawn = _drawn_tree()
        real = {
            name: cls.__mro__[1].__name__
            for name, cls in inspect.getmembers(errors, inspect.isclass)
            if issubclass(cls, errors.PlansyncError) and cls is not errors.PlansyncError
        }
        assert real == drawn

    def test_playbook_error_renders_like_a_compiler(self):
        """A playbook error names file, line, column and field in its message."""
        issue = errors.PlaybookIssue(
            "p.yaml",
            14,
            9,
            "segments[0].activities[0].per_year",
            "expected a positive integer, got -1",
        )
        error = errors.PlaybookError([issue])
        assert (
            "p.yaml:14:9: segments[0].activities[0].per_year: expected a positive "
            "integer, got -1"
        ) == str(error)
        assert (2, "p.yaml", 14) == (error.exit_code, error.path, error.line)

    def test_crm_error_carries_context_without_secrets(self):
        """A CRM error says which CRM, operation, object and record failed."""
        error = errors.CRMTransientError(
            "busy",
            crm="salesforce",
            operation="upsert",
            object_name="Task",
            record_id="00T1",
            status=503,
            code="SERVER_UNAVAILABLE",
            retry_after_s=2.0,
        )
        assert "salesforce upsert Task 00T1: busy [503 SERVER_UNAVAILABLE]" == str(
            error
        )
        assert (2.0, 3) == (error.retry_after_s, error.exit_code)
