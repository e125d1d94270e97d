// The registration desk: show a petitioner's earlier matters while the ID number is typed, and possible
// repeats before saving. Ctrl+Enter saves. No inline script: the CSP allows only this file.
(function () {
  "use strict";
  var form = document.getElementById("register");
  if (!form) { return; }
  var token = document.getElementById("csrf_token").value;

  function post(url, body) {
    return fetch(url, {
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

  function link(href, label) {
    var a = text("a", label);
    a.href = href;
    return a;
  }

  var history = document.getElementById("history");
  function showHistory(data) {
    history.replaceChildren();
    if (!data || !data.found) { return; }
    var p = data.petitioner, box = document.createElement("div");
    box.className = "box";
    box.appendChild(text("strong", p.name + " 曾来信来访 " + p.matters.length + " 次"));
    var list = document.createElement("ul");
    p.matters.slice(0, 5).forEach(function (m) {
      var li = document.createElement("li");
      li.appendChild(link(m.url, m.number));
      li.appendChild(document.createTextNode(" " + m.state_label + " · " + m.summary));
      list.appendChild(li);
    });
    box.appendChild(list);
    p.replies.slice(0, 2).forEach(function (r) {
      box.appendChild(text("p", "答复（" + r.number + "）：" + r.outcome_label + "。" + (r.facts || ""), "prose"));
    });
    history.appendChild(box);
  }

  form.addEventListener("input", function (event) {
    var el = event.target;
    if (el.classList.contains("id-number")) {
      var value = el.value.trim().toUpperCase();
      if (value.length === 18) {
        post(form.dataset.lookup, { id_number: value }).then(function (data) {
          showHistory(data);
          // A known person: their name comes from the file, unless the clerk has typed one already.
          var name = el.closest("fieldset").querySelector("input[name^=name_]");
          if (data && data.found && data.petitioner.name && !name.value.trim()) { name.value = data.petitioner.name; }
        });
      }
    }
  });
  form.addEventListener("change", function (event) {
    var el = event.target;
    if (el.classList.contains("phone")) {
      var box = el.closest("fieldset"), name = box.querySelector("input[name^=name_]").value.trim();
      if (name && el.value.trim().length >= 7) {
        post(form.dataset.lookup, { name: name, phone: el.value.trim() }).then(showHistory);
      }
    }
  });

  var candidates = document.getElementById("candidates");
  function checkRepeats() {
    var summary = form.elements.summary.value.trim();
    if (summary.length < 8) { return; }
    var people = [];
    form.querySelectorAll("fieldset.person").forEach(function (fs) {
      var id = fs.querySelector(".id-number").value.trim(), phone = fs.querySelector(".phone").value.trim();
      var name = fs.querySelector("input[name^=name_]").value.trim();
      if (id || (name && phone)) { people.push({ id_number: id || null, name: name || null, phone: phone || null }); }
    });
    post(form.dataset.candidates, {
      summary: summary, demands: form.elements.demands.value,
      locality_unit_id: parseInt(form.elements.locality_unit_id.value, 10) || null,
      category_id: parseInt(form.elements.category_id.value, 10) || null, petitioners: people
    }).then(function (data) {
      candidates.replaceChildren();
      if (!data || !data.candidates.length) { return; }
      var box = document.createElement("div");
      box.className = "box";
      box.appendChild(text("strong", "可能是重复信访（保存后确认）："));
      var list = document.createElement("ul");
      data.candidates.forEach(function (c) {
        var li = document.createElement("li");
        li.appendChild(link(c.url, c.number));
        li.appendChild(document.createTextNode(" 相似度 " + c.score + "% · " + c.state_label + " · " + c.summary));
        list.appendChild(li);
      });
      box.appendChild(list);
      candidates.appendChild(box);
    });
  }
  ["summary", "category_id", "locality_unit_id"].forEach(function (name) {
    form.elements[name].addEventListener("change", checkRepeats);
  });

  // One fieldset per allowed representative is on the page; when none is left hidden, the limit is reached.
  var addPerson = document.getElementById("add-person"), addHint = document.getElementById("add-person-hint");
  function markLimit() {
    var full = !form.querySelector("fieldset.person[hidden]");
    addPerson.disabled = full;
    addHint.hidden = !full;
  }
  addPerson.addEventListener("click", function () {
    var hidden = form.querySelector("fieldset.person[hidden]");
    if (hidden) { hidden.hidden = false; hidden.querySelector("input").focus(); }
    markLimit();
  });
  markLimit();
  form.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { form.requestSubmit(); }
  });
})();
