// Line icons as inline SVG built with DOM calls (no markup strings, no icon font, no
// emoji that a machine may lack). Each is drawn on a 24×24 grid with currentColor.

import { t } from './i18n.js';

const SVG = 'http://www.w3.org/2000/svg';

// name → list of [element, attributes]
const SHAPES = {
  menu: [['path', { d: 'M4 6h16M4 12h16M4 18h16' }]],
  close: [['path', { d: 'M6 6l12 12M18 6L6 18' }]],
  plus: [['path', { d: 'M12 5v14M5 12h14' }]],
  send: [['path', { d: 'M12 19V5M6 11l6-6 6 6' }]],
  stop: [['rect', { x: '7', y: '7', width: '10', height: '10', rx: '1.5', class: 'filled' }]],
  sliders: [['path', { d: 'M4 7h9M17 7h3M4 17h3M11 17h9' }], ['circle', { cx: '15', cy: '7', r: '2' }],
    ['circle', { cx: '9', cy: '17', r: '2' }]],
  moon: [['path', { d: 'M20 14.5A8 8 0 1 1 9.5 4a6.5 6.5 0 0 0 10.5 10.5z' }]],
  sun: [['circle', { cx: '12', cy: '12', r: '4' }],
    ['path', { d: 'M12 2v2M12 20v2M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4M2 12h2M20 12h2M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4' }]],
  chart: [['path', { d: 'M4 20V11M10 20V5M16 20v-6M3 20h18' }]],
  copy: [['rect', { x: '9', y: '9', width: '11', height: '11', rx: '2' }], ['path', { d: 'M5 15V6a2 2 0 0 1 2-2h8' }]],
  edit: [['path', { d: 'M4 20h4L19 9l-4-4L4 16v4zM13.5 6.5l4 4' }]],
  trash: [['path', { d: 'M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13' }]],
  refresh: [['path', { d: 'M20 12a8 8 0 1 1-2.3-5.7M20 4v5h-5' }]],
  thumbUp: [['path', { d: 'M7 11v9H4v-9h3zm0 0l4-7a2.5 2.5 0 0 1 2.5 2.5V10h5a2 2 0 0 1 2 2.4l-1.3 6A2 2 0 0 1 17.2 20H7' }]],
  thumbDown: [['path', { d: 'M17 13V4h3v9h-3zm0 0l-4 7a2.5 2.5 0 0 1-2.5-2.5V14h-5a2 2 0 0 1-2-2.4l1.3-6A2 2 0 0 1 6.8 4H17' }]],
};

/** A decorative SVG icon (hidden from screen readers; the button carries the label). */
export function icon(name) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.setAttribute('class', 'icon');
  for (const [tag, attributes] of SHAPES[name] ?? []) {
    const shape = document.createElementNS(SVG, tag);
    for (const [key, value] of Object.entries(attributes)) shape.setAttribute(key, value);
    svg.append(shape);
  }
  return svg;
}

/**
 * A small icon-only button. Its label (aria-label and tooltip) is the translation of
 * `labelKey` and follows language switches; `data-action` names what it does.
 */
export function iconButton(action, name, labelKey, pressed) {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'icon-button small';
  button.dataset.action = action;
  button.dataset.i18nAria = labelKey;
  button.setAttribute('aria-label', t(labelKey));
  button.title = t(labelKey);
  if (pressed !== undefined) button.setAttribute('aria-pressed', String(pressed));
  button.append(icon(name));
  return button;
}

/** Puts the icon named by data-icon at the start of each such element under root. */
export function decorate(root) {
  for (const el of root.querySelectorAll('[data-icon]')) setIcon(el, el.dataset.icon);
}

/** Replaces an element's icon, keeping its other children. */
export function setIcon(el, name) {
  el.querySelector(':scope > svg.icon')?.remove();
  el.prepend(icon(name));
  el.dataset.icon = name;
}
