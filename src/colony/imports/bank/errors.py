"""Errors of the bank imports."""

from colony.core.errors import Conflict, NotFound, RuleViolation


class ImportNotFound(NotFound):
    code = "IMPORT_NOT_FOUND"
    message = "Import not found"


class ImportInvalid(RuleViolation):
    """Rows of the file are bad: `details.errors` lists them ([{row, message}]); nothing was written."""

    code = "IMPORT_INVALID"
    message = "The file has rows that can't be imported; nothing was imported"


class ImportFileUnreadable(RuleViolation):
    """The file as a whole can't be read in its format (or as the mapping says)."""

    code = "IMPORT_FILE_INVALID"
    message = "The file can't be read"


class ImportConflict(Conflict):
    """A concurrent import of the same bank ids committed first (the unique index held)."""

    code = "IMPORT_CONFLICT"
    message = "The same rows were imported concurrently; retry to get the report"


class ImportBusy(Conflict):
    """Undo of an import that the background runner has not finished."""

    code = "IMPORT_NOT_FINISHED"
    message = "The import is still queued or running; undo it once it is done"
