// The Yuma dashboard: a live view of the node it is served by, over the node's WebSocket JSON-RPC.
// No build step and no dependencies: the page must load in well under a second from the node.
"use strict";

const RAO = 1e9;
const U16 = 65535;
const HISTORY_BLOCKS = 240; // blocks fetched at load to fill the tables and charts
const KEEP_BLOCKS = 600; // blocks kept in memory
const KEEP_EVENTS = 200;
const KEEP_EPOCHS = 60;
const COLORS = ["#4fb3ff", "#3fcf8e", "#f5c451", "#ff6b6b", "#b48cff", "#ff9f43", "#2ed6d6",
  "#e86bd0", "#9bd35a", "#c0c8d0", "#6b8cff", "#d6a36b"];

// ---------- JSON-RPC over WebSocket ----------

class Rpc {
  constructor(url, onOpen, onClose) {
    this.url = url;
    this.onOpen = onOpen;
    this.onClose = onClose;
    this.nextId = 1;
    this.pending = new Map();
    this.subscriptions = new Map();
    this.connect();
  }

  connect() {
    this.ws = new WebSocket(this.url);
    this.ws.onopen = () => this.onOpen();
    this.ws.onclose = () => {
      for (const { reject } of this.pending.values()) reject(new Error("connection closed"));
      this.pending.clear();
      this.subscriptions.clear();
      this.onClose();
      setTimeout(() => this.connect(), 1000);
    };
    this.ws.onmessage = (msg) => this.dispatch(JSON.parse(msg.data));
  }

  dispatch(data) {
    if (data.id !== undefined && this.pending.has(data.id)) {
      const { resolve, reject } = this.pending.get(data.id);
      this.pending.delete(data.id);
      if (data.error) reject(new Error(data.error.message));
      else resolve(data.result);
    } else if (data.params && this.subscriptions.has(data.params.subscription)) {
      this.subscriptions.get(data.params.subscription)(data.params.result);
    }
  }

  call(method, params = []) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.ws.send(JSON.stringify({ jsonrpc: "2.0", id, method, params }));
    });
  }

  async subscribe(method, handler) {
    const sub = await this.call(method);
    this.subscriptions.set(sub, handler);
  }
}

// ---------- state ----------

const state = {
  head: null,
  finalized: null,
  issuance: null,
  blocks: new Map(), // number -> {number, hash, time, txs, events: [event]}
  events: [], // newest first: {block, event}
  subnets: [],
  selected: null, // netuid
  metagraph: null,
  sort: { key: "incentive", dir: -1 },
  epochs: new Map(), // netuid -> [{block, neurons: Map hotkey -> {incentive, dividends}}]
};

// ---------- formatting ----------

const $ = (id) => document.getElementById(id);
const short = (key) => (key && key.length > 12 ? `${key.slice(0, 6)}…${key.slice(-4)}` : key || "");
const tao = (rao, digits = 3) => (Number(rao) / RAO).toLocaleString(undefined, {
  minimumFractionDigits: digits, maximumFractionDigits: digits,
});
const ratio = (v) => (v / U16).toFixed(4);
const percent = (v) => `${(v * 100).toFixed(1)}%`;
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

function axonText(axon) {
  if (!axon) return "";
  const ip = BigInt(axon.ip);
  const v4 = [24n, 16n, 8n, 0n].map((s) => ((ip >> s) & 255n).toString()).join(".");
  return axon.ip_type === 4 ? `${v4}:${axon.port}` : `[v6]:${axon.port}`;
}

function eventSummary(e) {
  switch (e.type) {
    case "transfer": return `${short(e.from)} → ${short(e.to)} ${tao(e.amount)} TAO`;
    case "network_added": return `subnet ${e.netuid} created by ${short(e.owner)}`;
    case "neuron_registered": return `subnet ${e.netuid} uid ${e.uid} ← ${short(e.hotkey)}`;
    case "stake_added": return `${tao(e.tao)} TAO staked on ${short(e.hotkey)} (subnet ${e.netuid})`;
    case "stake_removed": return `${tao(e.tao)} TAO unstaked from ${short(e.hotkey)} (subnet ${e.netuid})`;
    case "weights_set": return `subnet ${e.netuid} uid ${e.uid} set weights`;
    case "weights_committed": return `subnet ${e.netuid} ${short(e.hotkey)} committed weights`;
    case "axon_served": return `subnet ${e.netuid} ${short(e.hotkey)} served its axon`;
    case "epoch_run": return `subnet ${e.netuid} epoch: ${tao(e.emission)} α emitted`;
    case "emission": return `subnet ${e.netuid} ${short(e.hotkey)}: incentive ${tao(e.incentive)} α, dividends ${tao(e.dividends)} α`;
    case "owner_cut": return `subnet ${e.netuid} owner ${short(e.hotkey)}: ${tao(e.alpha)} α`;
    case "stake_moved": return `${short(e.coldkey)} moved stake ${short(e.origin_hotkey)} → ${short(e.dest_hotkey)}`;
    case "hotkey_owned": return `${short(e.hotkey)} owned by ${short(e.coldkey)}`;
    case "call_failed": return `${short(e.who)}: ${e.error}`;
    case "subnet_identity_set": return `subnet ${e.netuid} identity set by ${short(e.who)}`;
    case "hyperparameter_set": return `subnet ${e.netuid}: ${esc(JSON.stringify(e.param))}`;
    default: return esc(JSON.stringify(e));
  }
}

// ---------- ingesting blocks ----------

function blockEvents(block) {
  const events = [...block.block_events];
  for (const receipt of block.receipts) events.push(...receipt.events);
  return events;
}

function ingestBlock(number, hash, time, txs, events) {
  state.blocks.set(number, { number, hash, time, txs, events });
  while (state.blocks.size > KEEP_BLOCKS) state.blocks.delete(Math.min(...state.blocks.keys()));
  for (const event of events) {
    if (event.type !== "fee_paid" && event.type !== "subnet_emission" && event.type !== "issued") {
      state.events.push({ block: number, event });
    }
  }
  state.events.sort((a, b) => b.block - a.block);
  state.events.length = Math.min(state.events.length, KEEP_EVENTS);
  ingestEpochs(number, events);
}

// An epoch shows as one `emission` event per neuron paid, then `epoch_run`.
function ingestEpochs(number, events) {
  const paid = new Map(); // netuid -> Map hotkey -> {incentive, dividends}
  for (const event of events) {
    if (event.type === "emission") {
      if (!paid.has(event.netuid)) paid.set(event.netuid, new Map());
      paid.get(event.netuid).set(event.hotkey, { incentive: event.incentive, dividends: event.dividends });
    } else if (event.type === "epoch_run") {
      const list = state.epochs.get(event.netuid) || [];
      if (list.some((e) => e.block === number)) continue;
      list.push({ block: number, neurons: paid.get(event.netuid) || new Map() });
      list.sort((x, y) => x.block - y.block);
      while (list.length > KEEP_EPOCHS) list.shift();
      state.epochs.set(event.netuid, list);
    }
  }
}

function ingestFullBlock(block) {
  ingestBlock(block.header.number, block.header.hash, block.header.timestamp, block.txs.length, blockEvents(block));
}

// ---------- rendering ----------

let renderQueued = false;
function render() {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    renderCards();
    renderSubnets();
    renderIdentity();
    renderMetagraph();
    renderCharts();
    renderBlocks();
    renderEvents();
  });
}

function renderCards() {
  if (state.head) {
    $("head").textContent = `#${state.head.number}`;
    $("head-age").textContent = short(state.head.hash);
  }
  if (state.finalized) {
    $("finalized").textContent = `#${state.finalized.number}`;
    const lag = state.head ? state.head.number - state.finalized.number : 0;
    $("finality-lag").textContent = lag === 0 ? "at head" : `${lag} behind head`;
  }
  const numbers = [...state.blocks.keys()].sort((a, b) => a - b).slice(-30);
  if (numbers.length > 1) {
    const first = state.blocks.get(numbers[0]);
    const last = state.blocks.get(numbers[numbers.length - 1]);
    const ms = (last.time - first.time) / (last.number - first.number);
    $("block-time").textContent = `${(ms / 1000).toFixed(2)} s`;
  }
  if (state.issuance !== null) $("issuance").textContent = tao(state.issuance, 2);
  const txs = [...state.blocks.values()].reduce((sum, b) => sum + b.txs, 0);
  $("tx-count").textContent = txs.toLocaleString();
  $("tx-window").textContent = `in the last ${state.blocks.size} blocks`;
}

function emissionShares() {
  const taoIn = new Map();
  let total = 0;
  for (const block of state.blocks.values()) {
    for (const e of block.events) {
      if (e.type === "subnet_emission") {
        taoIn.set(e.netuid, (taoIn.get(e.netuid) || 0) + e.tao_in);
        total += e.tao_in;
      }
    }
  }
  return { taoIn, total };
}

function renderSubnets() {
  const body = $("subnets").tBodies[0];
  if (state.subnets.length === 0) return;
  const { taoIn, total } = emissionShares();
  body.innerHTML = state.subnets.map((s) => {
    const share = total > 0 ? percent((taoIn.get(s.netuid) || 0) / total) : "-";
    const selected = s.netuid === state.selected ? " class=\"selected\"" : "";
    const name = s.identity ? esc(s.identity.name) : "";
    return `<tr data-netuid="${s.netuid}"${selected}><td>${s.netuid}</td><td>${name}</td><td>${s.n}</td>` +
      `<td class="num">${tao(s.pool.price, 4)}</td><td class="num">${tao(s.pool.tao_reserve)}</td>` +
      `<td class="num">${share}</td><td class="num">${s.hyperparams.tempo}</td>` +
      `<td class="num">${s.last_epoch_block}</td><td class="mono">${short(s.owner)}</td></tr>`;
  }).join("");
}

// The selected subnet's identity, as its owner published it (every field escaped: the owner
// chooses the text).
function renderIdentity() {
  const box = $("subnet-identity");
  const subnet = state.subnets.find((s) => s.netuid === state.selected);
  if (!subnet) {
    box.hidden = true;
    return;
  }
  box.hidden = false;
  const id = subnet.identity;
  if (!id) {
    box.innerHTML = `<p class="empty">Subnet ${subnet.netuid} has no identity yet (its owner sets one with <code>yuma subnet set-identity</code>).</p>`;
    return;
  }
  const row = (label, value, cls = "") => `<dt>${label}</dt><dd class="${cls}">${value}</dd>`;
  box.innerHTML = `<h3>${esc(id.name)} <span class="netuid">subnet ${subnet.netuid}</span></h3>` +
    (id.description ? `<p class="description">${esc(id.description)}</p>` : "") +
    "<dl>" +
    row("task protocol", esc(id.task_protocol)) +
    row("task hash", id.task_hash ? esc(id.task_hash) : "not published", "mono") +
    row("task URL", id.task_url ? esc(id.task_url) : "not published", "mono") +
    "</dl>";
}

function renderMetagraph() {
  const table = $("metagraph");
  const mg = state.metagraph;
  $("mg-title").textContent = state.selected === null ? "" : `of subnet ${state.selected} at block ${mg ? mg.block : "…"}`;
  for (const th of table.tHead.rows[0].cells) {
    th.removeAttribute("aria-sort");
    if (th.dataset.key === state.sort.key) th.setAttribute("aria-sort", state.sort.dir > 0 ? "ascending" : "descending");
  }
  if (!mg) return;
  const { key, dir } = state.sort;
  const value = (n) => (key === "axon" ? axonText(n.axon) : key === "validator_permit" ? Number(n.validator_permit) : n[key]);
  const neurons = [...mg.neurons].sort((a, b) => {
    const x = value(a), y = value(b);
    return (x < y ? -1 : x > y ? 1 : a.uid - b.uid) * dir;
  });
  table.tBodies[0].innerHTML = neurons.map((n) =>
    `<tr><td>${n.uid}</td><td class="mono" title="${n.hotkey}">${short(n.hotkey)}</td>` +
    `<td class="num">${tao(n.stake)}</td><td class="num">${ratio(n.incentive)}</td>` +
    `<td class="num">${ratio(n.dividends)}</td><td class="num">${tao(n.emission)}</td>` +
    `<td class="num">${ratio(n.consensus)}</td><td class="num">${ratio(n.trust)}</td>` +
    `<td class="num">${ratio(n.validator_trust)}</td>` +
    `<td class="${n.validator_permit ? "yes" : "no"}">${n.validator_permit ? "yes" : "no"}</td>` +
    `<td class="mono">${axonText(n.axon)}</td></tr>`).join("") ||
    "<tr><td colspan=\"11\" class=\"empty\">no neurons</td></tr>";
}

function neuronLabel(hotkey) {
  const neuron = state.metagraph && state.metagraph.neurons.find((n) => n.hotkey === hotkey);
  return neuron ? `uid ${neuron.uid}` : short(hotkey);
}

function renderCharts() {
  const epochs = state.selected === null ? [] : state.epochs.get(state.selected) || [];
  const incentive = new Map();
  const emission = new Map();
  for (const epoch of epochs) {
    let total = 0;
    for (const v of epoch.neurons.values()) total += v.incentive;
    for (const [hotkey, v] of epoch.neurons) {
      if (v.incentive > 0 && total > 0) {
        if (!incentive.has(hotkey)) incentive.set(hotkey, []);
        incentive.get(hotkey).push([epoch.block, v.incentive / total]);
      }
      if (v.incentive + v.dividends > 0) {
        if (!emission.has(hotkey)) emission.set(hotkey, []);
        emission.get(hotkey).push([epoch.block, (v.incentive + v.dividends) / RAO]);
      }
    }
  }
  const series = (map) => [...map.entries()]
    .map(([hotkey, points]) => ({ name: neuronLabel(hotkey), hotkey, points }))
    .sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
  lineChart($("chart-incentive"), series(incentive), { yFormat: percent, yMax: 1 });
  lineChart($("chart-emission"), series(emission), { yFormat: (v) => v.toFixed(2) });
}

function lineChart(el, series, { yFormat, yMax }) {
  const W = 600, H = 240, L = 52, R = 10, T = 10, B = 24;
  const points = series.flatMap((s) => s.points);
  if (points.length === 0) {
    el.innerHTML = `<svg viewBox="0 0 ${W} ${H}" role="img"><text class="empty" x="${W / 2}" y="${H / 2}" text-anchor="middle">waiting for an epoch of the selected subnet</text></svg>`;
    return;
  }
  const xs = points.map((p) => p[0]);
  const x0 = Math.min(...xs), x1 = Math.max(...xs, x0 + 1);
  const top = yMax ?? (Math.max(...points.map((p) => p[1])) * 1.1 || 1);
  const x = (v) => L + ((v - x0) / (x1 - x0)) * (W - L - R);
  const y = (v) => T + (1 - v / top) * (H - T - B);
  let svg = `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="chart">`;
  for (let i = 0; i <= 4; i++) {
    const v = (top * i) / 4;
    svg += `<line class="axis" x1="${L}" x2="${W - R}" y1="${y(v)}" y2="${y(v)}"/>`;
    svg += `<text class="tick" x="${L - 6}" y="${y(v) + 3}" text-anchor="end">${yFormat(v)}</text>`;
  }
  svg += `<text class="tick" x="${L}" y="${H - 6}">block ${x0}</text>`;
  svg += `<text class="tick" x="${W - R}" y="${H - 6}" text-anchor="end">block ${x1}</text>`;
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const d = s.points.map((p, j) => `${j ? "L" : "M"}${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join("");
    svg += `<path class="series" d="${d}" fill="none" stroke="${color}" stroke-width="2"><title>${esc(s.name)}</title></path>`;
    for (const p of s.points) svg += `<circle cx="${x(p[0]).toFixed(1)}" cy="${y(p[1]).toFixed(1)}" r="2.5" fill="${color}"/>`;
  });
  svg += "</svg>";
  const legend = series.map((s, i) => `<span><i style="background:${COLORS[i % COLORS.length]}"></i>${esc(s.name)}</span>`).join("");
  el.innerHTML = svg + `<div class="legend">${legend}</div>`;
}

function renderBlocks() {
  const numbers = [...state.blocks.keys()].sort((a, b) => b - a).slice(0, 15);
  $("blocks").tBodies[0].innerHTML = numbers.map((n) => {
    const b = state.blocks.get(n);
    return `<tr><td>${n}</td><td class="mono">${short(b.hash)}</td><td class="num">${b.txs}</td>` +
      `<td class="num">${b.events.length}</td><td>${new Date(b.time).toLocaleTimeString()}</td></tr>`;
  }).join("");
}

function renderEvents() {
  $("events").innerHTML = state.events.slice(0, 60).map(({ block, event }) =>
    `<li><span class="blk">#${block}</span><span class="kind">${event.type.replace(/_/g, " ")}</span>${eventSummary(event)}</li>`).join("");
}

// ---------- refreshing ----------

const backfilled = new Set(); // subnets whose past epochs were fetched

async function refreshChain(rpc) {
  const [finalized, issuance, subnets] = await Promise.all([
    rpc.call("chain_finalizedHead"), rpc.call("chain_totalIssuance"), rpc.call("subnet_list"),
  ]);
  state.finalized = finalized;
  state.issuance = issuance;
  state.subnets = subnets;
  if (state.selected === null && subnets.length > 0) state.selected = subnets[0].netuid;
  if (state.selected !== null) state.metagraph = await rpc.call("subnet_metagraph", [state.selected]);
  render();
  const subnet = subnets.find((s) => s.netuid === state.selected);
  if (subnet && !backfilled.has(subnet.netuid)) {
    backfilled.add(subnet.netuid);
    await backfillEpochs(rpc, subnet);
  }
}

// Epochs run every tempo + 1 blocks, so a subnet's past epochs are found without a scan.
async function backfillEpochs(rpc, subnet) {
  const step = subnet.hyperparams.tempo + 1;
  const numbers = [];
  for (let k = 0, n = subnet.last_epoch_block; k < KEEP_EPOCHS && n > 0; k++, n -= step) numbers.push(n);
  for (let i = 0; i < numbers.length; i += 32) {
    const blocks = await Promise.all(numbers.slice(i, i + 32).map((n) => rpc.call("chain_block", [n])));
    for (const block of blocks) if (block) ingestEpochs(block.header.number, blockEvents(block));
  }
  render();
}

async function backfill(rpc, head) {
  const from = Math.max(0, head - HISTORY_BLOCKS + 1);
  const numbers = [];
  for (let n = from; n <= head; n++) if (!state.blocks.has(n)) numbers.push(n);
  for (let i = 0; i < numbers.length; i += 32) {
    const blocks = await Promise.all(numbers.slice(i, i + 32).map((n) => rpc.call("chain_block", [n])));
    for (const block of blocks) if (block) ingestFullBlock(block);
  }
  render();
}

function start() {
  const params = new URLSearchParams(location.search);
  const url = params.get("rpc") || `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/`;
  $("endpoint").textContent = url;
  let refreshing = false;
  const times = new Map(); // block number -> timestamp, from the heads subscription
  const rpc = new Rpc(url, async () => {
    $("conn").dataset.state = "live";
    $("conn").textContent = "live";
    const head = await rpc.call("chain_head");
    state.head = head;
    await rpc.subscribe("chain_subscribeNewHeads", async (header) => {
      state.head = header;
      times.set(header.number, header.timestamp);
      render();
      if (refreshing) return;
      refreshing = true;
      try { await refreshChain(rpc); } finally { refreshing = false; }
    });
    await rpc.subscribe("chain_subscribeEvents", (block) => {
      const events = [...block.block_events, ...block.receipts.flatMap((r) => r.events)];
      ingestBlock(block.block, block.block_hash, times.get(block.block) ?? Date.now(), block.receipts.length, events);
      times.delete(block.block);
      render();
    });
    await refreshChain(rpc);
    await backfill(rpc, head.number);
    document.body.dataset.ready = "true";
  }, () => {
    $("conn").dataset.state = "down";
    $("conn").textContent = "reconnecting";
  });

  $("subnets").addEventListener("click", async (e) => {
    const row = e.target.closest("tr[data-netuid]");
    if (!row) return;
    state.selected = Number(row.dataset.netuid);
    state.metagraph = null;
    render();
    state.metagraph = await rpc.call("subnet_metagraph", [state.selected]);
    render();
  });
  $("metagraph").tHead.addEventListener("click", (e) => {
    const th = e.target.closest("th[data-key]");
    if (!th) return;
    const key = th.dataset.key;
    state.sort = { key, dir: state.sort.key === key ? -state.sort.dir : th.dataset.type === "num" ? -1 : 1 };
    render();
  });
}

start();
