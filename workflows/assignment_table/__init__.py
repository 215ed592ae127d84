"""The assignment table (交办表) of the assignment meeting (交办会): parsing and bulk import.

One row of the first worksheet is one suggestion with its assignment (交办). The parser
(``parse_workbook``) only reads and checks the file: it never touches the database. Every lookup
it needs (units, deputies, leaders, numbers already registered) is passed in as a
:class:`Lookups`. ``import_assignments`` is the database side: it registers and assigns the rows
of a file without a single error, in the caller's transaction.

Modules, one job each: ``columns`` (the columns, the row and error types, cell parsing),
``reading`` (opening the workbook safely and walking its rows), ``cells``/``checking``/``units``/
``cross_rows`` (the checks of one cell, one row, the handling units and the whole file),
``report`` (the error report and the template workbooks) and ``importing`` (the bulk import).

Columns (header in row 1, Chinese header or English key, case/whitespace-insensitive, any order):

============  ==================  ========  ==================================================
Chinese        English             required  content
============  ==================  ========  ==================================================
建议号          number              yes       positive integer, unique in the file and session
标题            title               yes       at most 255 characters
领衔代表        lead_deputy         yes       a known deputy
联名代表        co_signers          no        known deputies, separated by 、 , ， ; ；
选举单位        electoral_unit      yes       must be the lead deputy's electoral unit
领域            field               yes       free text (交通, 教育 …), at most 64 characters
办理方式        mode                yes       主办+会办 / 主办会办 / 分办 / 独办 / 并案 or
                                              lead_co / separate / sole / merged
主办单位        lead_unit           yes       a unit name or code (see the modes below)
会办单位        co_units            no        unit names or codes, separated like 联名代表
重点建议        key                 no        是/否/yes/no/true/false/1/0; empty means no
督办领导        supervising_leader  no        required for a key suggestion, empty otherwise
专门委员会      special_committee   no        free text, at most 64 characters
并案建议号      merged_with         no        numbers of suggestions in this file (并案 only)
建议内容        body                no        text of at most 20,000 characters; empty means
                                              "use the title"
============  ==================  ========  ==================================================

Modes:

* ``lead_co`` (主办+会办): one lead unit and at least one co-handling unit.
* ``separate`` (分办): every unit replies on its own. The first unit is the 主办单位 cell (which may
  itself list several units); the others are the 会办单位 cell. ``ImportRow.lead_unit`` is the
  first unit, ``ImportRow.co_units`` the others; there must be at least two units in all.
* ``sole`` (独办): one lead unit, no co-handling units.
* ``merged`` (并案): identical suggestions handled together. The main row lists in 并案建议号 the
  numbers of the other rows of this file merged into it; each of those rows must also have the
  mode 并案, the same lead unit, and no 并案建议号 of its own (no chains); a row can be merged
  into one main row only. A 并案 row that neither lists numbers nor is listed is an error.

Title, field, committee and text follow the text rules (``workflows.text``): no control or
bidirectional-control characters, not blank, no line break except in the text.

A unit may not appear twice in one suggestion (in particular not as both lead and co-handling
unit). Files are limited to :data:`MAX_ROWS` data rows.
"""
from __future__ import annotations

from .columns import (COLUMNS, MAX_ROWS, MODES, TEMPLATE_EXAMPLE, CellError, ImportRow,
                      Lookups)
from .importing import (ImportOutcome, assignment_data, check_table, import_assignments,
                        lookups)
from .reading import parse_workbook
from .report import error_report, template_workbook

__all__ = [
    "MAX_ROWS", "MODES", "COLUMNS", "TEMPLATE_EXAMPLE",
    "ImportRow", "CellError", "Lookups",
    "parse_workbook", "error_report", "template_workbook",
    "ImportOutcome", "assignment_data", "check_table", "import_assignments", "lookups",
]
