"""The coverage matrix's rows as compact HTML. At ten times the network a matrix has some 17,000
cells: each is a coloured symbol whose meaning the legend gives once, with no link and no
translation call of its own, and without the end tags HTML lets a cell omit (a `td` ends where
the next cell starts), so that the page stays small and quick to build. Only class names and
fixed symbols go into the markup; nothing a person typed does."""
from markupsafe import Markup

from gfp_portal.coverage.services import CellState

ICONS = {CellState.covered: "✓", CellState.no_alternate: "◐",
         CellState.no_focal_point: "◑", CellState.vacant: "✕"}
ENDS_SOON = "⏳"


def row_cells(coverage, unct, *, state_shown=None):
    """One UNCT's cells across the matrix's columns. A member cell carries its state's class
    and symbol (⏳ when a term ends soon; dimmed when a state filter leaves it out); a column
    whose entity is not a member of this UNCT is an empty cell."""
    cells, unct_id = coverage.cells, unct.id
    parts = []
    for entity_id in coverage.column_ids:
        cell = cells.get((unct_id, entity_id))
        if cell is None:
            parts.append("<td>")
            continue
        state = cell.state
        dimmed = " cov-dimmed" if state_shown and state != state_shown else ""
        parts.append(f'<td class="cov-{state.value}{dimmed}">{ICONS[state]}'
                     f'{ENDS_SOON if cell.expiring else ""}')
    return Markup("".join(parts))  # noqa: S704 — class names and fixed symbols only
