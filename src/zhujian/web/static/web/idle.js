// Idle sign-out warning (zhujian.core.sessions). The server ends a session that sends no
// request for data-idle-seconds; this page counts the same time from its last request,
// shows a warning data-idle-warning-seconds before the end with a "continue" button
// (which posts to the keep-alive address), and goes to the login page when time is up.
(function () {
  "use strict";
  var body = document.body;
  var total = Number(body.dataset.idleSeconds || 0);
  if (!total) return;
  var warnBefore = Number(body.dataset.idleWarningSeconds || 0);
  var box = document.getElementById("idle-warning");
  var countdown = document.getElementById("idle-countdown");
  var button = document.getElementById("idle-continue");
  var deadline = 0;
  var ticker = null;

  function restart() {
    deadline = Date.now() + total * 1000;
    box.hidden = true;
  }

  function tick() {
    var left = Math.ceil((deadline - Date.now()) / 1000);
    if (left <= 0) {
      clearInterval(ticker);
      var next = encodeURIComponent(location.pathname + location.search);
      location.assign(body.dataset.loginUrl + "?next=" + next + "&idle=1");
      return;
    }
    if (left <= warnBefore) {
      countdown.textContent = String(left);
      box.hidden = false;
    }
  }

  button.addEventListener("click", function () {
    var token = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    fetch(body.dataset.keepaliveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token ? decodeURIComponent(token[1]) : "" },
    }).then(function (response) {
      if (response.ok) restart();
      else location.assign(body.dataset.loginUrl);
    });
  });
  // htmx requests reach the server too: they count as activity.
  document.addEventListener("htmx:afterRequest", restart);
  restart();
  ticker = setInterval(tick, 1000);
})();
