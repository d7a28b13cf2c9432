// @ts-check
/**
 * The Clouds panel: Check Clouds, and what it found -- every cloud of the last check,
 * by name, a cloud added since updated in place -- with an Add button for each cloud
 * whose libraries Carapace can add, and for the others what they need: its first
 * sentence shown, SkyPilot's whole text (commands, addresses) folded under it.
 *
 * A full `sky check` lists every cloud SkyPilot supports, some 27 (sky/check.py): the
 * enabled ones and Carapace's own (those its launch form offers) are listed; the others
 * that are not enabled are folded into one line saying how many, so that what a user can
 * launch on, and what Carapace can add, is not three screens down.
 */
import { $, button, focusNear, h, memo } from './dom.js';
import { clock } from './text.js';

/** @typedef {import('./state.js').State} State */
/** @typedef {ReturnType<import('./state.js').busyOf>} Busy */
/** @typedef {import('../src/api.js').CloudInfo} CloudInfo */
/** @typedef {{addCloud(cloud: CloudInfo): void}} CloudActions */

/**
 * What a reason says first, for the line shown: the sentences of its first line but one that
 * leads into commands or a link ("Run the following commands:", "go to:"); the rest is folded.
 * @param {string} text
 */
export function reasonSummary(text) {
  const first = (text.split('\n')[0] ?? '').trim();
  const kept = first
    .split(/(?<=[.!?])\s+/)
    .filter((sentence) => !sentence.endsWith(':') && !/^Details:/.test(sentence));
  const summary = kept.join(' ') || first;
  return { summary, more: summary !== text.trim() };
}

/** @param {string} name @param {string} state @param {string} className */
const heading = (name, state, className) =>
  h(
    'p',
    { className: 'cloud' },
    h('strong', { textContent: name }),
    ': ',
    h('span', { className, textContent: state }),
  );

/**
 * The clouds whose SkyPilot text the user has opened: the list is drawn anew at each change
 * (an Add, a check), and a text being read must not close under the reader.
 * @type {Set<string>}
 */
const openReasons = new Set();

/**
 * Where the focus is in a cloud's entry (its Add button, its SkyPilot text), so that a
 * keyboard user keeps their place when the list is drawn anew: an Add disables every Add,
 * and its end replaces the button with what the cloud still needs.
 * @returns {{cloud: string, part: 'button'|'summary'|null}|null}
 */
function focusedCloud() {
  const active = document.activeElement;
  const cloud = active?.closest('[data-cloud]')?.getAttribute('data-cloud');
  if (!active || !cloud) return null;
  const part = active.tagName === 'BUTTON' ? 'button' : active.tagName === 'SUMMARY' ? 'summary' : null;
  return { cloud, part };
}

/** Puts the focus back where it was, or near it (see focusNear) when that part is gone or disabled. @param {ReturnType<typeof focusedCloud>} place */
function refocus(place) {
  if (!place || (document.activeElement && document.activeElement !== document.body)) return;
  const entry = document.querySelector(`[data-cloud="${CSS.escape(place.cloud)}"]`);
  const part = place.part ? /** @type {HTMLButtonElement|null} */ (entry?.querySelector(place.part)) : null;
  if (part && !part.disabled) part.focus();
  else focusNear(place.cloud, $('clouds-panel'));
}

export const renderClouds = memo(
  /**
   * @param {State['check']} check @param {State['status']} status @param {CloudInfo[]} addable
   * @param {CloudInfo[]} offered Carapace's clouds (its launch form's)
   * @param {Busy} busy @param {CloudActions} actions @param {boolean} primary Check Clouds is the next step
   */
  (check, status, addable, offered, busy, actions, primary) => {
    const team = status?.api_server.team ?? false;
    // A SkyPilot in use (its source) is installed, also while a cloud is added to it or it is updated.
    const installed = Boolean(status?.source);
    $('clouds-intro').textContent = team
      ? 'Your team’s API server decides which clouds can be used: its admin enables them.'
      : installed
        ? 'Which clouds SkyPilot can launch on with the credentials on this computer.'
        : 'Which clouds SkyPilot can launch on with the credentials on this computer. Check Clouds installs the cloud tools first.';
    const checkButton = button('check-button');
    checkButton.textContent = busy.checking ? 'Checking…' : 'Check Clouds';
    checkButton.className = primary ? '' : 'secondary';
    checkButton.setAttribute('aria-busy', String(busy.checking));
    checkButton.disabled = busy.checking || busy.adding;
    $('clouds-checked').textContent = check?.checked_at ? `Last checked at ${clock(check.checked_at)}` : '';

    /** @param {string} name */
    const addableNamed = (name) => addable.find((cloud) => cloud.name === name);
    /** @param {CloudInfo} cloud */
    const addButton = (cloud) =>
      h('button', {
        type: 'button',
        className: 'secondary',
        'data-cloud': cloud.name,
        textContent: `Add ${cloud.name}`,
        disabled: busy.installing || busy.adding || busy.checking,
        onclick: () => actions.addCloud(cloud),
      });

    /** @type {{name: string, item: HTMLLIElement, folded?: boolean}[]} */
    const entries = [];
    for (const cloud of check?.enabled ?? []) {
      // A cloud enabled for storage alone cannot take a server.
      const storageOnly = cloud.capabilities.length > 0 && !cloud.capabilities.includes('compute');
      entries.push({
        name: cloud.name,
        item: h(
          'li',
          { 'data-cloud': cloud.name, tabIndex: -1 },
          heading(cloud.name, storageOnly ? 'Enabled for storage only' : 'Enabled', 'enabled'),
        ),
      });
    }
    for (const cloud of check?.disabled ?? []) {
      const add = cloud.missing_extra === null ? undefined : addableNamed(cloud.name);
      // Its libraries were missing at the check, and are installed since (an Add, before its own check's answer).
      const addedSince = cloud.missing_extra !== null && (status?.extras?.includes(cloud.missing_extra) ?? false);
      const item = h(
        'li',
        { 'data-cloud': cloud.name, tabIndex: -1 },
        heading(cloud.name, add ? 'Not added' : addedSince ? 'Added, not checked yet' : 'Not set up', 'not-set-up'),
      );
      if (addedSince) {
        item.append(
          h('p', {
            className: 'reason',
            textContent: busy.adding
              ? `SkyPilot’s libraries for ${cloud.name} are installed; checking what ${cloud.name} still needs…`
              : `SkyPilot’s libraries for ${cloud.name} are installed. Check Clouds to see what ${cloud.name} still needs.`,
          }),
        );
      } else if (add) {
        item.append(
          h('p', {
            className: 'reason',
            textContent: `Carapace can add what SkyPilot needs to use ${cloud.name}; then it needs your ${cloud.name} account.`,
          }),
          addButton(add),
        );
      } else {
        const text = cloud.reasons.map((why) => why.text).join('\n');
        const { summary, more } = reasonSummary(text);
        item.append(h('p', { className: 'reason', textContent: summary }));
        if (more) {
          item.append(
            h(
              'details',
              {
                className: 'reason-more',
                open: openReasons.has(cloud.name),
                ontoggle: (/** @type {Event} */ event) => {
                  const { open } = /** @type {HTMLDetailsElement} */ (event.currentTarget);
                  if (open) openReasons.add(cloud.name);
                  else openReasons.delete(cloud.name);
                },
              },
              h('summary', { textContent: `What SkyPilot says about ${cloud.name}` }),
              h('pre', { textContent: text }),
            ),
          );
        }
      }
      entries.push({ name: cloud.name, item, folded: !offered.some((known) => known.name === cloud.name) });
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    const place = focusedCloud();
    $('clouds-list').replaceChildren(...entries.filter(({ folded }) => !folded).map(({ item }) => item));
    const others = entries.filter(({ folded }) => folded);
    // The same element from one check to the next: a user who opened it keeps it open.
    $('clouds-others').hidden = others.length === 0;
    $('clouds-others-summary').textContent =
      `${others.length} more ${others.length === 1 ? 'cloud' : 'clouds'} SkyPilot supports, ` +
      (team ? 'not enabled on your team’s API server' : 'not set up on this computer');
    $('clouds-others-list').replaceChildren(...others.map(({ item }) => item));

    // The clouds the launch form says to add first and the check did not list.
    const listed = new Set(entries.map(({ name }) => name));
    const more = addable.filter((cloud) => !listed.has(cloud.name));
    // Before any check, what is installed shows nowhere else in this panel: an Add ends here.
    const installedClouds = check ? [] : offered.filter((cloud) => status?.extras?.includes(cloud.id));
    $('clouds-more').replaceChildren(
      ...(installedClouds.length
        ? [
            h('p', {
              id: 'clouds-installed',
              textContent:
                installedClouds.length === 1
                  ? `SkyPilot’s support for ${installedClouds[0]?.name} is installed: Check Clouds to see whether it is set up.`
                  : `SkyPilot’s support for ${installedClouds.map((cloud) => cloud.name).join(', ')} is installed: Check Clouds to see which of them are set up.`,
            }),
          ]
        : []),
      ...(more.length
        ? [
            h('p', { id: 'clouds-more-title', textContent: 'Carapace can add SkyPilot’s support for these clouds:' }),
            h('p', { className: 'buttons', 'aria-labelledby': 'clouds-more-title' }, ...more.map(addButton)),
          ]
        : []),
    );
    refocus(place);
  },
);
