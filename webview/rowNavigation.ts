/**
 * Mouse and keyboard for a table whose rows are tensors (`tr[data-name]`): a click or Enter/Space opens the
 * row; the arrows, PageUp/PageDown (10 rows), Home and End move the focus among the rows the filter shows.
 * Shared by the inspector's Weights tab and the checkpoint editor, whose tables behave alike.
 */
export interface RowNavigation {
  /** The rows shown now, in order (a filter hides the others). */
  visibleRows(): HTMLTableRowElement[];
  /** Marks `row` as the active one (roving tabindex, highlight). */
  setActive(row: HTMLTableRowElement): void;
  /** Opens the tensor's detail; `reveal` scrolls it into view. */
  open(name: string, reveal: boolean): void;
  /** Tells the host the view state changed (so it survives a reload). */
  notify(): void;
}

const PAGE = 10;

export function wireRowNavigation(tbody: HTMLElement, nav: RowNavigation): void {
  const rowOf = (event: Event): HTMLTableRowElement | null => (event.target as Element).closest?.('tr[data-name]') as HTMLTableRowElement | null;
  tbody.addEventListener('click', (event) => {
    const row = rowOf(event);
    if (!row) return;
    nav.setActive(row);
    row.focus();
    nav.open(row.dataset.name!, true);
    nav.notify();
  });
  tbody.addEventListener('keydown', (event) => {
    const row = rowOf(event);
    if (!row) return;
    const visible = nav.visibleRows();
    const at = visible.indexOf(row);
    const moveTo = (index: number): void => {
      const target = visible[Math.max(0, Math.min(visible.length - 1, index))];
      if (!target) return;
      nav.setActive(target);
      target.focus();
    };
    switch (event.key) {
      case 'Enter':
      case ' ':
        nav.open(row.dataset.name!, true);
        nav.notify();
        break;
      case 'ArrowDown': moveTo(at + 1); break;
      case 'ArrowUp': moveTo(at - 1); break;
      case 'PageDown': moveTo(at + PAGE); break;
      case 'PageUp': moveTo(at - PAGE); break;
      case 'Home': moveTo(0); break;
      case 'End': moveTo(visible.length - 1); break;
      default: return;
    }
    event.preventDefault();
  });
}

/** Marks the row of the open tensor (`name`) as current, for the highlight and screen readers. */
export function markCurrentRow(rows: Iterable<HTMLTableRowElement>, name: string): void {
  for (const r of rows) {
    const current = r.dataset.name === name;
    r.classList.toggle('current', current);
    if (current) r.setAttribute('aria-current', 'true');
    else r.removeAttribute('aria-current');
  }
}
