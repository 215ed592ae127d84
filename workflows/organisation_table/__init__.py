"""The organisation workbook (组织机构导入表): units, divisions, deputies, congress sessions and
users, one worksheet each, imported all or nothing.

Worksheets are found by name (Chinese or English, see ``columns.SHEETS``); any may be left out,
others (填写说明) are ignored. Headers in row 1, Chinese or English, any order. Each row is keyed
(unit code, unit + division name, deputy name + electoral unit, congress + meeting, username):
a row whose key exists is an update of that row, so importing the same file twice changes
nothing the second time; a key twice in one file is an error on the second row.

Modules: ``columns`` (worksheets, columns, the error type), ``reading`` (the worksheets and their
rows, through ``workflows.workbook_files``), ``checking`` (the checks of each row against the
database and the file), ``importing`` (the writes) and ``template`` (the template workbook).
"""
from __future__ import annotations

from .columns import SHEETS, OrgCellError
from .importing import Outcome, import_organisation
from .template import template_workbook

__all__ = ["SHEETS", "OrgCellError", "Outcome", "import_organisation", "template_workbook"]
