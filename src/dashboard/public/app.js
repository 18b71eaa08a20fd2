/* The fraud-operations page: live feed over SSE, alert detail, card history, charts. */
/* global window, document, EventSource, fetch, setInterval, queueMicrotask */
'use strict';

(function () {
  const MAX_FEED = 200;
  const MCC = {
    4111: 'Transit', 4829: 'Money transfer', 5311: 'Department store', 5411: 'Grocery', 5541: 'Fuel', 5732: 'Electronics',
    5812: 'Restaurant', 5814: 'Fast food', 5912: 'Pharmacy', 5944: 'Jewelry', 5999: 'Retail', 6011: 'ATM cash', 7011: 'Hotel',
    7995: 'Gambling', 4511: 'Airline', 5691: 'Clothing', 5816: 'Digital goods', 6051: 'Crypto / quasi-cash',
  };

  // Which position is which: the terminal (in person), the merchant's registered address and the
  // payer's device/IP geolocation (online). Older producers send only latitude/longitude.
  function point(p) {
    return (p.latitude || 0).toFixed(3) + ', ' + (p.longitude || 0).toFixed(3);
  }
  function locationFacts(t) {
    const facts = [];
    if (t.terminal_location) facts.push(el('dt', {}, 'Terminal'), el('dd', { class: 'mono', 'data-testid': 'terminal-location' }, point(t.terminal_location)));
    if (t.merchant_location) facts.push(el('dt', {}, 'Merchant at'), el('dd', { class: 'mono', 'data-testid': 'merchant-location' }, point(t.merchant_location)));
    if (t.payer_location) {
      const acc = t.payer_location.accuracy_m > 0 ? ' ±' + (t.payer_location.accuracy_m >= 1000 ? Math.round(t.payer_location.accuracy_m / 1000) + ' km' : Math.round(t.payer_location.accuracy_m) + ' m') : '';
      facts.push(el('dt', {}, 'Payer at'), el('dd', { class: 'mono', 'data-testid': 'payer-location' }, point(t.payer_location) + acc));
    } else if (t.merchant_location) {
      facts.push(el('dt', {}, 'Payer at'), el('dd', { class: 'muted', 'data-testid': 'payer-location' }, 'unknown'));
    }
    if (facts.length === 0) facts.push(el('dt', {}, 'Location'), el('dd', { class: 'mono' }, point(t)));
    return facts;
  }

  const state = { alerts: [], selected: null, pinned: false, filter: '', kinds: {}, verdictsEnabled: false, verdicts: new Map() };
  /** What the API takes, the label, the shortcut key and the stored enum name. */
  const VERDICTS = [
    { value: 'confirmed_fraud', label: 'Confirmed fraud', key: 'f', stored: 'VERDICT_CONFIRMED_FRAUD', cls: 'v-fraud' },
    { value: 'false_positive', label: 'False positive', key: 'p', stored: 'VERDICT_FALSE_POSITIVE', cls: 'v-fp' },
    { value: 'unsure', label: 'Unsure', key: 'u', stored: 'VERDICT_UNSURE', cls: 'v-unsure' },
  ];
  const verdictOf = (stored) => VERDICTS.find((v) => v.stored === stored);
  const txId = (a) => (a.alert.transaction || {}).transaction_id;
  const $ = (id) => document.getElementById(id);

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') node.className = v;
      else if (k.startsWith('data-')) node.setAttribute(k, v);
      else if (k === 'style') node.setAttribute('style', v);
      else node[k] = v;
    }
    for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c instanceof window.Node ? c : String(c));
    return node;
  }

  const money = (minor, currency) => {
    try {
      return new Intl.NumberFormat(undefined, { style: 'currency', currency: currency || 'USD' }).format(minor / 100);
    } catch {
      return (minor / 100).toFixed(2) + ' ' + currency;
    }
  };
  const num = (v) => (Math.abs(v) >= 1000 ? Math.round(v).toLocaleString() : Number.isInteger(v) ? String(v) : v.toFixed(Math.abs(v) < 1 ? 3 : 2));
  const duration = (s) => (s < 90 ? Math.round(s) + ' s' : s < 5400 ? Math.round(s / 60) + ' min' : (s / 3600).toFixed(1) + ' h');
  /** Each feature's kind comes from /api/features; an unknown one shows as a plain number. */
  const KIND_FORMATS = {
    money: (v, currency) => money(Math.round(v * 100), currency),
    count: (v) => Math.round(v).toLocaleString(),
    ratio: (v) => num(v) + '×',
    flag: (v) => (v ? 'yes' : 'no'),
    km: (v) => num(v) + ' km',
    kmh: (v) => num(v) + ' km/h',
    seconds: (v) => duration(v),
    days: (v) => Math.round(v).toLocaleString() + ' d',
    zscore: (v) => v.toFixed(1) + ' σ',
    number: (v) => num(v),
  };
  const featureValue = (f, v, currency) => (KIND_FORMATS[state.kinds[f]] || KIND_FORMATS.number)(v, currency);
  const humanize = (f) =>
    f.replace(/_(kmh|km|s|days)$/, '').replace(/_/g, ' ').replace(/\bzscore\b/, 'z-score').replace(/\b(\d+)(m|h)\b/, '$1 $2').replace(/\bprev\b/, 'previous').replace(/^seconds since/, 'time since');
  const ms = (v) => (v === null || v === undefined ? '–' : v >= 10000 ? (v / 1000).toFixed(1) + ' s' : Math.round(v) + ' ms');
  const time = (t) => new Date(t).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const ago = (t) => {
    const s = Math.max(0, Math.round((Date.now() - t) / 1000));
    return s < 60 ? s + ' s ago' : s < 3600 ? Math.floor(s / 60) + ' min ago' : time(t);
  };
  const scoreClass = (s) => (s >= 0.9 ? 'high' : s >= 0.7 ? 'mid' : 'low');
  const regionClass = (r) => (r === 'us-east' || r === 'us-west' ? 'region-' + r : 'region-other');
  const mccName = (m) => MCC[m] || 'MCC ' + m;

  function matches(a) {
    if (!state.filter) return true;
    const t = a.alert.transaction || {};
    const hay = [t.card_id, t.merchant_id, t.region, mccName(t.mcc), ...a.alert.reasons.map((r) => r.feature + ' ' + r.description)].join(' ').toLowerCase();
    return hay.includes(state.filter);
  }

  function feedItem(a, fresh) {
    const t = a.alert.transaction || {};
    const reasons = a.alert.reasons.slice(0, 4).map((r) =>
      el('span', { class: 'reason', title: r.description || '' }, humanize(r.feature), ' ', el('b', {}, featureValue(r.feature, r.value, t.currency))),
    );
    return el(
      'li',
      { class: 'alert' + (fresh ? ' fresh' : '') + (state.selected === a.id ? ' selected' : ''), 'data-alert-id': a.id, tabIndex: 0 },
      el('div', { class: 'score ' + scoreClass(a.alert.score) }, Math.round(a.alert.score * 100), el('small', {}, 'SCORE')),
      el(
        'div',
        { class: 'alert-main' },
        el('div', { class: 'alert-title' }, el('span', { class: 'amount' }, money(t.amount_minor || 0, t.currency)), el('span', { class: 'merchant' }, mccName(t.mcc) + ' · ' + (t.merchant_id || '?'))),
        el('div', { class: 'reasons', 'data-testid': 'reasons' }, reasons),
      ),
      el(
        'div',
        { class: 'alert-side' },
        el('span', {}, el('span', { class: 'badge ' + regionClass(t.region) }, t.region || 'unknown')),
        el('span', { class: 'mono' }, t.card_id || ''),
        verdictBadge(a),
        el('span', { title: 'transaction in Kafka → alert here' }, ago(a.receivedAt) + (a.latencyMs === null ? '' : ' · ' + ms(a.latencyMs))),
      ),
    );
  }

  function verdictBadge(a) {
    const f = state.verdicts.get(txId(a));
    const v = f && verdictOf(f.verdict);
    return v ? el('span', { class: 'verdict-badge ' + v.cls, 'data-testid': 'verdict-badge', title: 'by ' + f.analyst }, v.label) : null;
  }

  function renderVerdictCounts(counts) {
    $('kpi-verdicts').textContent = counts.confirmedFraud + ' · ' + counts.falsePositive + ' · ' + counts.unsure;
    $('kpi-precision').textContent = counts.precision === null ? '–' : (counts.precision * 100).toFixed(1) + '%';
  }

  async function loadVerdicts() {
    try {
      const body = await (await fetch('/api/verdicts', { credentials: 'same-origin' })).json();
      if (body.disabled) return;
      state.verdictsEnabled = true;
      for (const id of ['analyst-box', 'kpi-verdicts-box', 'kpi-precision-box']) $(id).hidden = false;
      state.verdicts = new Map(body.verdicts.map((f) => [f.transaction_id, f]));
      renderVerdictCounts(body.counts);
      renderFeed();
      const a = state.alerts.find((x) => x.id === state.selected);
      if (a) renderVerdictBox(a);
    } catch {
      /* verdicts stay hidden; the feed still works */
    }
  }

  function renderVerdictBox(a) {
    const box = $('verdict');
    if (!box || !state.verdictsEnabled) return;
    const f = state.verdicts.get(txId(a));
    const given = f && verdictOf(f.verdict);
    box.replaceChildren(
      el('div', { class: 'verdict-buttons' }, VERDICTS.map((v) =>
        el('button', { type: 'button', class: 'verdict-btn ' + v.cls + (given === v ? ' chosen' : ''), 'data-verdict': v.value, title: 'shortcut: ' + v.key.toUpperCase(), onclick: () => void giveVerdict(a, v) }, v.label, ' ', el('kbd', {}, v.key.toUpperCase())),
      )),
      el('p', { class: 'muted verdict-status', 'data-testid': 'verdict-status' }, given ? given.label + ' by ' + f.analyst + ' at ' + new Date(f.decided_at_ms).toLocaleString() : 'No verdict yet.'),
    );
  }

  async function giveVerdict(a, v) {
    const analyst = $('analyst').value.trim();
    const status = document.querySelector('[data-testid="verdict-status"]');
    if (!analyst) {
      if (status) status.textContent = 'Enter your name (top right) before giving a verdict.';
      $('analyst').focus();
      return;
    }
    window.localStorage.setItem('vigil.analyst', analyst);
    try {
      const res = await fetch('/api/alerts/' + encodeURIComponent(a.id) + '/verdict', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ verdict: v.value, analyst }),
      });
      const body = await res.json();
      if (!res.ok) {
        if (status) status.textContent = 'Not saved: ' + (body.error || res.status);
        return;
      }
      state.verdicts.set(body.feedback.transaction_id, body.feedback);
      renderVerdictCounts(body.counts);
      renderFeed();
      if (state.selected === a.id) renderVerdictBox(a);
    } catch {
      if (status) status.textContent = 'Not saved: the dashboard did not answer; try again.';
    }
  }

  function renderFeed(freshId) {
    const list = $('feed');
    const shown = state.alerts.filter(matches);
    list.replaceChildren(...shown.map((a) => feedItem(a, a.id === freshId)));
    $('empty').style.display = shown.length ? 'none' : '';
  }

  function renderKpis(stats) {
    $('kpi-total').textContent = stats.total.toLocaleString();
    const last = stats.perMinute[stats.perMinute.length - 1];
    $('kpi-minute').textContent = last ? last.count.toLocaleString() : '0';
    $('kpi-p50').textContent = ms(stats.latencyP50Ms);
    $('kpi-p99').textContent = ms(stats.latencyP99Ms);
    $('kpi-max').textContent = ms(stats.latencyMaxMs);
  }

  function renderCharts(stats) {
    const rate = stats.perMinute.map((m) => ({ value: m.count, label: new Date(m.minute * 60000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) }));
    window.VigilCharts.bars($('chart-rate'), rate, { color: '#f97316', labelEvery: 5, gap: 0.25 });
    const bounds = stats.latencyBucketsMs;
    const short = (v) => (v >= 1000 ? v / 1000 + 's' : v + 'ms');
    const lat = stats.latencyCounts.map((c, i) => ({ value: c, label: bounds[i] === null ? '>' + short(bounds[i - 1]) : short(bounds[i]) }));
    window.VigilCharts.bars($('chart-latency'), lat, { color: (d, i) => (i < 5 ? '#22c55e' : i < 7 ? '#eab308' : '#ef4444'), gap: 0.2 });
  }

  async function renderDetail(a) {
    const box = $('detail');
    if (!a) return;
    const t = a.alert.transaction || {};
    const maxContribution = Math.max(...a.alert.reasons.map((r) => Math.abs(r.contribution)), 0.0001);
    const why = a.alert.reasons.map((r) =>
      el(
        'div',
        { class: 'why-row' },
        el('span', { class: 'why-name' }, humanize(r.feature)),
        el('span', { class: 'why-value' }, featureValue(r.feature, r.value, t.currency)),
        r.description ? el('span', { class: 'why-desc' }, r.description) : null,
        el('div', { class: 'why-bar' }, el('span', { style: 'width:' + Math.round((100 * Math.abs(r.contribution)) / maxContribution) + '%' })),
      ),
    );
    const txBox = el('div', {}, el('p', { class: 'muted' }, 'Loading…'));
    queueMicrotask(() => renderVerdictBox(a));
    box.replaceChildren(
      el(
        'div',
        { class: 'detail-head' },
        el('div', {}, el('div', { class: 'detail-amount' }, money(t.amount_minor || 0, t.currency)), el('div', { class: 'muted' }, mccName(t.mcc) + ' at ' + (t.merchant_id || '?'))),
        el('div', { class: 'score ' + scoreClass(a.alert.score), style: 'min-width:72px' }, (a.alert.score * 100).toFixed(1), el('small', {}, 'SCORE')),
      ),
      el('div', { class: 'gauge' }, el('span', { style: 'width:' + Math.round(a.alert.score * 100) + '%' })),
      el(
        'dl',
        { class: 'facts' },
        el('dt', {}, 'Card'), el('dd', { class: 'mono' }, t.card_id),
        el('dt', {}, 'Region'), el('dd', {}, el('span', { class: 'badge ' + regionClass(t.region) }, t.region || 'unknown')),
        el('dt', {}, 'Channel'), el('dd', {}, (t.channel || '').replace('CHANNEL_', '').replace(/_/g, ' ').toLowerCase()),
        el('dt', {}, 'Device'), el('dd', { class: 'mono' }, t.device_id || '–'),
        ...locationFacts(t),
        el('dt', {}, 'Event time'), el('dd', {}, new Date(t.event_time_ms).toLocaleString()),
        el('dt', {}, 'Latency'), el('dd', {}, a.latencyMs === null ? 'not measurable (replayed event time)' : ms(a.latencyMs) + ' (Kafka → here)'),
        el('dt', {}, 'Model'), el('dd', { class: 'mono' }, a.alert.model_version),
        el('dt', {}, 'Webhook id'), el('dd', { class: 'mono' }, a.id),
      ),
      state.verdictsEnabled ? el('h3', {}, 'Verdict') : null,
      state.verdictsEnabled ? el('div', { id: 'verdict', class: 'verdict', 'data-testid': 'verdict' }) : null,
      el('h3', {}, 'Why it fired'),
      el('div', { class: 'why', 'data-testid': 'why' }, why),
      el('h3', {}, 'Card’s recent transactions'),
      txBox,
    );
    try {
      const res = await fetch('/api/cards/' + encodeURIComponent(t.card_id) + '/transactions?limit=10', { credentials: 'same-origin' });
      const body = await res.json();
      if (state.selected !== a.id) return;
      const rows = body.transactions.map((x) =>
        el(
          'tr',
          { class: x.flagged ? 'flagged' : '' },
          el('td', {}, time(x.event_time_ms)),
          el('td', { class: 'r mono' }, money(x.amount_minor, x.currency)),
          el('td', {}, x.category || (x.mcc ? mccName(x.mcc) : '–')),
          el('td', {}, x.region ? el('span', { class: 'badge ' + regionClass(x.region) }, x.region) : '–'),
        ),
      );
      txBox.replaceChildren(
        rows.length
          ? el('table', { class: 'tx' }, el('thead', {}, el('tr', {}, el('th', {}, 'Time'), el('th', { class: 'r' }, 'Amount'), el('th', {}, 'Category'), el('th', {}, 'Region'))), el('tbody', {}, rows))
          : el('p', { class: 'muted' }, 'No transactions known for this card.'),
        el('div', { class: 'source-note' }, 'Source: ' + body.source),
      );
    } catch {
      txBox.replaceChildren(el('p', { class: 'muted' }, 'Could not load the card history.'));
    }
  }

  function select(id, pinned) {
    const a = state.alerts.find((x) => x.id === id);
    if (!a) return;
    state.selected = id;
    if (pinned) state.pinned = true;
    for (const li of document.querySelectorAll('.alert')) li.classList.toggle('selected', li.getAttribute('data-alert-id') === id);
    void renderDetail(a);
  }

  function onAlert(a) {
    state.alerts = [a, ...state.alerts.filter((x) => x.id !== a.id)].slice(0, MAX_FEED);
    renderFeed(a.id);
    if (!state.pinned) select(a.id, false);
  }

  function connect() {
    const es = new EventSource('/api/stream');
    const conn = $('conn');
    es.onopen = () => {
      conn.textContent = 'Live';
      conn.className = 'conn conn-live';
    };
    es.onerror = () => {
      conn.textContent = 'Reconnecting…';
      conn.className = 'conn conn-wait';
    };
    es.addEventListener('snapshot', (e) => {
      const snap = JSON.parse(e.data);
      state.alerts = snap.alerts;
      renderFeed();
      renderKpis(snap.stats);
      renderCharts(snap.stats);
      if (state.alerts[0] && !state.pinned) select(state.alerts[0].id, false);
      void loadVerdicts();
    });
    es.addEventListener('alert', (e) => onAlert(JSON.parse(e.data)));
    es.addEventListener('stats', (e) => {
      const stats = JSON.parse(e.data);
      renderKpis(stats);
      renderCharts(stats);
    });
  }

  $('feed').addEventListener('click', (e) => {
    const li = e.target.closest('.alert');
    if (li) select(li.getAttribute('data-alert-id'), true);
  });
  $('feed').addEventListener('keydown', (e) => {
    const li = e.target.closest('.alert');
    if (li && (e.key === 'Enter' || e.key === ' ')) select(li.getAttribute('data-alert-id'), true);
  });
  // Verdict shortcuts act on the selected alert; typing in a field is left alone.
  document.addEventListener('keydown', (e) => {
    if (!state.verdictsEnabled || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.target instanceof window.HTMLInputElement || e.target instanceof window.HTMLTextAreaElement) return;
    const v = VERDICTS.find((x) => x.key === e.key.toLowerCase());
    const a = state.alerts.find((x) => x.id === state.selected);
    if (v && a) {
      e.preventDefault();
      void giveVerdict(a, v);
    }
  });
  $('analyst').value = window.localStorage.getItem('vigil.analyst') || '';
  $('filter').addEventListener('input', (e) => {
    state.filter = e.target.value.trim().toLowerCase();
    renderFeed();
  });
  setInterval(() => {
    $('clock').textContent = new Date().toLocaleTimeString();
  }, 1000);
  window.addEventListener('resize', () => fetch('/api/stats').then((r) => r.json()).then(renderCharts).catch(() => {}));
  fetch('/api/features', { credentials: 'same-origin' })
    .then((r) => r.json())
    .then((body) => {
      state.kinds = body.kinds || {};
      renderFeed();
      const shown = state.alerts.find((x) => x.id === state.selected);
      if (shown) void renderDetail(shown);
    })
    .catch(() => {});
  connect();
})();
