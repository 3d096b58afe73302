"""The organisation file: schema, loading and idempotent import."""

from bot.services.organisation.importer import ImportReport, import_organisation, record_import
from bot.services.organisation.schema import OrgFile, OrgFileError, load_org_file

__all__ = ["ImportReport", "OrgFile", "OrgFileError", "import_organisation", "load_org_file",
           "record_import"]
