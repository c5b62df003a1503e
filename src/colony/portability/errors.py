"""Errors of the whole-tenant export and restore."""

from colony.core.errors import Conflict, RuleViolation


class TenantNotEmpty(Conflict):
    """A restore goes into an empty tenant only: it never merges into data that is already there."""

    code = "TENANT_NOT_EMPTY"
    message = "This tenant already holds data; a restore goes into an empty tenant only"


class ExportDocumentInvalid(RuleViolation):
    """The uploaded file is not a Colony export this server can restore; `details.errors` says where."""

    code = "EXPORT_DOCUMENT_INVALID"
    message = "The file is not a Colony export that can be restored"
