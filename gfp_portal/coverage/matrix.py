"""The coverage matrix's rows as compact HTML. At ten times the network a matrix has some 17,000
cells: each is a coloured symbol whose meaning the legend gives once, with no link and no
translation call of its own, and without the end tags HTML lets a cell omit (a `td` ends where
the next cell starts), so that the page stays small and quick to build. Only class names and
fixed symbols go into the markup; nothing a person typed does."""
from functools import cache

from markupsafe import Markup

from gfp_portal.coverage.services import CellState

ICONS = {CellState.covered: "✓", CellState.no_alternate: "◐",
         CellState.no_focal_point: "◑", CellState.vacant: "✕"}
ENDS_SOON = "⏳"


def row_cells(coverage, unct, *, state_shown=None):
    """One UNCT's cells across the matrix's columns. A member cell carries its state's class
    and symbol (⏳ when a term ends soon; dimmed when a state filter leaves it out); a column
    whose entity is not a member of this UNCT is an empty cell."""
    cells, unct_id, markup = coverage.cells, unct.id, _cell_markup(state_shown)
    column_of = coverage.column_index
    parts = ["<td>"] * len(column_of)
    for entity_id, _ in coverage.members.get(unct_id, ()):  # its own cells, not every column
        cell = cells.get((unct_id, entity_id))
        if cell is not None:
            parts[column_of[entity_id]] = markup[cell.state, cell.expiring]
    return Markup("".join(parts))  # noqa: S704 — class names and fixed symbols only


@cache
def _cell_markup(state_shown):
    """(state, a term ends soon) -> the cell's markup, when the filter shows `state_shown`."""
    return {(state, expiring): f'<td class="cov-{state.value}'
                               f'{" cov-dimmed" if state_shown and state != state_shown else ""}"'
                               f'>{ICONS[state]}{ENDS_SOON if expiring else ""}'
            for state in CellState for expiring in (False, True)}
