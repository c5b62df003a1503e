"""Errors of the reports."""

from colony.core.errors import RuleViolation


class InvalidReportRange(RuleViolation):
    code = "INVALID_REPORT_RANGE"
    message = "The report's date range is invalid"
