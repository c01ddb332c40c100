// jmb: directory suggestions for the invite fields of the meeting form.
//
// Progressive enhancement: the fields are plain textareas (one address per
// line) and the form works the same without this script. On a textarea with
// data-autocomplete="directory", the line under the caret (2 characters or
// more) is looked up with GET /api/v1/directory?q= and the answers are shown
// in a listbox under the field. The field keeps its own role (textbox: ARIA
// allows no combobox role on a textarea), with aria-autocomplete, aria-haspopup
// and aria-controls naming the listbox; the focus stays in the field and
// aria-activedescendant names the highlighted option; a live region says how
// many suggestions there are, which is how a screen reader learns that the
// list opened. Down/Up move,
// Enter or Tab put the highlighted address in place of the line (followed by a
// new line), Escape closes, a click picks. Nothing is highlighted until Down
// or Up is pressed, so Enter and Tab keep their usual meaning while typing an
// address in full. Any failure (directory down, session expired, network)
// simply shows no suggestions.
//
// The words shown come from data-ac-* attributes that the template renders in
// the page's language. No dependencies, no inline code (the pages' CSP allows
// script-src 'self' only).
'use strict';

(() => {
  const MIN_CHARS = 2;   // as GET /api/v1/directory requires
  const MAX_CHARS = 100;
  const DELAY_MS = 200;  // debounce
  const CACHE_SIZE = 50;
  // The directory answers up to 20; eight fit under the field without a
  // scrolling box (a scrolling region would need a Tab stop of its own),
  // and typing one more letter narrows the rest.
  const MAX_SHOWN = 8;

  let instances = 0;

  function lineAround(value, caret) {
    const start = value.lastIndexOf('\n', caret - 1) + 1;
    let end = value.indexOf('\n', caret);
    if (end < 0) end = value.length;
    return { start, end, text: value.slice(start, end) };
  }

  function enhance(field) {
    const n = ++instances;
    const base = field.id || `jmb-ac-${n}`;
    const words = field.dataset;
    const kindLabel = (kind) => words[`acKind${kind.charAt(0).toUpperCase()}${kind.slice(1)}`] || kind;
    const cache = new Map();
    let timer = 0, controller = null, seq = 0;
    let results = [], active = -1, announced = false;

    // The listbox and the live region go just before the field, so that
    // the markup after it (e.g. the field's error message) is unchanged; the
    // listbox is positioned under the field.
    const host = field.parentElement;
    host.classList.add('ac-host');
    const list = document.createElement('ul');
    list.id = `${base}-suggestions`;
    list.className = 'ac-list';
    list.setAttribute('role', 'listbox');
    list.hidden = true;
    if (words.acLabel) list.setAttribute('aria-label', words.acLabel);
    const status = document.createElement('div');
    status.id = `${base}-status`;
    status.className = 'visually-hidden';
    status.setAttribute('role', 'status');
    status.setAttribute('aria-live', 'polite');
    status.setAttribute('aria-atomic', 'true');
    host.insertBefore(status, field);
    host.insertBefore(list, field);

    field.setAttribute('aria-autocomplete', 'list');
    field.setAttribute('aria-haspopup', 'listbox');
    field.setAttribute('aria-controls', list.id);
    field.setAttribute('autocomplete', 'off');

    function announce(count) {
      let text = '';
      if (count === 1) text = words.acOne || '1 suggestion';
      else if (count > 1) text = (words.acMany || '{n} suggestions').replace('{n}', String(count));
      else if (announced) text = words.acNone || 'No suggestions';
      announced = count > 0;
      if (status.textContent !== text) status.textContent = text;
    }

    function setActive(i, scroll = true) {
      const options = list.children;
      if (active >= 0 && options[active]) options[active].setAttribute('aria-selected', 'false');
      active = i;
      if (i >= 0 && options[i]) {
        options[i].setAttribute('aria-selected', 'true');
        field.setAttribute('aria-activedescendant', options[i].id);
        if (scroll) options[i].scrollIntoView({ block: 'nearest' });
      } else {
        field.removeAttribute('aria-activedescendant');
      }
    }

    // Under the field, or above it when the window has no room below and
    // more above (the field near the bottom of the screen).
    function place() {
      // CSSOM, not a style attribute: allowed by style-src 'self'.
      list.style.left = `${field.offsetLeft}px`;
      list.style.width = `${field.offsetWidth}px`;
      const box = field.getBoundingClientRect();
      const height = list.offsetHeight + 8;
      const below = (window.visualViewport ? window.visualViewport.height : window.innerHeight) - box.bottom;
      const above = height > below && box.top > below;
      list.classList.toggle('ac-above', above);
      list.style.top = above ? `${field.offsetTop - height}px` : `${field.offsetTop + field.offsetHeight}px`;
    }

    // quiet: the focus left the field, nothing to announce there.
    function close(quiet = false) {
      clearTimeout(timer);
      if (controller) controller.abort();
      controller = null;
      seq += 1; // answers still on their way are dropped
      if (quiet) {
        announced = false;
        status.textContent = '';
      } else if (!list.hidden || results.length) {
        announce(0);
      }
      results = [];
      setActive(-1);
      list.hidden = true;
      list.replaceChildren();
    }

    function show(items) {
      results = items;
      active = -1;
      field.removeAttribute('aria-activedescendant');
      list.replaceChildren(...items.map((item, i) => {
        const li = document.createElement('li');
        li.id = `${base}-suggestion-${i}`;
        li.className = 'ac-option';
        li.setAttribute('role', 'option');
        li.setAttribute('aria-selected', 'false');
        li.dataset.index = String(i);
        const name = document.createElement('span');
        name.className = 'ac-name';
        name.textContent = item.name || item.mail;
        const mail = document.createElement('span');
        mail.className = 'ac-mail';
        mail.textContent = item.mail;
        const kind = document.createElement('span');
        kind.className = `ac-kind ac-kind-${item.kind}`;
        kind.textContent = kindLabel(item.kind);
        li.append(name, ' ', mail, ' ', kind);
        return li;
      }));
      if (items.length === 0) {
        close();
        return;
      }
      list.hidden = false;
      place();
      announce(items.length);
    }

    function valid(json) {
      if (!json || !Array.isArray(json.results)) return [];
      return json.results.filter((r) => r && typeof r.mail === 'string' && r.mail !== '')
        .map((r) => ({
          name: typeof r.name === 'string' ? r.name : '',
          mail: r.mail,
          kind: ['person', 'group', 'external'].includes(r.kind) ? r.kind : 'person',
        }))
        .slice(0, MAX_SHOWN);
    }

    async function search(q) {
      if (cache.has(q)) {
        show(cache.get(q));
        return;
      }
      if (controller) controller.abort();
      controller = new AbortController();
      const mine = ++seq;
      let items = [];
      try {
        const r = await fetch(`/api/v1/directory?q=${encodeURIComponent(q)}`, {
          method: 'GET',
          credentials: 'same-origin',
          headers: { Accept: 'application/json' },
          signal: controller.signal,
        });
        if (!r.ok) throw new Error(`HTTP ${r.status}`); // 401, 503, ...: no suggestions
        items = valid(await r.json());
        if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value);
        cache.set(q, items);
      } catch {
        items = [];
      }
      if (mine !== seq || document.activeElement !== field) return; // stale
      controller = null;
      show(items);
    }

    function currentQuery() {
      if (field.selectionStart !== field.selectionEnd) return '';
      const q = lineAround(field.value, field.selectionStart).text.trim();
      const chars = [...q].length;
      return chars >= MIN_CHARS && chars <= MAX_CHARS ? q : '';
    }

    function update() {
      clearTimeout(timer);
      const q = currentQuery();
      if (!q) {
        close();
        return;
      }
      timer = setTimeout(() => search(q), DELAY_MS);
    }

    function pick(i) {
      const item = results[i];
      if (!item) return;
      const value = field.value;
      const line = lineAround(value, field.selectionStart);
      const rest = value.slice(line.end).replace(/^\n/, '');
      const before = value.slice(0, line.start);
      field.value = `${before}${item.mail}\n${rest}`;
      const caret = before.length + item.mail.length + 1;
      field.setSelectionRange(caret, caret);
      close();
      // Let other listeners know; on the new, empty line this looks nothing up.
      field.dispatchEvent(new Event('input', { bubbles: true }));
    }

    field.addEventListener('input', update);
    field.addEventListener('keydown', (e) => {
      if (list.hidden || e.altKey || e.ctrlKey || e.metaKey || e.isComposing) return;
      const count = results.length;
      switch (e.key) {
        case 'ArrowDown':
          e.preventDefault();
          setActive(active + 1 < count ? active + 1 : 0);
          break;
        case 'ArrowUp':
          e.preventDefault();
          setActive(active > 0 ? active - 1 : count - 1);
          break;
        case 'Enter':
        case 'Tab':
          if (e.shiftKey && e.key === 'Tab') {
            close();
          } else if (active >= 0) {
            e.preventDefault();
            pick(active);
          } else {
            close(); // a new line, or the next field, as usual
          }
          break;
        case 'Escape':
          e.preventDefault();
          e.stopPropagation();
          close();
          break;
        default:
          break;
      }
    });
    // The caret moved to another line (arrows when closed, Home/End, click).
    field.addEventListener('keyup', (e) => {
      if (['ArrowLeft', 'ArrowRight', 'Home', 'End', 'PageUp', 'PageDown'].includes(e.key) ||
          (list.hidden && (e.key === 'ArrowUp' || e.key === 'ArrowDown'))) {
        if (!currentQuery()) close();
      }
    });
    field.addEventListener('click', () => { if (!currentQuery()) close(); });
    field.addEventListener('blur', () => close(true));
    // Keep the focus (and the caret) in the field while the mouse picks.
    list.addEventListener('mousedown', (e) => e.preventDefault());
    list.addEventListener('click', (e) => {
      const option = e.target.closest('[role=option]');
      if (option) pick(Number(option.dataset.index));
    });
    list.addEventListener('mousemove', (e) => {
      const option = e.target.closest('[role=option]');
      if (option && Number(option.dataset.index) !== active) setActive(Number(option.dataset.index), false);
    });
    window.addEventListener('resize', () => { if (!list.hidden) place(); });
  }

  function start() {
    document.querySelectorAll('textarea[data-autocomplete="directory"]').forEach(enhance);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
