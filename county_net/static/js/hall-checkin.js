// The hall's check-in: while an ID number is typed (or a name and phone), show the person's earlier matters
// and the answers given, and fill the name from the file. The same lookup as the registration desk; no inline
// script (the CSP allows only files like this one).
(function () {
  "use strict";
  var form = document.getElementById("check-in-form");
  if (!form) { return; }
  var token = document.getElementById("csrf_token").value;
  var history = document.getElementById("history");

  function post(body) {
    return fetch(form.dataset.lookup, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify(body)
    }).then(function (r) { return r.ok ? r.json() : null; });
  }

  function text(tag, content, cls) {
    var el = document.createElement(tag);
    el.textContent = content;
    if (cls) { el.className = cls; }
    return el;
  }

  function show(data) {
    history.replaceChildren();
    if (!data || !data.found) { return; }
    var p = data.petitioner, box = document.createElement("div");
    box.className = "flash";
    box.appendChild(text("strong", p.name + " 曾来信来访 " + p.matters.length + " 次"));
    var list = document.createElement("ul");
    p.matters.slice(0, 5).forEach(function (m) {
      var li = document.createElement("li"), a = text("a", m.number);
      a.href = m.url;
      li.appendChild(a);
      li.appendChild(document.createTextNode(" " + m.state_label + " · " + m.summary));
      list.appendChild(li);
    });
    box.appendChild(list);
    p.replies.slice(0, 2).forEach(function (r) {
      box.appendChild(text("p", "答复（" + r.number + "）：" + r.outcome_label + "。" + (r.facts || ""), "prose"));
    });
    history.appendChild(box);
  }

  function row(el) {
    var match = /^people-(\d+)-/.exec(el.name || "");
    return match ? match[1] : null;
  }

  form.addEventListener("input", function (event) {
    var el = event.target, index = row(el);
    if (index === null || !/-id_number$/.test(el.name)) { return; }
    var value = el.value.trim().toUpperCase();
    if (value.length !== 18) { return; }
    post({ id_number: value }).then(function (data) {
      show(data);
      var name = form.elements["people-" + index + "-name"];
      if (data && data.found && data.petitioner.name && !name.value.trim()) { name.value = data.petitioner.name; }
    });
  });
  form.addEventListener("change", function (event) {
    var el = event.target, index = row(el);
    if (index === null || !/-phone$/.test(el.name)) { return; }
    var name = form.elements["people-" + index + "-name"].value.trim();
    if (name && el.value.trim().length >= 7) { post({ name: name, phone: el.value.trim() }).then(show); }
  });
}());
