"""Contract coverage: which documented operations and status codes a run exercised."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["contract_coverage", "format_coverage", "merge_coverage", "write_coverage"]

Report = dict[str, Any]


def contract_coverage() -> Report:
    """What this process's validating clients exercised, per schema.

    Usable from any runner: call it at the end of a unittest run (for example in
    `tearDownModule`, or in a test runner's `teardown_test_environment`) and print
    [format_coverage][restflow_test.contract.format_coverage] of it.

    Returns:
        `{"schemas": [{"schema": label, "operations": [{"method", "path",
        "statuses": {code: exercised}}]}]}`, JSON-ready.
    """
    from .loading import loaded_contracts

    schemas = []
    for contract in loaded_contracts():
        operations = [
            {"method": method, "path": path,
             "statuses": {code: (method, path, code) in contract.exercised
                          for code in codes}}
            for (method, path), codes in sorted(contract.operations.items(),
                                                key=lambda item: (item[0][1], item[0][0]))
        ]
        schemas.append({"schema": contract.label, "project_wide": contract.project_wide,
                        "operations": operations})
    return {"schemas": schemas}


def merge_coverage(reports: list[Report]) -> Report:
    """One report from several (the xdist workers'): a status counts once exercised."""
    merged: dict[str, dict[tuple[str, str], dict[str, bool]]] = {}
    project_wide: set[str] = set()
    for report in reports:
        for schema in report["schemas"]:
            if schema["project_wide"]:
                project_wide.add(schema["schema"])
            operations = merged.setdefault(schema["schema"], {})
            for op in schema["operations"]:
                statuses = operations.setdefault((op["method"], op["path"]), {})
                for code, hit in op["statuses"].items():
                    statuses[code] = statuses.get(code, False) or hit
    return {"schemas": [
        {"schema": label, "project_wide": label in project_wide, "operations": [
            {"method": method, "path": path, "statuses": statuses}
            for (method, path), statuses in operations.items()]}
        for label, operations in merged.items()]}


def _totals(schema: dict[str, Any]) -> dict[str, int]:
    ops = schema["operations"]
    statuses = [hit for op in ops for hit in op["statuses"].values()]
    return {"operations": len(ops),
            "operations_exercised": sum(any(op["statuses"].values()) for op in ops),
            "statuses": len(statuses), "statuses_exercised": sum(statuses)}


def format_coverage(report: Report, *, details: bool = True) -> str:
    """The coverage report as text: totals per schema, then what was never exercised.

    Args:
        report: What [contract_coverage][restflow_test.contract.contract_coverage]
            returned.
        details: List the operations and status codes never exercised for every
            schema; when false, only for the project-wide schema.
    """
    lines = []
    for schema in report["schemas"]:
        t = _totals(schema)
        lines.append(
            f"{schema['schema']}: {t['operations_exercised']}/{t['operations']} operations "
            f"and {t['statuses_exercised']}/{t['statuses']} documented responses exercised")
        if not (details or schema["project_wide"]):
            continue
        for op in schema["operations"]:
            missed = [code for code, hit in op["statuses"].items() if not hit]
            if not missed:
                continue
            what = ("never called" if len(missed) == len(op["statuses"])
                    else "never answered " + ", ".join(missed))
            lines.append(f"  {op['method']:7} {op['path']}  {what}")
    return "\n".join(lines)


def write_coverage(report: Report, path: str | Path) -> None:
    """Write the report as JSON (with totals per schema), for CI."""
    data = {"schemas": [{**schema, "totals": _totals(schema)} for schema in report["schemas"]]}
    Path(path).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
