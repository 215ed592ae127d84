// Process designer: bpmn-js modeler, a properties panel for what the engine reads, a JSON Schema
// form editor with a server-rendered preview, and validate/deploy of the whole package.
// Edits live in the browser until deployed: a refused deploy loses nothing.
(() => {
  const root = document.getElementById('designer');
  const T = JSON.parse(document.getElementById('designer-text').textContent);
  // The package's files arrive as data: JSON text in a <script type="application/json"> block
  // (never executed; tojson escapes <, > and &), parsed by bpmn-js or shown in a textarea.
  const files = JSON.parse(document.getElementById('package-files').textContent);
  const csrf = document.querySelector('meta[name=csrf-token]').content;
  const $ = (id) => document.getElementById(id);
  const SPIFF = 'spiffworkflow:Properties';
  const modeler = new BpmnJS({ container: '#canvas', keyboard: { bindTo: document },
                               moddleExtensions: { spiffworkflow: window.SPIFFWORKFLOW_MODDLE } });
  const get = (name) => modeler.get(name);
  let current = null;
  let problems = [];

  // ------------------------------------------------------------ files
  const isDiagram = (name) => name.endsWith('.bpmn');
  const editable = (name) => isDiagram(name) || name.endsWith('.json');

  function renderTabs() {
    const tabs = $('file-tabs');
    tabs.textContent = '';
    Object.keys(files).filter(editable).sort((a, b) => isDiagram(b) - isDiagram(a) || a.localeCompare(b))
      .forEach((name) => {
        const tab = document.createElement('button');
        tab.type = 'button';
        tab.className = 'tab' + (name === current ? ' current' : '');
        tab.dataset.file = name;
        tab.textContent = name;
        tab.onclick = () => open(name);
        tabs.appendChild(tab);
      });
  }

  async function keepCurrent() {
    if (!current) return;
    if (isDiagram(current)) {
      const { xml } = await modeler.saveXML({ format: true });
      files[current] = xml;
    } else {
      files[current] = $('schema-text').value;
    }
  }

  async function open(name) {
    await keepCurrent();
    current = name;
    renderTabs();
    $('bpmn-pane').hidden = !isDiagram(name);
    $('form-pane').hidden = isDiagram(name);
    if (isDiagram(name)) {
      try {
        const { warnings } = await modeler.importXML(files[name]);
        const other = warnings.filter((w) => !keepReference(w));
        status(other.length ? T.importWarnings + ' ' + other.map((w) => w.message).join('; ') : '');
        get('canvas').zoom('fit-viewport');
      } catch (err) {
        status(T.failed + err.message);
      }
      markProblems();
      renderProps(null);
    } else {
      $('schema-text').value = files[name];
      preview();
    }
    root.dataset.file = name;
  }

  // SpiffWorkflow reads some BPMN references as variable names (a multi-instance task's
  // loopDataInputRef `branches` names a list in the case data, not an element). bpmn-js drops
  // references it cannot resolve; put each back as a stand-in that exports as the same name.
  function keepReference(warning) {
    const { element, property, value } = warning;
    if (!element || !property || !value || !/unresolved reference/.test(warning.message || '')) return false;
    const standIn = { id: value, $type: 'bpmn:ItemAwareElement' };
    const existing = element.get(property);
    if (Array.isArray(existing)) existing.push(standIn); else element.set(property, standIn);
    return true;
  }

  // ------------------------------------------------------------ form editor
  let previewTimer = null;
  // A form and its uiSchema are a pair by name: x.schema.json and x.uischema.json (or
  // SpiffArena's x-uischema.json); the preview shows the pair whichever of the two is open.
  const UI = /(\.|-)uischema\.json$/;
  function pair(name) {
    const text = $('schema-text').value;
    if (UI.test(name)) {
      const schema = name.replace(UI, '.schema.json');
      return { schema: files[schema] !== undefined ? files[schema] : '{}', ui_schema: text };
    }
    const base = name.replace(/\.schema\.json$|\.json$/, '');
    const ui = [base + '.uischema.json', base + '-uischema.json'].find((n) => files[n] !== undefined);
    return { schema: text, ui_schema: ui ? files[ui] : '' };
  }
  async function preview() {
    const body = new URLSearchParams(pair(current || ''));
    const response = await fetch(root.dataset.preview, {
      method: 'POST', body, credentials: 'same-origin', headers: { 'X-CSRFToken': csrf } });
    $('form-preview').innerHTML = await response.text();
    delete $('form-preview').dataset.formsReady;
    if (window.JianyiForms) window.JianyiForms.init($('form-preview'));
  }
  $('schema-text').addEventListener('input', () => {
    files[current] = $('schema-text').value;
    clearTimeout(previewTimer);
    previewTimer = setTimeout(preview, 300);
  });
  $('new-form').onclick = () => {
    const name = $('new-form-name').value.trim();
    if (!/^[\w\-]+\.schema\.json$/.test(name) && !/^[\w]+(\.|-)uischema\.json$/.test(name)) {
      return status(T.badName);
    }
    if (files[name] !== undefined) return status(T.exists);
    files[name] = UI.test(name) ? '{\n  "ui:order": ["*"]\n}\n' : JSON.stringify({
      $schema: 'https://json-schema.org/draft/2020-12/schema', title: name.split('.')[0],
      type: 'object', properties: { note: { type: 'string', title: '备注 (Note)' } }, required: [],
    }, null, 2) + '\n';
    $('new-form-name').value = '';
    open(name);
  };

  // ------------------------------------------------------------ properties panel
  const props = $('props');
  const emptyHint = props.textContent.trim();
  const bo = (element) => element.businessObject;

  function field(labelText, value, onChange, { multiline = false, id = null, options = null } = {}) {
    const wrap = document.createElement('div');
    wrap.className = 'field';
    const label = document.createElement('label');
    label.textContent = labelText;
    let input;
    if (options) {
      input = document.createElement('input');
      input.setAttribute('list', id + '-options');
      const list = document.createElement('datalist');
      list.id = id + '-options';
      options.forEach((o) => { const opt = document.createElement('option'); opt.value = o; list.appendChild(opt); });
      wrap.appendChild(list);
    } else {
      input = document.createElement(multiline ? 'textarea' : 'input');
    }
    if (id) { input.id = id; label.htmlFor = id; }
    input.value = value || '';
    input.addEventListener('change', () => onChange(input.value));
    wrap.prepend(label);
    wrap.appendChild(input);
    props.appendChild(wrap);
    return input;
  }

  function note(text, cls = 'hint') {
    const p = document.createElement('p');
    p.className = cls;
    p.textContent = text;
    props.appendChild(p);
    return p;
  }

  function laneOf(element) {
    const lanes = get('elementRegistry').filter((e) => e.type === 'bpmn:Lane');
    const found = lanes.filter((l) => (bo(l).flowNodeRef || []).includes(bo(element)));
    return found.length ? bo(found[found.length - 1]).name : null;
  }

  function spiffProperty(element, key) {
    const ext = bo(element).extensionElements;
    const holder = ext && (ext.values || []).find((v) => v.$type === SPIFF);
    const prop = holder && (holder.properties || []).find((p) => p.name === key);
    return prop ? prop.value : '';
  }

  function setSpiffProperty(element, key, value) {
    const moddle = get('moddle');
    const business = bo(element);
    const ext = business.extensionElements || moddle.create('bpmn:ExtensionElements', { values: [] });
    let holder = (ext.values || []).find((v) => v.$type === SPIFF);
    if (!holder) {
      holder = moddle.create(SPIFF, { properties: [] });
      holder.$parent = ext;
      ext.values = [...(ext.values || []), holder];
    }
    holder.properties = (holder.properties || []).filter((p) => p.name !== key);
    if (value) {
      const prop = moddle.create('spiffworkflow:Property', { name: key, value });
      prop.$parent = holder;
      holder.properties.push(prop);
    }
    get('modeling').updateProperties(element, { extensionElements: ext });
  }

  // A user or manual task's instructions (spiffworkflow:instructionsForEndUser): Markdown the
  // task page shows, with {{ field }} for values entered earlier (checked at deploy).
  const INSTRUCTIONS = 'spiffworkflow:InstructionsForEndUser';
  function instructionsOf(element) {
    const ext = bo(element).extensionElements;
    const found = ext && (ext.values || []).find((v) => v.$type === INSTRUCTIONS);
    return found ? found.value : '';
  }

  function setInstructions(element, value) {
    const moddle = get('moddle');
    const ext = bo(element).extensionElements || moddle.create('bpmn:ExtensionElements', { values: [] });
    ext.values = (ext.values || []).filter((v) => v.$type !== INSTRUCTIONS);
    if (value.trim()) {
      const node = moddle.create(INSTRUCTIONS, { value });
      node.$parent = ext;
      ext.values.push(node);
    }
    get('modeling').updateProperties(element, { extensionElements: ext });
  }

  function expression(text) {
    return text ? get('moddle').create('bpmn:FormalExpression', { body: text }) : undefined;
  }

  function renderProps(element) {
    props.textContent = '';
    if (!element || element.type === 'bpmn:Process' || element.type === 'label') {
      note(emptyHint);
      return;
    }
    const modeling = get('modeling');
    const business = bo(element);
    field(T.id, business.id, (v) => v && modeling.updateProperties(element, { id: v }), { id: 'prop-id' });
    field(T.name, business.name, (v) => modeling.updateProperties(element, { name: v }), { id: 'prop-name' });
    if (element.type === 'bpmn:Lane') {
      note(T.laneHint);
    } else if (element.type !== 'bpmn:Participant' && element.type !== 'bpmn:SequenceFlow') {
      note(`${T.lane}：${laneOf(element) || T.noLane}`, 'lane').id = 'prop-lane';
      note(T.laneHint);
    }
    const doc = (business.documentation || [])[0];
    field(T.documentation, doc && doc.text, (v) => modeling.updateProperties(element, {
      documentation: v ? [get('moddle').create('bpmn:Documentation', { text: v })] : [] }),
    { multiline: true, id: 'prop-documentation' });
    if (element.type === 'bpmn:UserTask') {
      const forms = Object.keys(files).filter((n) => n.endsWith('.json')).sort();
      field(T.form, spiffProperty(element, 'formJsonSchemaFilename'),
        (v) => setSpiffProperty(element, 'formJsonSchemaFilename', v.trim()), { id: 'prop-form', options: forms });
      field(T.uiForm, spiffProperty(element, 'formUiSchemaFilename'),
        (v) => setSpiffProperty(element, 'formUiSchemaFilename', v.trim()), { id: 'prop-ui-form', options: forms });
      field(T.dueAt, spiffProperty(element, 'dueAt'),
        (v) => setSpiffProperty(element, 'dueAt', v.trim()), { id: 'prop-due-at' });
      field(T.subject, spiffProperty(element, 'subject'),
        (v) => setSpiffProperty(element, 'subject', v.trim()), { id: 'prop-subject' });
    }
    if (element.type === 'bpmn:UserTask' || element.type === 'bpmn:ManualTask') {
      field(T.instructions, instructionsOf(element), (v) => setInstructions(element, v),
        { multiline: true, id: 'prop-instructions' });
    }
    if (element.type === 'bpmn:ScriptTask') {
      field(T.script, business.script, (v) => modeling.updateProperties(element, { script: v }),
        { multiline: true, id: 'prop-script' });
    }
    const timer = (business.eventDefinitions || []).find((d) => d.$type === 'bpmn:TimerEventDefinition');
    if (timer) {
      const kinds = ['timeDate', 'timeDuration', 'timeCycle'];
      const kind = kinds.find((k) => timer[k]) || 'timeDuration';
      const select = field(T.timerKind, kind, () => saveTimer(), { id: 'prop-timer-kind', options: kinds });
      const text = field(T.timerExpression, timer[kind] && timer[kind].body, () => saveTimer(),
        { id: 'prop-timer' });
      const saveTimer = () => {
        const chosen = kinds.includes(select.value) ? select.value : 'timeDuration';
        const values = { timeDate: undefined, timeDuration: undefined, timeCycle: undefined };
        values[chosen] = expression(text.value.trim());
        modeling.updateModdleProperties(element, timer, values);
      };
    }
    if (element.type === 'bpmn:SequenceFlow') {
      const condition = business.conditionExpression;
      field(T.condition, condition && condition.body, (v) => modeling.updateProperties(element, {
        conditionExpression: expression(v.trim()) }), { id: 'prop-condition' });
    }
    const outgoing = (element.outgoing || []).filter((c) => c.type === 'bpmn:SequenceFlow');
    if (outgoing.length === 1 && !element.type.endsWith('EndEvent')) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'secondary';
      button.id = 'insert-user-task';
      button.textContent = T.insertAfter;
      button.onclick = () => insertUserTaskAfter(element, outgoing[0]);
      props.appendChild(button);
    }
  }

  // A user task on the element's only outgoing flow, in the same lane, room made to its right.
  function insertUserTaskAfter(element, flow) {
    const modeling = get('modeling');
    const target = flow.target;
    const gap = 150;
    const right = get('elementRegistry').filter((e) => e.x !== undefined && e.x > element.x + element.width
      && !e.waypoints && e.type !== 'bpmn:Participant' && e.type !== 'bpmn:Lane' && e.type !== 'label');
    if (right.length) modeling.moveElements(right, { x: gap, y: 0 });
    const participant = get('elementRegistry').filter((e) => e.type === 'bpmn:Participant')
      .find((p) => element.x >= p.x && element.x <= p.x + p.width);
    if (participant) {
      const bounds = { x: participant.x, y: participant.y, width: participant.width + gap, height: participant.height };
      const hasLanes = (participant.children || []).some((c) => c.type === 'bpmn:Lane');
      if (hasLanes) modeling.resizeLane(participant, bounds); else modeling.resizeShape(participant, bounds);
    }
    modeling.removeConnection(flow);
    const shape = modeling.appendShape(element, { type: 'bpmn:UserTask' },
      { x: element.x + element.width + 50 + 50, y: element.y + element.height / 2 });
    modeling.connect(shape, target);
    get('selection').select(shape);
  }

  modeler.on('selection.changed', ({ newSelection }) => renderProps(newSelection.length === 1 ? newSelection[0] : null));
  modeler.on('element.changed', ({ element }) => {
    const selected = get('selection').get();
    if (selected.length === 1 && selected[0] === element && !props.contains(document.activeElement)) renderProps(element);
  });

  // ------------------------------------------------------------ validate and deploy
  function status(text) { $('status').textContent = text; }

  function markProblems() {
    if (!current || !isDiagram(current)) return;
    const canvas = get('canvas');
    const registry = get('elementRegistry');
    registry.forEach((e) => canvas.removeMarker(e.id, 'problem'));
    problems.filter((p) => p.file === current && p.element_id && registry.get(p.element_id))
      .forEach((p) => canvas.addMarker(p.element_id, 'problem'));
  }

  function showProblems(list) {
    problems = list;
    const ul = $('problems');
    ul.textContent = '';
    list.forEach((p) => {
      const li = document.createElement('li');
      li.className = 'problem';
      li.dataset.file = p.file;
      li.dataset.element = p.element_id;
      if (p.lane) {  // a lane without a rule: lanes.js adds the rule's form
        li.dataset.lane = p.lane;
        li.dataset.process = p.process_id;
      }
      li.textContent = `${p.file || '-'}  ${p.element_id || '-'}  ${p.reason}`;
      li.onclick = async () => {
        if (p.file && files[p.file] !== undefined && p.file !== current) await open(p.file);
        const element = p.element_id && isDiagram(current) && get('elementRegistry').get(p.element_id);
        if (element) { get('selection').select(element); get('canvas').scrollToElement(element); }
      };
      ul.appendChild(li);
    });
    markProblems();
  }

  async function post(url) {
    await keepCurrent();
    const response = await fetch(url, {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrf },
      body: JSON.stringify({ files }) });
    if (!response.ok && response.status !== 400) throw new Error(`HTTP ${response.status}`);
    return { ok: response.ok, data: await response.json() };
  }

  $('validate').onclick = async () => {
    try {
      const { data } = await post(root.dataset.validate);
      showProblems(data.problems);
      status(data.problems.length ? T.invalid.replace('{n}', data.problems.length) : T.valid);
      root.dataset.validated = data.problems.length ? 'problems' : 'ok';
    } catch (err) { status(T.failed + err.message); }
  };

  $('deploy').onclick = async () => {
    status(T.deploying);
    try {
      const { ok, data } = await post(root.dataset.deploy);
      if (!ok) {
        showProblems(data.problems);
        status(T.refused.replace('{n}', data.problems.length));
        root.dataset.deployed = 'refused';
        return;
      }
      showProblems([]);
      const link = document.createElement('a');
      link.href = data.library_url;
      link.textContent = ' →';
      status(data.message);
      $('status').appendChild(link);
      root.dataset.deployed = String(data.version_id);
    } catch (err) { status(T.failed + err.message); }
  };

  // For the page's other scripts (designer_files.js adds and imports files).
  window.designer = { modeler, files, open, status, T };
  const first = Object.keys(files).filter(isDiagram).sort()[0];
  if (first) open(first).then(() => { root.dataset.ready = 'true'; });
})();
