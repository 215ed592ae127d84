// Forms drawn from a JSON Schema and its uiSchema (macros/form.html): conditional fields shown only
// while their condition holds, and repeating rows added and removed. The server applies the same
// conditions to what is submitted (webui/forms.py), so a hidden field's value is never kept.
// Without this script every field shows, and a form's rows are the ones kept plus an empty one.
(function () {
  'use strict';

  // The value of a field as the condition sees it: null when absent (nothing chosen or typed).
  function valueOf(scope, name) {
    var inputs = scope.querySelectorAll('[name="' + CSS.escape(name) + '"]');
    if (!inputs.length) return null;
    var first = inputs[0];
    if (first.type === 'radio') {
      for (var i = 0; i < inputs.length; i++) if (inputs[i].checked) return inputs[i].value;
      return null;
    }
    if (first.type === 'checkbox' && inputs.length === 1) return first.checked ? 'true' : 'false';
    return first.value === '' ? null : first.value;
  }

  function clauseHolds(scope, prefix, c) {
    var value = valueOf(scope, prefix + c.f);
    var holds;
    if (value === null) holds = !!c.absent_ok;
    else if (c.in === null) holds = true;
    else holds = c.in.map(String).indexOf(value) >= 0;
    return c.not ? !holds : holds;
  }

  function refresh(root) {
    root.querySelectorAll('[data-show-when]').forEach(function (el) {
      if (el.closest('template')) return;
      var alternatives = JSON.parse(el.dataset.showWhen);
      var prefix = el.dataset.prefix || '';
      var shown = alternatives.some(function (all) {
        return all.every(function (c) { return clauseHolds(root, prefix, c); });
      });
      el.hidden = !shown;
      el.querySelectorAll('input, select, textarea').forEach(function (input) {
        input.disabled = !shown;  // a hidden field is not sent
      });
    });
  }

  // Rows are numbered 0, 1, 2… in the names the server reads ("contacts.1.name").
  function renumber(list) {
    var base = list.dataset.rows + '.';
    Array.prototype.forEach.call(list.children, function (row, index) {
      row.querySelectorAll('[name], [id], [for], [data-prefix], [data-field]').forEach(function (el) {
        ['name', 'id', 'for', 'data-prefix', 'data-field'].forEach(function (attr) {
          var old = el.getAttribute(attr);
          if (old === null) return;
          var at = old.indexOf(base);
          if (at < 0) return;
          var rest = old.slice(at + base.length);
          var dot = rest.indexOf('.');
          if (dot < 0) return;
          el.setAttribute(attr, old.slice(0, at) + base + index + rest.slice(dot));
        });
      });
    });
  }

  function init(root) {
    if (!root || root.dataset.formsReady) return;
    root.dataset.formsReady = '1';
    root.addEventListener('click', function (event) {
      var add = event.target.closest('.add-row');
      var remove = event.target.closest('.remove-row');
      if (add) {
        var group = add.closest('fieldset.rows');
        var list = group.querySelector('.rows-list');
        if (list.children.length >= Number(list.dataset.max || 100)) return;
        var template = group.querySelector('template.row-template');
        list.appendChild(template.content.cloneNode(true));
        renumber(list);
        refresh(root);
      } else if (remove) {
        var row = remove.closest('.row');
        var rows = row.parentElement;
        row.remove();
        renumber(rows);
        refresh(root);
      }
    });
    root.addEventListener('change', function () { refresh(root); });
    root.addEventListener('input', function () { refresh(root); });
    refresh(root);
  }

  window.JianyiForms = { init: init };
  document.querySelectorAll('form').forEach(init);
})();
