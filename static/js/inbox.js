// The leave inbox (请假审批): bulk approval, keyboard navigation and the ticking countdowns. A static
// file, not an inline script, under the Content-Security-Policy (decision 0041).
(function () {
  "use strict";
  const rows = Array.from(document.querySelectorAll('.zc-inbox-row'));
  const checks = Array.from(document.querySelectorAll('.zc-check'));
  const openBtn = document.getElementById('bulk-open');
  const rejectBtn = document.getElementById('bulk-reject-open');
  const ticked = () => checks.filter(c => c.checked && document.body.contains(c));
  function refresh() {
    const n = ticked().length;
    if (openBtn) { openBtn.disabled = n === 0; document.getElementById('bulk-count').textContent = n; }
    if (rejectBtn) { rejectBtn.disabled = n === 0; document.getElementById('bulk-reject-count').textContent = n; }
  }
  checks.forEach(c => c.addEventListener('change', refresh));
  const all = document.getElementById('check-all');
  if (all) all.addEventListener('change', () => { checks.forEach(c => { c.checked = all.checked; }); refresh(); });
  // The confirmation lists what will be approved or rejected (prefix: bulk- or bulk-reject-).
  function confirmDialog(prefix) {
    const list = document.getElementById(prefix + 'list');
    list.innerHTML = '';
    ticked().forEach(c => {
      const li = document.createElement('li');
      li.textContent = c.closest('tr').dataset.summary;
      list.appendChild(li);
    });
    document.getElementById(prefix + 'modal-count').textContent = list.children.length;
    bootstrap.Modal.getOrCreateInstance(document.getElementById(prefix + 'modal')).show();
  }
  if (openBtn) openBtn.addEventListener('click', () => confirmDialog('bulk-'));
  if (rejectBtn) rejectBtn.addEventListener('click', () => confirmDialog('bulk-reject-'));
  // Below the xl layout the panel is a full-screen sheet while a request is open (leave.css).
  const holder = document.querySelector('.zc-panel');
  let opener = null;
  const narrow = window.matchMedia('(max-width: 1199.98px)');
  function openPanel(row) {
    if (!narrow.matches) return;  // side by side: nothing covers the list
    opener = row; holder?.classList.add('zc-panel-open'); document.body.classList.add('zc-panel-lock'); holder?.scrollTo(0, 0);
  }
  function closePanel() {
    if (!holder?.classList.contains('zc-panel-open')) return;
    holder.classList.remove('zc-panel-open'); document.body.classList.remove('zc-panel-lock');
    if (opener && document.body.contains(opener)) { opener.scrollIntoView({block: 'center'}); opener.focus(); }
  }
  document.addEventListener('click', (e) => { if (e.target.closest('.zc-panel-close')) closePanel(); });
  document.addEventListener('keydown', (e) => { if (e.key === 'Escape') closePanel(); });
  narrow.addEventListener('change', () => { if (!narrow.matches) closePanel(); });  // widened: side by side again
  rows.forEach(r => r.addEventListener('click', () => { rows.forEach(o => o.classList.remove('table-active')); r.classList.add('table-active'); openPanel(r); }));
  // Enter opens a row like a click does (htmx's keyup[key=='Enter'] filter would need eval).
  rows.forEach(r => r.addEventListener('keyup', (e) => { if (e.key === 'Enter' && e.target === r) r.click(); }));
  // Ticking a box selects the row for bulk approval without opening it.
  document.querySelectorAll('.zc-check-cell').forEach(td => td.addEventListener('click', (e) => e.stopPropagation()));
  document.addEventListener('keydown', (e) => {
    const tag = (e.target.tagName || '').toLowerCase();
    if (tag === 'textarea' || tag === 'input' && e.target.type !== 'checkbox') return;
    const live = rows.filter(r => document.body.contains(r));
    const i = live.indexOf(document.activeElement);
    if (e.key === 'ArrowDown' || e.key === 'j') { (live[i + 1] || live[0])?.focus(); e.preventDefault(); }
    else if (e.key === 'ArrowUp' || e.key === 'k') { (live[i - 1] || live[live.length - 1])?.focus(); e.preventDefault(); }
    else if (e.key === ' ' && i >= 0) { const c = live[i].querySelector('.zc-check'); c.checked = !c.checked; refresh(); e.preventDefault(); }
  });
  // The countdown badges tick every 30 seconds (the server's deadline, the browser's clock).
  function tick() {
    document.querySelectorAll('[data-due]').forEach(b => {
      const left = new Date(b.dataset.due) - new Date();
      const m = Math.floor(Math.abs(left) / 60000), h = Math.floor(m / 60), r = m % 60;
      const span = h ? h + '小时' + String(r).padStart(2, '0') + '分' : r + '分钟';
      b.classList.remove('zc-countdown-ok', 'zc-countdown-soon', 'zc-countdown-overdue');
      b.classList.add(left <= 0 ? 'zc-countdown-overdue' : left < 7200000 ? 'zc-countdown-soon' : 'zc-countdown-ok');
      b.lastChild.textContent = left <= 0 ? ' 已超时 ' + span : ' 剩 ' + span;
    });
  }
  setInterval(tick, 30000);
})();
