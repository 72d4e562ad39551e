// One-tap sign-in (第十九条1). Location is read once, at the tap (no tracking). A sign-in made
// without a connection is kept in localStorage and sent when the phone is back online the same day;
// the server keeps both the phone's time and its own.
//
// "The same day" is the day in Beijing time, as the server counts it (decision 0043): a sign-in
// saved at 07:30 is 23:30 UTC of the day before. A saved sign-in stays on the phone until the server
// has answered; one that cannot be sent any more (a past day) or that the server refused is never
// dropped silently — the cadre is told which sign-in it was and what to do, until they dismiss it.
(function () {
  "use strict";
  var card = document.getElementById("signin-card");
  if (!card) return;
  var api = card.dataset.api;
  var csrf = card.dataset.csrf;
  var button = document.getElementById("signin-button");
  var message = document.getElementById("signin-message");
  var unsentBox = document.getElementById("signin-unsent");
  var KEY = "zhucun.pendingSignin"; // the sign-in waiting to be sent (its payload)
  var UNSENT = "zhucun.unsentSignins"; // sign-ins that will not be counted, until the cadre dismisses them
  var sending = false;

  // The date and time in Beijing (Asia/Shanghai, UTC+8 all year since 1991), whatever the phone's zone.
  var beijing = null;
  try {
    beijing = new Intl.DateTimeFormat("en-CA", {
      timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23",
    });
  } catch (e) { beijing = null; }
  function beijingParts(date) {
    var parts = {};
    if (beijing && beijing.formatToParts) {
      beijing.formatToParts(date).forEach(function (p) { parts[p.type] = p.value; });
    } else {
      var shifted = new Date(date.getTime() + 8 * 3600 * 1000);
      var two = function (n) { return (n < 10 ? "0" : "") + n; };
      parts = { year: String(shifted.getUTCFullYear()), month: two(shifted.getUTCMonth() + 1),
        day: two(shifted.getUTCDate()), hour: two(shifted.getUTCHours()), minute: two(shifted.getUTCMinutes()) };
    }
    if (parts.hour === "24") parts.hour = "00";
    return parts;
  }
  function beijingDay(date) {
    var p = beijingParts(date);
    return p.year + "-" + p.month + "-" + p.day;
  }
  function label(deviceTime) {
    var p = beijingParts(new Date(deviceTime));
    return Number(p.month) + "月" + Number(p.day) + "日 " + p.hour + ":" + p.minute;
  }

  function say(text, kind) {
    message.textContent = text;
    message.className = "small mt-2 " + (kind === "error" ? "text-danger" : "text-success");
  }
  function read(key, fallback) {
    try { var value = JSON.parse(localStorage.getItem(key)); return value === null ? fallback : value; }
    catch (e) { return fallback; }
  }
  function keepUnsent(payload, reason) {
    var list = read(UNSENT, []);
    list.push({ device_time: payload.device_time, client_id: payload.client_id, reason: reason });
    localStorage.setItem(UNSENT, JSON.stringify(list));
  }
  function showUnsent() {
    if (!unsentBox) return;
    var list = read(UNSENT, []);
    unsentBox.textContent = "";
    unsentBox.hidden = list.length === 0;
    list.forEach(function (item) {
      var line = document.createElement("p");
      line.className = "mb-2";
      line.textContent = "您 " + label(item.device_time) + " 保存在手机上的签到没有发送成功：" + item.reason +
        "系统里这一天没有您的这次签到。如当天您确实在村，请告诉工作队长或乡镇，在缺岗记录中说明情况、申请排除。";
      unsentBox.appendChild(line);
    });
    if (list.length) {
      var ok = document.createElement("button");
      ok.type = "button";
      ok.className = "btn btn-sm btn-outline-danger";
      ok.textContent = "我知道了";
      ok.setAttribute("data-testid", "signin-unsent-dismiss");
      ok.addEventListener("click", function () { localStorage.removeItem(UNSENT); showUnsent(); });
      unsentBox.appendChild(ok);
    }
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
      return response.json().then(
        function (body) { return { status: response.status, ok: response.ok, body: body }; },
        function () { return { status: response.status, ok: response.ok, body: {} }; }
      );
    });
  }
  function firstError(body) {
    if (body.detail) return Array.isArray(body.detail) ? body.detail[0] : body.detail;
    for (var key in body) { if (Array.isArray(body[key])) return body[key][0]; }
    return "签到失败，请稍后重试。";
  }
  function submit(payload, saved) {
    if (sending) return;
    sending = true;
    send(payload).then(function (result) {
      sending = false;
      if (result.ok) {
        localStorage.removeItem(KEY);
        say(saved ? label(payload.device_time) + " 保存在手机上的签到已补传成功，正在刷新…" : "签到成功，正在刷新…");
        window.location.reload();
      } else if (result.status >= 500 || result.status === 401 || result.status === 403 || result.status === 429) {
        // Not an answer about this sign-in (the server is down, or the login has lapsed): keep it.
        localStorage.setItem(KEY, JSON.stringify(payload));
        say(result.status >= 500 || result.status === 429
          ? "服务器暂时无法接收，签到已保存在手机上，稍后会自动补传（仅限当天）。"
          : "登录已失效，请重新登录后回到本页，保存在手机上的签到会自动补传（仅限当天）。", "error");
        if (button) button.disabled = false;
      } else {
        localStorage.removeItem(KEY);
        if (saved) {
          keepUnsent(payload, firstError(result.body));
          showUnsent();
          say("");
        } else {
          say(firstError(result.body), "error");
        }
        if (button) button.disabled = false;
      }
    }, function () {
      sending = false;
      localStorage.setItem(KEY, JSON.stringify(payload));
      say("网络不通，签到已保存在手机上（" + label(payload.device_time) + "），联网后会自动补传（仅限当天）。");
      if (button) button.disabled = false;
    });
  }
  function flushPending() {
    var payload = read(KEY, null);
    if (!payload || !payload.device_time) return;
    if (beijingDay(new Date(payload.device_time)) < beijingDay(new Date())) {
      // A past day: the server no longer accepts it (离线签到只能当天补交). Tell the cadre, keep it shown.
      localStorage.removeItem(KEY);
      keepUnsent(payload, "离线签到只能在当天联网补传，这条签到到当天结束时仍未发出。");
      showUnsent();
      return;
    }
    say("正在补传 " + label(payload.device_time) + " 保存在手机上的签到…");
    submit(payload, true);
  }
  if (button) {
    button.addEventListener("click", function () {
      if (read(KEY, null)) { flushPending(); return; } // the saved sign-in is the day's sign-in
      if (!navigator.geolocation) { say("手机浏览器不支持定位，无法签到。", "error"); return; }
      button.disabled = true;
      say("正在获取位置…");
      navigator.geolocation.getCurrentPosition(function (position) {
        submit({
          client_id: uuid(),
          latitude: position.coords.latitude,
          longitude: position.coords.longitude,
          device_time: new Date().toISOString(),
        }, false);
      }, function () {
        button.disabled = false;
        say("无法获取位置：请在手机设置中允许浏览器使用定位后重试。", "error");
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 0 });
    });
  }
  window.addEventListener("online", flushPending);
  showUnsent();
  flushPending();
})();
