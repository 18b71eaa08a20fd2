/* Tiny canvas bar charts for the dashboard: two charts do not earn a charting library. */
/* global window */
'use strict';

(function () {
  function setup(canvas) {
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth;
    const height = Number(canvas.getAttribute('height')) || 140;
    if (canvas.width !== Math.round(width * ratio)) {
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
      canvas.style.height = height + 'px';
    }
    const ctx = canvas.getContext('2d');
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    return { ctx, width, height };
  }

  /** A round step so that four steps cover `v`; counts are integers, so the step is too. */
  function niceStep(v) {
    const raw = Math.max(1, v / 4);
    const p = Math.pow(10, Math.floor(Math.log10(raw)));
    for (const m of [1, 2, 5, 10]) if (m * p >= raw) return Math.max(1, m * p);
    return 10 * p;
  }

  /**
   * Draws bars with a y grid. `bars` are { value, label }; every `labelEvery`-th label is shown.
   */
  function bars(canvas, data, opts) {
    const { ctx, width, height } = setup(canvas);
    const left = 34, right = 6, top = 8, bottom = 22;
    const plotW = width - left - right, plotH = height - top - bottom;
    const step = niceStep(Math.max(0, ...data.map((d) => d.value)));
    const max = step * 4;
    ctx.font = '11px ui-sans-serif, system-ui, sans-serif';
    ctx.fillStyle = '#8a96ad';
    ctx.strokeStyle = 'rgba(138,150,173,0.15)';
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (let i = 0; i <= 4; i++) {
      const y = top + plotH - (plotH * i) / 4;
      ctx.beginPath();
      ctx.moveTo(left, Math.round(y) + 0.5);
      ctx.lineTo(width - right, Math.round(y) + 0.5);
      ctx.stroke();
      ctx.fillText(String(step * i), left - 6, y);
    }
    const slot = plotW / Math.max(1, data.length);
    const barW = Math.max(2, slot * (opts.gap ? 1 - opts.gap : 0.7));
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    data.forEach((d, i) => {
      const h = max ? (plotH * d.value) / max : 0;
      const x = left + i * slot + (slot - barW) / 2;
      ctx.fillStyle = typeof opts.color === 'function' ? opts.color(d, i) : opts.color;
      ctx.fillRect(x, top + plotH - h, barW, h);
      if (d.label && i % (opts.labelEvery || 1) === 0) {
        ctx.fillStyle = '#8a96ad';
        ctx.fillText(d.label, x + barW / 2, top + plotH + 6);
      }
    });
  }

  window.VigilCharts = { bars };
})();
