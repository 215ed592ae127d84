// Case diagram: bpmn-js viewer, active elements highlighted, completed ones shaded.
document.querySelectorAll('.diagram').forEach(async (container) => {
  const viewer = new BpmnJS({ container });
  const xml = await (await fetch(container.dataset.url, { credentials: 'same-origin' })).text();
  try {
    await viewer.importXML(xml);
  } catch (err) {
    container.textContent = 'diagram error: ' + err.message;
    return;
  }
  const canvas = viewer.get('canvas');
  const registry = viewer.get('elementRegistry');
  const mark = (ids, cls) => ids.split(' ').filter(Boolean).forEach((id) => {
    if (registry.get(id)) canvas.addMarker(id, cls);
  });
  mark(container.dataset.done, 'done');
  mark(container.dataset.active, 'active');
  canvas.zoom('fit-viewport');
  container.dataset.ready = 'true';
});
