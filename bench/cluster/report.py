"""The table of checks: one row per claim, PASS/FAIL (or INFO) with the numbers that decided it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Check:
    name: str
    verdict: str  # PASS, FAIL or INFO
    numbers: str


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)

    def add(self, name: str, ok: bool | None, numbers: str) -> None:
        """`ok` None is a row that informs without judging."""
        verdict = "INFO" if ok is None else "PASS" if ok else "FAIL"
        self.checks.append(Check(name, verdict, numbers))
        print(f"  [{verdict}] {name}: {numbers}", flush=True)

    def failed(self) -> list[Check]:
        return [check for check in self.checks if check.verdict == "FAIL"]

    def render(self) -> str:
        widths = [max(len(row[i]) for row in self._rows()) for i in range(3)]
        lines = []
        for index, row in enumerate(self._rows()):
            lines.append("| " + " | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) + " |")
            if index == 0:
                lines.append("|" + "|".join("-" * (width + 2) for width in widths) + "|")
        return "\n".join(lines)

    def _rows(self) -> list[tuple[str, str, str]]:
        return [("check", "verdict", "numbers"), *((c.name, c.verdict, c.numbers) for c in self.checks)]
