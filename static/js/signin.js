// One-tap sign-in (第十九条1). Location is read once, at the tap (no tracking). A sign-in made
// without a connection is kept in localStorage and sent when the phone is back online the same day;
// the server keeps both the phone's time and its own.
(function () {
  "use strict";
  var card = document.getElementById("signin-card");
  if (!card) return;
  var api = card.dataset.api;
  var csrf = card.dataset.csrf;
  var button = document.getElementById("signin-button");
  var message = document.getElementById("signin-message");
  var KEY = "zhucun.pendingSignin";

  function say(text, kind) {
    message.textContent = text;
    message.className = "small mt-2 " + (kind === "error" ? "text-danger" : "text-success");
  }
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".replace(/[xy]/g, function (c) {
      var r = (Math.random() * 16) | 0;
      return (c === "x" ? r : (r & 0x3) | 0x8).toString(16);
    });
  }
  function send(payload) {
    return fetch(api, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
      body: JSON.stringify(payload),
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    });
  }
  function firstError(body) {
    if (body.detail) return Array.isArray(body.detail) ? body.detail[0] : body.detail;
    for (var key in body) { if (Array.isArray(body[key])) return body[key][0]; }
    return "签到失败，请稍后重试。";
  }
  function submit(payload) {
    return send(payload).then(function (result) {
      if (result.ok) {
        localStorage.removeItem(KEY);
        say("签到成功，正在刷新…");
        window.location.reload();
      } else {
        localStorage.removeItem(KEY);
        say(firstError(result.body), "error");
        if (button) button.disabled = false;
      }
    }, function () {
      localStorage.setItem(KEY, JSON.stringify(payload));
      say("网络不通，签到已保存在手机上，联网后会自动补传（仅限当天）。");
    });
  }
  function flushPending() {
    var saved = localStorage.getItem(KEY);
    if (!saved) return;
    var payload = JSON.parse(saved);
    if (payload.device_time.slice(0, 10) !== new Date().toISOString().slice(0, 10)) {
      localStorage.removeItem(KEY);
      return;
    }
    say("正在补传离线签到…");
    submit(payload);
  }
  if (button) {
    button.addEventListener("click", function () {
      if (!navigator.geolocation) { say("手机浏览器不支持定位，无法签到。", "error"); return; }
      button.disabled = true;
      say("正在获取位置…");
      navigator.geolocation.getCurrentPosition(function (position) {
        submit({
          client_id: uuid(),
          latitude: position.coords.latitude,
          longitude: position.coords.longitude,
          device_time: new Date().toISOString(),
        });
      }, function () {
        button.disabled = false;
        say("无法获取位置：请在手机设置中允许浏览器使用定位后重试。", "error");
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 0 });
    });
  }
  window.addEventListener("online", flushPending);
  flushPending();
})();
