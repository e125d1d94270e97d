/* The hall's display board: polls its state JSON and redraws in place, never reloading the page, and keeps
   the clock on the server's time. Configuration comes from data- attributes on <body> (no inline script). */
(function () {
  "use strict";
  var body = document.getElementById("hall-board");
  if (!body) { return; }
  var url = body.getAttribute("data-state-url");
  var seconds = Math.min(3, Math.max(1, parseInt(body.getAttribute("data-poll-seconds"), 10) || 2));
  // Server time minus this screen's clock: a TV's own clock is often wrong.
  var offset = Date.parse(body.getAttribute("data-server-now")) - Date.now();
  if (isNaN(offset)) { offset = 0; }
  // Read by the browser test: the same object for as long as the page lives, so a reload would show.
  var marker = window.hallBoard = { loadedAt: Date.now(), polls: 0, failures: 0, state: null };

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function fill(id, nodes) {
    var box = document.getElementById(id);
    box.replaceChildren.apply(box, nodes);
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function tick() {
    // Shown in Asia/Shanghai (UTC+8, no daylight saving) whatever the screen's own zone.
    var d = new Date(Date.now() + offset + 8 * 3600 * 1000);
    document.getElementById("board-clock").textContent =
      pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()) + ":" + pad(d.getUTCSeconds());
  }

  function sessionLine(s, withDay) {
    var li = el("li");
    if (withDay) { li.appendChild(document.createTextNode(s.day.slice(5) + " ")); }
    li.appendChild(document.createTextNode(s.starts + "–" + s.ends + " "));
    li.appendChild(el("b", null, s.leader_name));
    var rest = " " + s.leader_post + " · " + s.form_label + " · " + s.place + (s.held ? " · 已接访" : "");
    li.appendChild(document.createTextNode(rest));
    return li;
  }

  function draw(state) {
    document.getElementById("board-hall").textContent = state.hall;
    document.getElementById("board-date").textContent = state.day_label;
    var calling = state.calling.map(function (c) {
      var line = el("div", "calling-line");
      line.appendChild(document.createTextNode("请 "));
      line.appendChild(el("b", "ticket", c.ticket));
      line.appendChild(document.createTextNode(" 号到 "));
      line.appendChild(el("b", null, String(c.window)));
      line.appendChild(document.createTextNode(" 号窗口（" + c.window_name + "）"));
      return line;
    });
    fill("board-calling", calling);
    document.getElementById("board-calling").hidden = calling.length === 0;
    var rows = state.windows.map(function (w) {
      var tr = el("tr");
      tr.setAttribute("data-window", String(w.number));
      var name = el("td", "w-name");
      name.appendChild(el("span", "w-no", w.number + "号"));
      name.appendChild(document.createTextNode(" " + w.name));
      var serving = el("td", "w-serving");
      if (w.serving.length === 0) { serving.appendChild(el("span", "muted", "—")); }
      w.serving.forEach(function (s) {
        var t = el("span", "ticket" + (s.calling ? " calling" : ""), s.ticket);
        t.setAttribute("data-state", s.state);
        serving.appendChild(t);
      });
      tr.appendChild(name);
      tr.appendChild(serving);
      tr.appendChild(el("td", "w-waiting", String(w.waiting)));
      return tr;
    });
    if (rows.length === 0) {
      var empty = el("tr");
      var cell = el("td", "muted", "暂无开放窗口");
      cell.colSpan = 3;
      empty.appendChild(cell);
      rows.push(empty);
    }
    fill("board-windows", rows);
    var today = state.leaders_today.map(function (s) { return sessionLine(s, false); });
    fill("board-today", today.length ? today : [el("li", "muted", "今日无领导接访安排")]);
    var rota = state.rota.map(function (s) { return sessionLine(s, true); });
    fill("board-rota", rota.length ? rota : [el("li", "muted", "暂无已公布的安排")]);
    document.getElementById("board-waiting-total").textContent = String(state.waiting_total);
    var serverNow = Date.parse(state.now);
    if (!isNaN(serverNow)) { offset = serverNow - Date.now(); }
    if (state.poll_seconds) { seconds = Math.min(3, Math.max(1, state.poll_seconds)); }
  }

  function poll() {
    fetch(url, { cache: "no-store", credentials: "omit", headers: { "Accept": "application/json" } })
      .then(function (resp) {
        if (!resp.ok) { throw new Error("HTTP " + resp.status); }
        return resp.json();
      })
      .then(function (state) {
        marker.polls += 1;
        marker.state = state;
        draw(state);
        document.getElementById("board-stale").hidden = true;
      })
      .catch(function () {
        marker.failures += 1;
        document.getElementById("board-stale").hidden = false;
      })
      .then(function () { window.setTimeout(poll, seconds * 1000); });
  }

  tick();
  window.setInterval(tick, 1000);
  window.setTimeout(poll, seconds * 1000);
})();
