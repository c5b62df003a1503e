"""Errors of the CSV import and export."""

from colony.core.errors import Conflict, RuleViolation


class ImportFileInvalid(RuleViolation):
    """The file as a whole can't be read: not UTF-8 text, no header, a required column missing."""

    code = "IMPORT_FILE_INVALID"
    message = "The file is not a CSV file Colony can import"


class ImportConflict(Conflict):
    """Another import of the same rows committed while this one ran (the unique fingerprint held)."""

    code = "IMPORT_CONFLICT"
    message = "The same rows were imported concurrently; retry to get the report"
