// Light or dark. Without a stored choice the page follows prefers-color-scheme (in CSS);
// the toggle stores an explicit choice as <html data-theme>.

const STORAGE_KEY = 'aqyl.theme';
const darkQuery = globalThis.matchMedia?.('(prefers-color-scheme: dark)');

function stored() {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return value === 'dark' || value === 'light' ? value : null;
  } catch {
    return null;
  }
}

/** Whether the page is dark right now. */
export function isDark() {
  const choice = document.documentElement.dataset.theme;
  if (choice) return choice === 'dark';
  return darkQuery?.matches ?? false;
}

/** Applies the stored choice; `onChange` runs when the system scheme changes too. */
export function initTheme(onChange) {
  const choice = stored();
  if (choice) document.documentElement.dataset.theme = choice;
  darkQuery?.addEventListener?.('change', () => onChange(isDark()));
  onChange(isDark());
}

/** Flips between light and dark and remembers the choice. */
export function toggleTheme(onChange) {
  const next = isDark() ? 'light' : 'dark';
  document.documentElement.dataset.theme = next;
  try { localStorage.setItem(STORAGE_KEY, next); } catch { /* not remembered */ }
  onChange(next === 'dark');
}
