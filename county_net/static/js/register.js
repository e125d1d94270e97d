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

  // Two lists, never mixed: the person's other matters (context) and suggested repeats of this matter, each
  // with the signals that fired. The same examination runs again when the matter is saved.
  var candidates = document.getElementById("candidates");
  function list(rows, render) {
    var ul = document.createElement("ul");
    rows.forEach(function (row) { var li = document.createElement("li"); render(li, row); ul.appendChild(li); });
    return ul;
  }
  function showRepeats(data) {
    candidates.replaceChildren();
    if (!data) { return; }
    if (data.own_matters && data.own_matters.length) {
      var own = document.createElement("div");
      own.className = "box own";
      own.id = "own-matters";
      own.appendChild(text("strong", "本人其他事项（" + data.own_matters.length + " 件，仅供参考，不等于重复信访）"));
      own.appendChild(list(data.own_matters.slice(0, 8), function (li, m) {
        li.appendChild(link(m.url, m.number));
        li.appendChild(document.createTextNode(" " + m.received_on + " · " + m.category + " · " + m.state_label +
          " · " + m.summary));
      }));
      candidates.appendChild(own);
    }
    if (data.candidates && data.candidates.length) {
      var box = document.createElement("div");
      box.className = "box";
      box.id = "repeat-suggestions";
      box.appendChild(text("strong", "可能重复（保存后由接访员确认或否定）："));
      box.appendChild(list(data.candidates, function (li, c) {
        li.appendChild(link(c.url, c.number));
        li.appendChild(document.createTextNode(" 可能性 " + c.score + "% · " + c.reason_label + " · " + c.state_label +
          " · " + c.summary));
        var why = document.createElement("ul");
        why.className = "signals";
        c.signals.forEach(function (s) {
          why.appendChild(text("li", s.label + " " + (s.weight > 0 ? "+" : "") + s.weight.toFixed(1),
            s.weight < 0 ? "against" : "for"));
        });
        li.appendChild(why);
      }));
      candidates.appendChild(box);
    }
  }
  var pending = null;
  function checkRepeats() {
    var summary = form.elements.summary.value.trim();
    if (summary.length < 8) { candidates.replaceChildren(); return; }
    var people = [];
    form.querySelectorAll("fieldset.person").forEach(function (fs) {
      var id = fs.querySelector(".id-number").value.trim(), phone = fs.querySelector(".phone").value.trim();
      var name = fs.querySelector("input[name^=name_]").value.trim();
      if (id || name) { people.push({ id_number: id || null, name: name || null, phone: phone || null }); }
    });
    post(form.dataset.candidates, {
      summary: summary, demands: form.elements.demands.value,
      locality_unit_id: parseInt(form.elements.locality_unit_id.value, 10) || null,
      category_id: parseInt(form.elements.category_id.value, 10) || null, petitioners: people
    }).then(showRepeats);
  }
  function soon() {  // one request after the clerk pauses, not one per keystroke
    if (pending) { clearTimeout(pending); }
    pending = setTimeout(checkRepeats, 400);
  }
  ["summary", "demands", "category_id", "locality_unit_id"].forEach(function (name) {
    form.elements[name].addEventListener("change", soon);
  });
  form.addEventListener("change", function (event) {
    if (event.target.closest && event.target.closest("fieldset.person")) { soon(); }
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
