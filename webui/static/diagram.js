// Case diagram: bpmn-js viewer, active elements highlighted, completed ones shaded.
// The stored BPMN is read as text and parsed by bpmn-js, never opened as a document: the server
// sends it as a plain-text download, so markup planted in it has nothing to run in.
// Every named element of a parsed model whose id has a label gets that label as its name.
function relabel(root, labels) {
  const seen = new Set();
  const visit = (node) => {
    if (!node || typeof node !== 'object' || seen.has(node)) return;
    seen.add(node);
    if (Array.isArray(node)) { node.forEach(visit); return; }
    if (typeof node.id === 'string' && typeof node.name === 'string' &&
        Object.prototype.hasOwnProperty.call(labels, node.id)) node.name = labels[node.id];
    Object.keys(node).filter((key) => !key.startsWith('$')).forEach((key) => visit(node[key]));
  };
  visit(root);
}

document.querySelectorAll('.diagram').forEach(async (container) => {
  const viewer = new BpmnJS({ container });
  try {
    const response = await fetch(container.dataset.url, { credentials: 'same-origin' });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    // The model is parsed, relabelled in the reader's language (data-labels: element id ->
    // label, from the BPMN names and the catalogue), then drawn: the stored file is untouched.
    const { rootElement } = await viewer.get('moddle').fromXML(await response.text(),
      'bpmn:Definitions');
    relabel(rootElement, JSON.parse(container.dataset.labels || '{}'));
    await viewer.importDefinitions(rootElement);
  } catch (err) {
    container.textContent = 'diagram error: ' + err.message;
    return;
  }
  const canvas = viewer.get('canvas');
  const registry = viewer.get('elementRegistry');
  // Containers (subprocesses, call activities) get an outline only, so their content stays legible.
  const containers = ['bpmn:SubProcess', 'bpmn:CallActivity', 'bpmn:Transaction'];
  const mark = (ids, cls) => ids.split(' ').filter(Boolean).forEach((id) => {
    const element = registry.get(id);
    if (!element) return;
    const isContainer = containers.includes(element.type) && (element.children || []).length > 0;
    canvas.addMarker(id, isContainer ? cls + '-container' : cls);
  });
  mark(container.dataset.done, 'done');
  mark(container.dataset.active, 'active');
  // Show the whole process, or, when it is large, the first active step at a readable size.
  canvas.zoom('fit-viewport');
  const activeElements = container.dataset.active.split(' ').map((id) => registry.get(id))
    .filter(Boolean);
  const current = activeElements.find((el) => el.type === 'bpmn:UserTask') ||
    activeElements.find((el) => !containers.includes(el.type));
  if (current && canvas.zoom() < 0.6) {
    canvas.zoom(0.8);
    const box = canvas.viewbox();
    canvas.viewbox({ x: current.x + current.width / 2 - box.width / 2,
                     y: current.y + current.height / 2 - box.height / 2,
                     width: box.width, height: box.height });
  }
  container.dataset.ready = 'true';
});
