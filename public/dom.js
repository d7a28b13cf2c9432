// @ts-check
/** Small helpers for building the page's elements. */

/** @param {string} id */
export function $(id) {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing`);
  return element;
}

/** A button of the page, by id. @param {string} id */
export function button(id) {
  return /** @type {HTMLButtonElement} */ ($(id));
}

/**
 * An element with properties (className, textContent, hidden, type, ...), attributes (those with a
 * "-" or "aria"/"data" in their name) and children.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag @param {Record<string, unknown>} [props] @param {...(Node|string|null|false|undefined)} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.includes('-')) element.setAttribute(key, value === true ? '' : String(value));
    else if (key === 'onclick' && typeof value === 'function')
      element.addEventListener('click', /** @type {EventListener} */ (value));
    else Object.assign(element, { [key]: value });
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) element.append(child);
  return element;
}

/**
 * A function that runs `draw` only when one of its inputs changed since the last time (by identity).
 * @template {unknown[]} A
 * @param {(...inputs: A) => void} draw
 * @returns {(...inputs: A) => void}
 */
export function memo(draw) {
  /** @type {unknown[]|null} */
  let last = null;
  return (...inputs) => {
    if (last && last.length === inputs.length && last.every((value, i) => value === inputs[i])) return;
    last = inputs;
    draw(...inputs);
  };
}

/**
 * Puts the focus where a user expects it when the element that had it is gone (its list
 * drawn anew) or disabled: on what stands for the same cloud now, else on the heading of
 * the section it was in -- not back at the top of the page.
 * @param {string|null} cloud @param {Element|null} section
 */
export function focusNear(cloud, section) {
  const same = cloud ? document.querySelector(`[data-cloud="${CSS.escape(cloud)}"]`) : null;
  if (same instanceof HTMLElement && !(same instanceof HTMLButtonElement && same.disabled)) {
    same.focus();
    return;
  }
  const title = section?.querySelector('h2');
  if (title instanceof HTMLElement) {
    title.tabIndex = -1;
    title.focus();
  }
}
