// Instrumeter web page: analyse a file (POST /v1/analyze) or the microphone (WebSocket /v1/live)
// and draw, per instrument, its activation over time and where it is "on".
'use strict';

/** Seconds per bin when deciding where a lane is on. */
const BIN_S = 0.5;
/** Shortest on-segment kept, in seconds. */
const MIN_SEGMENT_S = 0.5;
/** Seconds of history shown while listening to the microphone. */
const LIVE_WINDOW_S = 10;
/** Seconds per min/max block of the live waveform. */
const LIVE_BLOCK_S = 0.01;
/** Device pixels of the on-bar under each lane, per CSS pixel. */
const ON_BAR_PX = 4;

const state = {
  file: null,        // the File last analysed
  view: null,        // what the timeline shows (see fileView / liveView)
  live: null,        // the running microphone session, if any
  request: 0,        // id of the latest analysis, to ignore stale answers
  jsonUrl: null,     // object URL of the JSON download
  drawPending: false,
  colors: null,
};

// Shorthand for getElementById.
function $(id) {
  return document.getElementById(id);
}

// Wires the controls and loads the model list.
function init() {
  state.colors = readColors();
  $('file').addEventListener('change', onFileChosen);
  $('model').addEventListener('change', onModelChanged);
  $('mic').addEventListener('click', toggleMic);
  for (const button of $('downloads').querySelectorAll('button[data-format]')) {
    button.addEventListener('click', () => downloadFormat(button));
  }
  setupDragAndDrop();
  new ResizeObserver(scheduleDraw).observe($('timeline'));
  window.addEventListener('resize', scheduleDraw);
  loadModels();
}

// Reads the canvas palette from the CSS custom properties.
function readColors() {
  const style = getComputedStyle(document.documentElement);
  const get = (name) => style.getPropertyValue(name).trim();
  return {
    laneBg: get('--c-lane-bg'), grid: get('--c-grid'), below: get('--c-below'), above: get('--c-above'),
    threshold: get('--c-threshold'), on: get('--c-on'), wave: get('--c-wave'), axis: get('--c-axis'),
  };
}

// ---------------------------------------------------------------------------------------------
// Status, errors, server helpers

// Sets the status line and its data-state (idle, busy, done, live, error).
function setStatus(text, dataState) {
  const status = $('status');
  status.textContent = text;
  status.dataset.state = dataState;
}

// Shows a message in the error box.
function showError(message) {
  const box = $('error');
  box.textContent = message;
  box.hidden = false;
}

// Hides the error box.
function clearError() {
  $('error').hidden = true;
  $('error').textContent = '';
}

// Resolves a path against the page, so the page also works under a path prefix.
function apiUrl(path, params) {
  const url = new URL(path, location.href);
  for (const [key, value] of Object.entries(params || {})) {
    if (value) url.searchParams.set(key, value);
  }
  return url;
}

// Throws an Error carrying the server's message when the response is not 2xx.
async function checkResponse(response) {
  if (response.ok) return response;
  let message = `${response.status} ${response.statusText}`.trim();
  try {
    const body = await response.json();
    if (body && body.error) message = body.error;
  } catch (_) { /* not JSON: keep the status line */ }
  const retry = response.headers.get('Retry-After');
  if (response.status === 503 && retry) message += ` (try again in ${retry} s)`;
  throw new Error(message);
}

// Fills the model select from GET /v1/models, the default selected.
async function loadModels() {
  try {
    const response = await checkResponse(await fetch(apiUrl('v1/models')));
    const { default: fallback, models } = await response.json();
    const select = $('model');
    select.replaceChildren(...models.map((model) => {
      const option = new Option(`${model.name} ${model.version || ''}`.trim(), model.name);
      option.selected = model.name === fallback;
      return option;
    }));
  } catch (err) {
    showError(`Could not load the model list: ${err.message}`);
  }
}

// POSTs the file to /v1/analyze with the selected model (and format, if given).
async function postAudio(file, format) {
  const url = apiUrl('v1/analyze', { model: $('model').value, format });
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': file.type || 'application/octet-stream' },
    body: file,
  });
  return checkResponse(response);
}

// ---------------------------------------------------------------------------------------------
// File input

// Handles a file picked with the file input.
function onFileChosen(event) {
  const file = event.target.files[0];
  if (file) analyseFile(file);
  event.target.value = '';
}

// Re-analyses the current file when another model is chosen.
function onModelChanged() {
  if (state.file && !state.live) analyseFile(state.file);
}

// Lets a file be dropped anywhere on the page; the drop zone lights up while dragging.
function setupDragAndDrop() {
  const zone = $('drop');
  let depth = 0;
  const hasFiles = (event) => Array.from(event.dataTransfer?.types || []).includes('Files');
  window.addEventListener('dragenter', (event) => {
    if (!hasFiles(event)) return;
    depth += 1;
    zone.classList.add('dragging');
  });
  window.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) zone.classList.remove('dragging');
  });
  window.addEventListener('dragover', (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
  });
  window.addEventListener('drop', (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    depth = 0;
    zone.classList.remove('dragging');
    const file = event.dataTransfer.files[0];
    if (file) analyseFile(file);
  });
}

// Sends the file to the server, decodes it locally for the waveform, then shows the result.
async function analyseFile(file) {
  if (state.live) stopMic('Microphone stopped.');
  const request = ++state.request;
  state.file = file;
  clearError();
  setStatus(`Analysing ${file.name}…`, 'busy');
  const started = performance.now();
  const analysis = postAudio(file).then(async (response) => {
    const text = await response.text();
    return { text, result: JSON.parse(text), seconds: (performance.now() - started) / 1000 };
  });
  try {
    const [answer, audio] = await Promise.all([analysis, decodeAudio(file)]);
    if (request !== state.request) return;
    showFileResult(file, answer, audio);
  } catch (err) {
    if (request !== state.request) return;
    $('result').hidden = true;
    showError(`Could not analyse ${file.name}: ${err.message}`);
    setStatus(`Could not analyse ${file.name}.`, 'error');
  }
}

// Decodes the file in the browser for the waveform; null when the browser cannot decode it.
async function decodeAudio(file) {
  try {
    const context = new OfflineAudioContext(1, 1, 44100);
    return await context.decodeAudioData(await file.arrayBuffer());
  } catch (_) {
    return null;
  }
}

// Shows a finished analysis: lanes, summary, downloads, status.
function showFileResult(file, answer, audio) {
  const { result, text, seconds } = answer;
  state.view = fileView(result, audio);
  buildLanes(state.view);
  updateLanes(state.view);
  renderSummary(state.view);
  setupDownloads(file, text);
  $('legend-clip').hidden = false;
  $('downloads').hidden = false;
  $('result').hidden = false;
  drawNow();
  setStatus(`Done: ${state.view.t1.toFixed(1)} s analysed in ${seconds.toFixed(1)} s`, 'done');
}

// What a file's clip score is, by the model card's aggregation method.
const CLIP_METHODS = {
  S1: 'S1: mean activation over the clip',
  S2: 'S2: summed activation over the largest class sum',
  RMS: 'RMS: root mean square of the activation over the clip',
};

// Builds the timeline model of a file analysis.
function fileView(result, audio) {
  const labels = result.labels;
  const rowS = result.row_s;
  const rows = result.rows;
  const thresholds = thresholdList(labels, result.thresholds);
  const t1 = result.duration_s > 0 ? result.duration_s : Math.max(lastRowEnd(rows, rowS), BIN_S);
  const clip = result.clip || {};
  const segments = labels.map((_, i) => labelSegments(rows, i, thresholds[i], rowS, 0, t1));
  const given = clip.method in CLIP_METHODS && clip[clip.method.toLowerCase()];
  const clipMethod = given ? clip.method : 'S1';
  const clipScores = labels.map((_, i) => (given ? given[i] : meanActivation(rows, i, -Infinity)));
  const heard = labels.map((_, i) => (clip.decisions ? Boolean(clip.decisions[i]) : segments[i].length > 0));
  return {
    live: false, labels, thresholds, rows, rowS, t0: 0, t1, segments, clipScores, clipMethod, heard,
    order: laneOrder(heard, clipScores), wave: audio ? bufferWave(audio) : null,
  };
}

// Thresholds in label order, whether given as a list or as an object keyed by label code.
function thresholdList(labels, thresholds) {
  if (Array.isArray(thresholds)) return thresholds;
  return labels.map((label) => (thresholds && label.code in thresholds ? thresholds[label.code] : 0.5));
}

// Lane order: heard labels first, each group by clip score descending.
function laneOrder(heard, clipScores) {
  const score = (i) => (Number.isFinite(clipScores[i]) ? clipScores[i] : -1);
  return heard.map((_, i) => i).sort((a, b) => (heard[b] - heard[a]) || (score(b) - score(a)) || (a - b));
}

// End time (s) of the last row.
function lastRowEnd(rows, rowS) {
  return rows.length ? rows[rows.length - 1].t + rowS : 0;
}

// Mean activation of label i over the rows starting at or after `from` seconds.
function meanActivation(rows, i, from) {
  let sum = 0;
  let count = 0;
  for (let r = rows.length - 1; r >= 0 && rows[r].t >= from; r--) {
    sum += rows[r].v[i];
    count += 1;
  }
  return count ? sum / count : 0;
}

// ---------------------------------------------------------------------------------------------
// Segments

// On-segments [start, end] of label i within [t0, t1]: 0.5 s bins whose mean reaches the
// threshold, consecutive bins merged, segments shorter than 0.5 s dropped.
function labelSegments(rows, i, threshold, rowS, t0, t1) {
  const first = Math.floor(t0 / BIN_S);
  const means = binMeans(rows, i, rowS, first, Math.ceil(t1 / BIN_S - 1e-9));
  const segments = [];
  let start = -1;
  for (let b = 0; b <= means.length; b++) {
    const on = b < means.length && means[b] >= threshold;
    if (on && start < 0) start = b;
    if (!on && start >= 0) {
      const segment = [(first + start) * BIN_S, Math.min((first + b) * BIN_S, t1)];
      if (segment[1] - segment[0] >= MIN_SEGMENT_S - 1e-9) segments.push(segment);
      start = -1;
    }
  }
  return segments;
}

// Mean activation of label i per bin [first, end): rows starting in the bin, or else the row
// covering the bin's start (rows sparser than bins); NaN where no row covers the bin.
function binMeans(rows, i, rowS, first, end) {
  const count = Math.max(0, end - first);
  const sums = new Float64Array(count);
  const counts = new Uint32Array(count);
  for (const row of rows) {
    const b = Math.floor(row.t / BIN_S) - first;
    if (b >= 0 && b < count) {
      sums[b] += row.v[i];
      counts[b] += 1;
    }
  }
  const means = new Float64Array(count);
  let r = 0;
  for (let b = 0; b < count; b++) {
    if (counts[b]) {
      means[b] = sums[b] / counts[b];
      continue;
    }
    const start = (first + b) * BIN_S;
    while (r + 1 < rows.length && rows[r + 1].t <= start) r++;
    const row = rows[r];
    means[b] = row && row.t <= start && row.t + rowS > start ? row.v[i] : NaN;
  }
  return means;
}

// Formats segments as "0.0-3.0;6.5-8.0".
function formatSegments(segments) {
  return segments.map(([a, b]) => `${a.toFixed(1)}-${b.toFixed(1)}`).join(';');
}

// ---------------------------------------------------------------------------------------------
// Lanes and summary (DOM)

// Creates one lane element per label, in the view's order.
function buildLanes(view) {
  const lanes = $('lanes');
  lanes.classList.toggle('live', view.live);
  view.laneElements = [];
  lanes.replaceChildren(...view.order.map((i) => {
    const label = view.labels[i];
    const lane = document.createElement('div');
    lane.className = 'lane';
    lane.dataset.code = label.code;
    lane.dataset.name = label.name;
    const name = document.createElement('div');
    name.className = 'lane-name';
    name.innerHTML = '<span class="name"></span><span class="score"></span>';
    name.firstChild.textContent = label.name;
    const canvas = document.createElement('canvas');
    canvas.setAttribute('role', 'img');
    lane.append(name, canvas);
    view.laneElements[i] = lane;
    return lane;
  }));
}

// Writes each lane's data attributes, score and tooltip from the view.
function updateLanes(view) {
  view.labels.forEach((label, i) => {
    const lane = view.laneElements[i];
    const segments = formatSegments(view.segments[i]);
    const score = view.live ? view.now[i] : view.clipScores[i];
    lane.dataset.heard = String(view.heard[i]);
    lane.dataset.segments = segments;
    const scoreText = Number.isFinite(score) ? score.toFixed(2) : '';
    lane.querySelector('.score').textContent = scoreText;
    const threshold = view.thresholds[i].toFixed(2);
    lane.title = `${label.name}: threshold ${threshold}, ${view.live ? 'now' : view.clipMethod} ${scoreText}`;
    const canvas = lane.querySelector('canvas');
    canvas.setAttribute('aria-label', `${label.name} activation; on ${segments || 'nowhere'}`);
  });
}

// Writes the summary: heard instruments with their clip scores (file), or the instruments on now (live).
function renderSummary(view) {
  const summary = $('summary');
  const on = view.order.filter((i) => view.heard[i]);
  if (!on.length) {
    summary.textContent = view.live && !view.rows.length ? 'Listening…' : 'Nothing above threshold';
    return;
  }
  const prefix = !view.live ? 'Heard: ' : state.live ? 'Now: ' : 'Last heard: ';
  const parts = [document.createTextNode(prefix)];
  on.forEach((i, k) => {
    if (k) parts.push(document.createTextNode(', '));
    const name = document.createElement('strong');
    name.textContent = view.labels[i].name;
    parts.push(name);
    if (!view.live && Number.isFinite(view.clipScores[i])) {
      const score = document.createElement('span');
      score.className = 'score';
      score.title = CLIP_METHODS[view.clipMethod];
      score.textContent = ` ${view.clipScores[i].toFixed(2)}`;
      parts.push(score);
    }
  });
  summary.replaceChildren(...parts);
}

// ---------------------------------------------------------------------------------------------
// Downloads

// Points the JSON link at the held response; CSV and MIDI are fetched on demand.
function setupDownloads(file, text) {
  if (state.jsonUrl) URL.revokeObjectURL(state.jsonUrl);
  state.jsonUrl = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const link = $('download-json');
  link.href = state.jsonUrl;
  link.download = `${fileStem(file.name)}.json`;
}

// POSTs the file again with format=csv or format=midi and saves the answer.
async function downloadFormat(button) {
  const file = state.file;
  if (!file) return;
  const format = button.dataset.format;
  const name = `${fileStem(file.name)}${format === 'csv' ? '.frames.csv' : '.mid'}`;
  button.disabled = true;
  try {
    const response = await postAudio(file, format);
    saveBlob(await response.blob(), name);
  } catch (err) {
    showError(`Could not download ${format.toUpperCase()}: ${err.message}`);
  } finally {
    button.disabled = false;
  }
}

// Saves a blob under a file name through a temporary link.
function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// File name without its extension: "demo.flac" → "demo".
function fileStem(name) {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

// ---------------------------------------------------------------------------------------------
// Drawing

// Redraws on the next animation frame (coalesces many requests into one draw).
function scheduleDraw() {
  if (state.drawPending) return;
  state.drawPending = true;
  requestAnimationFrame(() => {
    state.drawPending = false;
    if (state.live && state.view && state.view.live) refreshLiveView(state.view, state.live);
    drawNow();
  });
}

// Draws the waveform, every lane and the time axis of the current view.
function drawNow() {
  const view = state.view;
  if (!view || $('result').hidden) return;
  const ticks = timeTicks(view.t0, view.t1, $('axis').clientWidth);
  $('waveform-row').hidden = !view.wave;
  if (view.wave) drawWaveform($('waveform'), view, ticks);
  view.labels.forEach((_, i) => drawLane(view.laneElements[i].querySelector('canvas'), view, i, ticks));
  drawAxis($('axis'), view, ticks);
}

// Sizes a canvas's backing store to its CSS size × devicePixelRatio; null when not laid out.
function fitCanvas(canvas) {
  const dpr = window.devicePixelRatio || 1;
  const width = Math.round(canvas.clientWidth * dpr);
  const height = Math.round(canvas.clientHeight * dpr);
  if (!width || !height) return null;
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
  const ctx = canvas.getContext('2d');
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, width, height);
  return { ctx, width, height, dpr };
}

// Tick times (s) spaced at least ~60 CSS px apart, with their step.
function timeTicks(t0, t1, cssWidth) {
  const steps = [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600];
  const perSecond = cssWidth / Math.max(t1 - t0, 1e-6);
  const step = steps.find((s) => s * perSecond >= 60) || steps[steps.length - 1];
  const times = [];
  for (let k = Math.ceil(t0 / step - 1e-9); k * step <= t1 + 1e-9; k++) times.push(k * step);
  return { step, times };
}

// Draws faint vertical lines at the ticks.
function drawGrid(c, view, ticks) {
  c.ctx.fillStyle = state.colors.grid;
  for (const t of ticks.times) {
    const x = Math.round(((t - view.t0) / (view.t1 - view.t0)) * c.width);
    c.ctx.fillRect(Math.min(x, c.width - c.dpr), 0, c.dpr, c.height);
  }
}

// Draws one lane: activation columns (two blues split by the threshold), threshold line, on-bar.
function drawLane(canvas, view, i, ticks) {
  const c = fitCanvas(canvas);
  if (!c) return;
  const { ctx, width, height, dpr } = c;
  const bar = Math.round(ON_BAR_PX * dpr);
  const plot = height - bar - Math.round(dpr);
  const threshold = view.thresholds[i];
  ctx.fillStyle = state.colors.laneBg;
  ctx.fillRect(0, 0, width, height);
  drawGrid(c, view, ticks);
  const values = laneColumns(view.rows, i, view.rowS, view.t0, view.t1, width);
  fillColumns(ctx, values, plot, (v) => v > 0 && v < threshold, state.colors.below);
  fillColumns(ctx, values, plot, (v) => v >= threshold, state.colors.above);
  drawThreshold(ctx, width, plot - threshold * plot, dpr);
  ctx.fillStyle = state.colors.on;
  const scale = width / (view.t1 - view.t0);
  for (const [a, b] of view.segments[i]) {
    const x0 = Math.max(0, (a - view.t0) * scale);
    const x1 = Math.min(width, (b - view.t0) * scale);
    if (x1 > x0) ctx.fillRect(x0, height - bar, x1 - x0, bar);
  }
}

// Fills, from the bottom of the plot, the columns whose value passes the test.
function fillColumns(ctx, values, plot, test, color) {
  ctx.fillStyle = color;
  ctx.beginPath();
  for (let x = 0; x < values.length; x++) {
    const v = Math.min(1, values[x]);
    if (test(v)) ctx.rect(x, plot - v * plot, 1, v * plot);
  }
  ctx.fill();
}

// Draws the dashed threshold line at height y.
function drawThreshold(ctx, width, y, dpr) {
  ctx.save();
  ctx.strokeStyle = state.colors.threshold;
  ctx.globalAlpha = 0.7;
  ctx.lineWidth = dpr;
  ctx.setLineDash([4 * dpr, 3 * dpr]);
  ctx.beginPath();
  const yy = Math.round(y) + 0.5 * (dpr % 2);
  ctx.moveTo(0, yy);
  ctx.lineTo(width, yy);
  ctx.stroke();
  ctx.restore();
}

// Mean activation of label i in each of `width` pixel columns spanning [t0, t1]; each row
// covers [t, t + rowS).
function laneColumns(rows, i, rowS, t0, t1, width) {
  const sums = new Float32Array(width);
  const counts = new Uint16Array(width);
  const scale = width / (t1 - t0);
  for (const row of rows) {
    const a = (row.t - t0) * scale;
    const b = (row.t + rowS - t0) * scale;
    if (b <= 0 || a >= width) continue;
    const end = Math.min(width, Math.max(Math.ceil(b), Math.floor(a) + 1));
    for (let x = Math.max(0, Math.floor(a)); x < end; x++) {
      sums[x] += row.v[i];
      counts[x] += 1;
    }
  }
  return sums.map((sum, x) => (counts[x] ? sum / counts[x] : 0));
}

// Draws the waveform: one min/max bar per device-pixel column, scaled to the peak.
function drawWaveform(canvas, view, ticks) {
  const c = fitCanvas(canvas);
  if (!c) return;
  const { ctx, width, height } = c;
  drawGrid(c, view, ticks);
  const { lo, hi } = view.wave(view.t0, view.t1, width);
  let peak = 0.05;
  for (let x = 0; x < width; x++) peak = Math.max(peak, -lo[x], hi[x]);
  const mid = height / 2;
  const amp = (height / 2 - 1) / peak;
  ctx.fillStyle = state.colors.wave;
  ctx.beginPath();
  for (let x = 0; x < width; x++) {
    const top = mid - hi[x] * amp;
    ctx.rect(x, top, 1, Math.max(1, (hi[x] - lo[x]) * amp));
  }
  ctx.fill();
}

// Waveform source of a decoded file: min/max per column, cached per width.
function bufferWave(buffer) {
  const channels = [];
  for (let c = 0; c < buffer.numberOfChannels; c++) channels.push(buffer.getChannelData(c));
  let cache = null;
  return (t0, t1, width) => {
    const key = `${t0}|${t1}|${width}`;
    if (!cache || cache.key !== key) {
      cache = { key, ...sampleColumns(channels, buffer.sampleRate, t0, t1, width) };
    }
    return cache;
  };
}

// Min and max sample, over all channels, in each pixel column spanning [t0, t1].
function sampleColumns(channels, rate, t0, t1, width) {
  const lo = new Float32Array(width);
  const hi = new Float32Array(width);
  const length = channels[0].length;
  const perColumn = ((t1 - t0) * rate) / width;
  for (let x = 0; x < width; x++) {
    const start = Math.floor(t0 * rate + x * perColumn);
    const end = Math.min(length, Math.max(start + 1, Math.floor(t0 * rate + (x + 1) * perColumn)));
    if (start >= length) break;
    let min = 0;
    let max = 0;
    for (const data of channels) {
      for (let s = start; s < end; s++) {
        if (data[s] < min) min = data[s];
        else if (data[s] > max) max = data[s];
      }
    }
    lo[x] = min;
    hi[x] = max;
  }
  return { lo, hi };
}

// Draws the time axis: tick marks with second labels.
function drawAxis(canvas, view, ticks) {
  const c = fitCanvas(canvas);
  if (!c) return;
  const { ctx, width, dpr } = c;
  ctx.fillStyle = state.colors.axis;
  ctx.font = `${11 * dpr}px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif`;
  ctx.textBaseline = 'top';
  for (const t of ticks.times) {
    const x = Math.round(((t - view.t0) / (view.t1 - view.t0)) * width);
    ctx.fillRect(Math.min(x, width - dpr), 0, dpr, 5 * dpr);
    const text = formatTick(t, ticks.step);
    const textWidth = ctx.measureText(text).width;
    ctx.fillText(text, Math.max(0, Math.min(width - textWidth, x - textWidth / 2)), 7 * dpr);
  }
}

// Tick label: "12 s", "0.5 s", or "m:ss" past two minutes.
function formatTick(t, step) {
  if (t >= 120 && step >= 1) {
    const seconds = Math.round(t % 60);
    return `${Math.floor(t / 60)}:${String(seconds).padStart(2, '0')}`;
  }
  return `${step < 1 ? t.toFixed(1) : Math.round(t)} s`;
}

// ---------------------------------------------------------------------------------------------
// Microphone (live)

// Starts or stops the microphone.
function toggleMic() {
  if (state.live) stopMic('Microphone stopped.');
  else startMic();
}

// Shows the microphone button as running or not.
function setMicButton(running) {
  const button = $('mic');
  button.textContent = running ? 'Stop microphone' : 'Start microphone';
  button.setAttribute('aria-pressed', String(running));
  $('model').disabled = running;
}

// Opens the microphone, the audio worklet and the WebSocket, and starts streaming.
async function startMic() {
  clearError();
  state.request += 1; // an analysis still in flight no longer replaces the view
  const live = { context: null, stream: null, socket: null, rows: [], blocks: [], sent: 0, view: null };
  state.live = live;
  setMicButton(true);
  setStatus('Starting the microphone…', 'busy');
  try {
    if (!navigator.mediaDevices?.getUserMedia) {
      throw new Error('this page needs https (or localhost) to use the microphone');
    }
    live.context = new AudioContext();
    live.stream = await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
    });
    await live.context.audioWorklet.addModule(new URL('mic-worklet.js', location.href));
    if (state.live !== live) return teardown(live);
    live.socket = await openSocket(liveUrl(live.context.sampleRate, $('model').value));
    if (state.live !== live) return teardown(live);
    live.socket.addEventListener('message', (event) => onLiveMessage(live, event));
    live.socket.addEventListener('close', (event) => onLiveClosed(live, event));
    connectWorklet(live);
    setStatus(`Listening (${live.context.sampleRate} Hz)…`, 'live');
  } catch (err) {
    if (state.live !== live) return teardown(live);
    stopMic('Microphone stopped.', 'error');
    showError(`Microphone: ${micErrorMessage(err)}`);
  }
}

// Human message for getUserMedia / worklet / socket failures.
function micErrorMessage(err) {
  if (err && err.name === 'NotAllowedError') return 'permission denied.';
  if (err && err.name === 'NotFoundError') return 'no microphone found.';
  if (err && err.name === 'NotReadableError') return 'the microphone is in use by another program.';
  return err && err.message ? err.message : String(err);
}

// URL of the live WebSocket: ws: or wss: as the page, with the rate and model.
function liveUrl(rate, model) {
  const url = apiUrl('v1/live', { rate: String(rate), model });
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return url;
}

// Opens a WebSocket; resolves once open, rejects if it closes first.
function openSocket(url) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.binaryType = 'arraybuffer';
    socket.addEventListener('open', () => resolve(socket), { once: true });
    socket.addEventListener('close', (event) => {
      reject(new Error(`could not connect to the server${event.reason ? `: ${event.reason}` : ''}`));
    }, { once: true });
  });
}

// Microphone → worklet (chunks of the first channel) → socket; silent output keeps it pulled.
function connectWorklet(live) {
  const source = live.context.createMediaStreamSource(live.stream);
  const node = new AudioWorkletNode(live.context, 'mic-tap');
  node.port.onmessage = (event) => sendChunk(live, event.data);
  source.connect(node).connect(live.context.destination);
}

// Sends one chunk (little-endian Float32, as every browser platform is) and keeps its min/max.
function sendChunk(live, chunk) {
  if (state.live !== live || live.socket.readyState !== WebSocket.OPEN) return;
  live.socket.send(chunk.buffer);
  const rate = live.context.sampleRate;
  const block = Math.max(1, Math.round(rate * LIVE_BLOCK_S));
  for (let start = 0; start < chunk.length; start += block) {
    let min = 0;
    let max = 0;
    for (let s = start; s < Math.min(chunk.length, start + block); s++) {
      if (chunk[s] < min) min = chunk[s];
      else if (chunk[s] > max) max = chunk[s];
    }
    live.blocks.push({ t: (live.sent + start) / rate, lo: min, hi: max });
  }
  live.sent += chunk.length;
}

// Handles a server message: start (labels), rows, or error.
function onLiveMessage(live, event) {
  if (state.live !== live || typeof event.data !== 'string') return;
  let message;
  try {
    message = JSON.parse(event.data);
  } catch (_) {
    return;
  }
  if (message.type === 'start') startLiveView(live, message);
  else if (message.type === 'rows') {
    live.rows.push(...message.rows);
    scheduleDraw();
  } else if (message.type === 'error') {
    stopMic('Microphone stopped.', 'error');
    showError(`Live analysis: ${message.error}`);
  }
}

// Reports a socket that closed while still listening.
function onLiveClosed(live, event) {
  if (state.live !== live) return;
  stopMic('Microphone stopped.', 'error');
  showError(`Live connection closed${event.reason ? `: ${event.reason}` : ''} (code ${event.code}).`);
}

// Builds the rolling lanes from the start message.
function startLiveView(live, message) {
  const labels = message.labels;
  live.view = {
    live: true, labels, thresholds: thresholdList(labels, message.thresholds), rows: live.rows,
    rowS: message.row_s, t0: 0, t1: LIVE_WINDOW_S, segments: labels.map(() => []), clipScores: null, clipMethod: null,
    heard: labels.map(() => false), now: labels.map(() => NaN), order: labels.map((_, i) => i),
    wave: liveWave(live),
  };
  state.view = live.view;
  buildLanes(live.view);
  updateLanes(live.view);
  renderSummary(live.view);
  $('legend-clip').hidden = true;
  $('downloads').hidden = true;
  $('result').hidden = false;
  scheduleDraw();
}

// Moves the live window to the newest row, drops old rows, recomputes segments and "on now".
function refreshLiveView(view, live) {
  const end = Math.max(LIVE_WINDOW_S, lastRowEnd(live.rows, view.rowS));
  view.t1 = end;
  view.t0 = end - LIVE_WINDOW_S;
  dropBefore(live.rows, view.t0 - 2 * BIN_S);
  dropBefore(live.blocks, view.t0 - 2 * BIN_S);
  const dataEnd = lastRowEnd(live.rows, view.rowS);
  view.labels.forEach((_, i) => {
    view.segments[i] = labelSegments(live.rows, i, view.thresholds[i], view.rowS, view.t0, dataEnd);
    view.now[i] = live.rows.length ? meanActivation(live.rows, i, dataEnd - BIN_S) : NaN;
    view.heard[i] = view.now[i] >= view.thresholds[i];
  });
  updateLanes(view);
  renderSummary(view);
}

// Removes, in place, the leading items whose time t is before `time`.
function dropBefore(items, time) {
  let n = 0;
  while (n < items.length && items[n].t < time) n++;
  if (n) items.splice(0, n);
}

// Waveform source of the live input: min/max blocks spread over the pixel columns.
function liveWave(live) {
  return (t0, t1, width) => {
    const lo = new Float32Array(width);
    const hi = new Float32Array(width);
    const scale = width / (t1 - t0);
    for (const block of live.blocks) {
      const a = (block.t - t0) * scale;
      const end = Math.min(width, Math.max(Math.ceil(a + LIVE_BLOCK_S * scale), Math.floor(a) + 1));
      for (let x = Math.max(0, Math.floor(a)); x < end; x++) {
        lo[x] = Math.min(lo[x], block.lo);
        hi[x] = Math.max(hi[x], block.hi);
      }
    }
    return { lo, hi };
  };
}

// Stops streaming: closes the socket, the microphone tracks and the audio context.
function stopMic(message, dataState = 'idle') {
  const live = state.live;
  if (!live) return;
  state.live = null;
  teardown(live);
  setMicButton(false);
  setStatus(message, dataState);
  if (live.view) renderSummary(live.view);
}

// Releases whatever a live session opened (safe to call twice).
function teardown(live) {
  if (live.socket && live.socket.readyState <= WebSocket.OPEN) live.socket.close(1000, 'stopped');
  if (live.stream) live.stream.getTracks().forEach((track) => track.stop());
  if (live.context && live.context.state !== 'closed') live.context.close();
}

init();
