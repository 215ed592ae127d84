// The draft page of a suggestion submitted online (提出建议): as the deputy types, ask the server
// for the most similar registered suggestions with their replies, and for the quality hints.
// Everything shown is set as text (never as HTML).
(function () {
  var panel = document.getElementById("intake-similar");
  var form = document.getElementById("task-form");
  if (!panel || !form) return;
  var title = form.querySelector("[name='title']");
  var body = form.querySelector("[name='body']");
  var research = form.querySelector("[name='from_research']");
  var token = form.querySelector("input[name='csrf_token']");
  var list = document.getElementById("intake-similar-list");
  var hints = document.getElementById("intake-hint-list");
  var hintCard = document.getElementById("intake-hints");
  var timer = null;
  // The lead deputy is on the deputies' list too, but cannot co-sign their own suggestion.
  var own = form.querySelector("input[name='co_signers'][value='" + panel.dataset.lead + "']");
  if (own && !own.checked && own.parentNode.tagName === "LABEL") own.parentNode.hidden = true;

  function item(text, className) {
    var li = document.createElement("li");
    li.textContent = text;
    if (className) li.className = className;
    return li;
  }

  function show(found) {
    list.textContent = "";
    if (!found.similar.length) list.appendChild(item(panel.dataset.none, "hint"));
    found.similar.forEach(function (s) {
      var li = document.createElement("li");
      li.className = "similar";
      var head = document.createElement("strong");
      head.textContent = s.year + " · " + panel.dataset.number.replace("{n}", s.number) + " · " + s.title;
      li.appendChild(head);
      var replies = document.createElement("ul");
      if (!s.replies.length) replies.appendChild(item(panel.dataset.noReply, "hint"));
      s.replies.forEach(function (r) {
        replies.appendChild(item(r.unit + " · " + panel.dataset.class.replace("{c}", r.answer_class)
                                 + "：" + r.excerpt, "reply"));
      });
      li.appendChild(replies);
      list.appendChild(li);
    });
    hints.textContent = "";
    if (!found.hints.length) hints.appendChild(item(hintCard.dataset.none, "hint"));
    found.hints.forEach(function (h) { hints.appendChild(item(h.text, "hint-" + h.code)); });
  }

  function ask() {
    var data = new URLSearchParams();
    data.set("title", title ? title.value : "");
    data.set("body", body ? body.value : "");
    data.set("from_research", research && research.checked ? "1" : "");
    fetch(panel.dataset.url, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "X-CSRFToken": token ? token.value : "" }
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (found) {
      if (found) show(found);
    }).catch(function () { /* the panel is a help: the form works without it */ });
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(ask, 400);
  }
  [title, body].forEach(function (el) { if (el) el.addEventListener("input", later); });
  if (research) research.addEventListener("change", later);
  ask();
})();
