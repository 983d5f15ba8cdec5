/**
 * The minimal dashboard served at / (API_PORT): a property manager pastes an API key, sees the
 * alerts of its communities update live (SSE over fetch, since EventSource cannot send the
 * Authorization header; it reconnects with Last-Event-ID), and acknowledges or resolves them.
 * Everything shown is set with textContent, never parsed as HTML. The key stays in the tab
 * (sessionStorage). Below the alerts, the criteria of each community in the key's scope with
 * their status, and the evidence reports (criteria 5, 10, 12) to download as HTML or CSV for the
 * chosen period (fetched with the key, saved from a blob). No build step, no framework: one page,
 * one script, a strict CSP.
 */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="zh">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>greenwatch · 告警</title>
<link rel="stylesheet" href="/dashboard.css">
</head>
<body>
<header><h1>greenwatch 告警 Alerts</h1><span id="live" class="off">offline</span></header>
<form id="login">
  <label>API key <input id="key" type="password" autocomplete="off" required></label>
  <button type="submit">Connect 连接</button>
</form>
<section id="main" hidden>
  <p>
    <label>Name 姓名 <input id="by" maxlength="100"></label>
    <label>Comment 备注 <input id="comment" maxlength="2000"></label>
    <label>Show <select id="filter"><option value="">all</option><option value="open">open</option><option value="acknowledged">acknowledged</option><option value="resolved">resolved</option></select></label>
  </p>
  <p id="status" role="status"></p>
  <table>
    <thead><tr><th>raised 时间</th><th>community</th><th>device</th><th>rule</th><th>severity</th><th>state</th><th>message</th><th></th></tr></thead>
    <tbody id="alerts"></tbody>
  </table>
  <h2>Criteria 创建标准</h2>
  <p><label>Period 期间 <select id="period"><option value="7">7 days</option><option value="30" selected>30 days</option><option value="90">90 days</option><option value="365">365 days</option></select></label></p>
  <table>
    <thead><tr><th>community</th><th>criterion</th><th>source</th><th>status</th><th>detail</th><th>evidence 证据</th></tr></thead>
    <tbody id="criteria"></tbody>
  </table>
</section>
<script src="/dashboard.js"></script>
</body>
</html>
`;

export const DASHBOARD_CSS = `body{font:14px system-ui,sans-serif;margin:1rem 2rem;color:#222}
header{display:flex;gap:1rem;align-items:center}
#live{padding:.1rem .5rem;border-radius:.5rem;background:#eee}#live.on{background:#cfc}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.3rem;text-align:left;vertical-align:top}
tr.critical td.severity{color:#b00;font-weight:bold}tr.warning td.severity{color:#a60}
tr.resolved{color:#888}#status{color:#b00;min-height:1.2em}label{margin-right:1rem}
td.status.attention{color:#a60;font-weight:bold}h2{font-size:1.1rem;margin-top:2rem}
`;

export const DASHBOARD_JS = `'use strict';
(() => {
  const $ = (s) => document.querySelector(s);
  let key = sessionStorage.getItem('greenwatch-key') || '';
  let lastEventId;
  const rows = new Map();
  const headers = () => ({ authorization: 'Bearer ' + key, 'content-type': 'application/json' });
  const say = (text) => { $('#status').textContent = text || ''; };

  async function api(path, options) {
    const response = await fetch(path, { ...options, headers: headers() });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error((body.error && body.error.message) || ('HTTP ' + response.status));
    return body;
  }

  function cell(tr, text, cls) {
    const td = document.createElement('td');
    td.textContent = text == null ? '' : String(text);
    if (cls) td.className = cls;
    tr.appendChild(td);
    return td;
  }

  function render(alert) {
    let tr = rows.get(alert.alertId);
    if (!tr) {
      tr = document.createElement('tr');
      tr.dataset.alertId = alert.alertId;
      rows.set(alert.alertId, tr);
      $('#alerts').prepend(tr);
    }
    tr.replaceChildren();
    tr.className = alert.severity + ' ' + alert.state;
    tr.dataset.state = alert.state;
    cell(tr, new Date(alert.raisedAt).toLocaleString());
    cell(tr, alert.communityId);
    cell(tr, alert.deviceId || alert.compoundId);
    cell(tr, alert.rule);
    cell(tr, alert.severity, 'severity');
    cell(tr, alert.state, 'state');
    cell(tr, alert.message && alert.message.zh);
    const actions = cell(tr, '');
    if (alert.state === 'open') actions.appendChild(button('Ack 确认', 'ack', () => act(alert.alertId, 'ack')));
    if (alert.state !== 'resolved') actions.appendChild(button('Resolve 解决', 'resolve', () => act(alert.alertId, 'resolve')));
    tr.hidden = Boolean($('#filter').value) && $('#filter').value !== alert.state;
  }

  function button(label, name, onClick) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = label;
    b.name = name;
    b.addEventListener('click', onClick);
    return b;
  }

  async function act(alertId, action) {
    const body = {};
    if ($('#by').value.trim()) body.by = $('#by').value.trim();
    if ($('#comment').value.trim()) body.comment = $('#comment').value.trim();
    try {
      const result = await api('/api/alerts/' + encodeURIComponent(alertId) + '/' + action, { method: 'POST', body: JSON.stringify(body) });
      render(result.alert);
      say('');
    } catch (error) {
      say(error.message);
    }
  }

  async function stream() {
    for (;;) {
      try {
        const h = headers();
        if (lastEventId) h['last-event-id'] = lastEventId;
        const response = await fetch('/api/alerts/stream', { headers: h });
        if (!response.ok) throw new Error('stream: HTTP ' + response.status);
        $('#live').textContent = 'live'; $('#live').className = 'on';
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end;
          while ((end = buffer.indexOf('\\n\\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            let id, data = '';
            for (const line of block.split('\\n')) {
              if (line.startsWith('id:')) id = line.slice(3).trim();
              else if (line.startsWith('data:')) data += line.slice(5).trim();
            }
            if (!data) continue;
            if (id) lastEventId = id;
            render(JSON.parse(data).alert);
          }
        }
      } catch (error) {
        say(error.message);
      }
      $('#live').textContent = 'reconnecting'; $('#live').className = 'off';
      await new Promise((r) => setTimeout(r, 2000));
    }
  }

  // criteria with an evidence report (GET /api/evidence/{criterion})
  const EVIDENCE = ['5', '10', '12'];
  let criteriaRequest = 0;

  async function loadCriteria() {
    const mine = ++criteriaRequest; // a newer load (the period changed meanwhile) wins
    const to = Date.now();
    const from = to - Number($('#period').value) * 86400000;
    const rowsOut = [];
    const { communities } = await api('/api/communities');
    for (const c of communities) {
      const { criteria } = await api('/api/criteria?community=' + encodeURIComponent(c.id) + '&from=' + from + '&to=' + to);
      for (const k of criteria) {
        const tr = document.createElement('tr');
        tr.dataset.community = c.id;
        tr.dataset.criterion = k.criterion;
        cell(tr, c.name || c.id);
        cell(tr, k.criterion);
        cell(tr, k.source);
        cell(tr, k.status, 'status ' + k.status);
        cell(tr, k.detail);
        const links = cell(tr, '');
        if (EVIDENCE.includes(k.criterion)) for (const format of ['html', 'csv']) links.appendChild(button(format.toUpperCase(), 'evidence-' + format, () => download(c.id, k.criterion, format, from, to)));
        rowsOut.push(tr);
      }
    }
    if (mine === criteriaRequest) $('#criteria').replaceChildren(...rowsOut);
  }

  async function download(community, criterion, format, from, to) {
    try {
      const response = await fetch('/api/evidence/' + criterion + '?community=' + encodeURIComponent(community) + '&from=' + from + '&to=' + to + '&format=' + format, { headers: headers() });
      if (!response.ok) {
        const body = await response.json().catch(() => ({}));
        throw new Error((body.error && body.error.message) || ('HTTP ' + response.status));
      }
      const url = URL.createObjectURL(await response.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = 'greenwatch-' + community + '-criterion-' + criterion + '.' + format;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
      say('');
    } catch (error) {
      say(error.message);
    }
  }

  async function start() {
    try {
      const { alerts } = await api('/api/alerts?limit=200');
      for (const a of alerts.reverse()) render(a);
    } catch (error) {
      say(error.message);
      $('#login').hidden = false;
      return;
    }
    $('#login').hidden = true;
    $('#main').hidden = false;
    stream();
    loadCriteria().catch((error) => say(error.message));
  }

  $('#period').addEventListener('change', () => loadCriteria().catch((error) => say(error.message)));
  $('#filter').addEventListener('change', () => { for (const tr of rows.values()) tr.hidden = Boolean($('#filter').value) && $('#filter').value !== tr.dataset.state; });
  $('#login').addEventListener('submit', (event) => {
    event.preventDefault();
    key = $('#key').value.trim();
    sessionStorage.setItem('greenwatch-key', key);
    start();
  });
  if (key) start();
})();
`;
