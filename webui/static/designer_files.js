// Process designer: add files to the package being edited — a new, empty process, or .bpmn /
// .dmn / .json files imported from the designer's computer (e.g. models written for SpiffArena).
// Nothing is sent until validate or deploy; the server checks every name and text again.
(() => {
  const d = window.designer;
  if (!d) return;
  const $ = (id) => document.getElementById(id);
  const NAME = /^[\w\-][\w.\-]*\.(bpmn|dmn|json)$/;  // the server's rule, without folders
  const MAX_BYTES = 1024 * 1024;

  function emptyProcess(id) {
    // One lane-less start event: the designer draws the rest (lanes, tasks, forms).
    return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="Definitions_${id}" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="${id}" name="${d.T.newProcess}" isExecutable="true">
    <bpmn:startEvent id="start" name="${d.T.startEvent}" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_${id}">
    <bpmndi:BPMNPlane id="BPMNPlane_${id}" bpmnElement="${id}">
      <bpmndi:BPMNShape id="start_di" bpmnElement="start">
        <dc:Bounds x="180" y="160" width="36" height="36" />
      </bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
`;
  }

  $('new-process').onclick = () => {
    const id = $('new-process-id').value.trim();
    if (!/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(id)) return d.status(d.T.badProcessId);
    const name = `${id}.bpmn`;
    if (d.files[name] !== undefined) return d.status(d.T.exists);
    d.files[name] = emptyProcess(id);
    $('new-process-id').value = '';
    d.open(name);
  };

  $('import-files').onchange = async (event) => {
    const added = [];
    const refused = [];
    for (const file of event.target.files) {
      if (!NAME.test(file.name) || file.size > MAX_BYTES || d.files[file.name] !== undefined) {
        refused.push(file.name);
        continue;
      }
      d.files[file.name] = await file.text();
      added.push(file.name);
    }
    event.target.value = '';
    const first = added.find((n) => n.endsWith('.bpmn')) || added[0];
    if (first) await d.open(first);  // also redraws the tabs
    const parts = [];
    if (added.length) parts.push(d.T.imported.replace('{names}', added.join('、')));
    if (refused.length) parts.push(d.T.notImported.replace('{names}', refused.join('、')));
    d.status(parts.join(' '));
  };
})();
