"""Reports for leads and administrators: hours and FuA budget of a period as CSV or XLSX.

:mod:`.tables` computes the rows (a fixed number of SQL statements, like the digest),
:mod:`.files` writes them. Exports leave the bot's retention, so they hold figures and the
organisation's names only: no notes on hours and no texts of budget requests (title,
description, reasons), which are free text close to personal data. Every export, in the
chat or on the command line, is audited as ``export.hours`` or ``export.budget``.
"""
