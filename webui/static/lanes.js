// Process settings inside the designer: a problem "lane 'X' of process 'P' has no assignment
// rule" gets a small form to add the rule right there; once saved, the package is validated
// again. Kept apart from designer.js: it only watches the problem list.
(() => {
  const ul = document.getElementById('problems');
  const source = document.getElementById('lane-rule-choices');
  if (!ul || !source) return;
  const data = JSON.parse(source.textContent);
  const T = data.text;
  const csrf = document.querySelector('meta[name=csrf-token]').content;

  function element(tag, props, children) {
    const node = document.createElement(tag);
    Object.assign(node, props || {});
    (children || []).forEach((c) => node.appendChild(c));
    return node;
  }

  function select(name, options, blank) {
    const s = element('select', { name });
    if (blank) s.appendChild(element('option', { value: '', textContent: T.none }));
    options.forEach(([value, text]) => s.appendChild(element('option', { value, textContent: text })));
    return s;
  }

  function labelled(text, control) {
    return element('label', { className: 'lane-rule-field' },
      [document.createTextNode(`${text} `), control,
        element('small', { className: 'error', hidden: true })]);
  }

  function formFor(li, lane, processId) {
    const kind = select('kind', data.kinds, false);
    const role = select('role', data.roles, true);
    const path = element('input', { name: 'path', placeholder: T.pathHint, maxLength: 128 });
    const button = element('button', { type: 'submit', textContent: T.save });
    const form = element('form', { className: 'lane-rule' }, [
      element('strong', { textContent: `${T.title}：${lane}` }),
      labelled(T.kind, kind), labelled(T.role, role), labelled(T.path, path), button,
      element('small', { className: 'error lane-rule-error', hidden: true })]);
    form.dataset.lane = lane;
    form.dataset.process = processId;
    form.onclick = (event) => event.stopPropagation();  // the row's click selects the element
    form.onsubmit = async (event) => {
      event.preventDefault();
      form.querySelectorAll('small.error').forEach((e) => { e.hidden = true; e.textContent = ''; });
      const body = { process_id: processId, lane, kind: kind.value, role: role.value, path: path.value };
      try {
        const response = await fetch(data.url, {
          method: 'POST', credentials: 'same-origin',
          headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrf },
          body: JSON.stringify(body) });
        const answer = await response.json();
        if (!answer.ok) {
          Object.entries(answer.problems || {}).forEach(([field, message]) => {
            const control = form.querySelector(`[name=${field}]`);
            const slot = control ? control.parentNode.querySelector('small.error')
              : form.querySelector('.lane-rule-error');
            slot.textContent = message;
            slot.hidden = false;
          });
          return;
        }
        li.dataset.ruleAdded = 'true';
        document.getElementById('validate').click();
      } catch (err) {
        const slot = form.querySelector('.lane-rule-error');
        slot.textContent = T.failed + err.message;
        slot.hidden = false;
      }
    };
    return form;
  }

  function decorate() {
    ul.querySelectorAll('li.problem').forEach((li) => {
      if (li.querySelector('form.lane-rule')) return;
      if (li.dataset.lane) li.appendChild(formFor(li, li.dataset.lane, li.dataset.process));
    });
  }

  new MutationObserver(decorate).observe(ul, { childList: true });
})();
