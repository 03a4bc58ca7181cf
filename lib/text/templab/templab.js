/* The temperature lab in the browser: the chapter "The temperature lab".
 *
 * No library, no network. lib/text/templab/static.py puts the payload of
 * lib/text/templab/payload.py (the model's weights, float32 in base64, the lab's settings and
 * its limits) into a JSON script next to the lab and inlines this file; it runs the
 * computation of lib.text.sampling.Sampler, with the arrays of
 * lib.text.sampling.export_weights (row vectors, x @ W):
 *
 *   gates^(1)_t = table[s_t] + h^(1)_{t-1} W_hh_0                table (V, 4n), W_hh_0 (n, 4n)
 *   gates^(l)_t = [h^(l-1)_t, h^(l)_{t-1}] W_l + b_l              W_l (2n, 4n), b_l (4n,)
 *   [i, f, g, o] = [sigm, sigm, tanh, sigm](gates)
 *   c_t = i * g + f * c_{t-1},   h_t = o * tanh(c_t)
 *   p_t = h^(L)_t W_ph + b_p                                      W_ph (n, V), b_p (V,)
 *   P_τ(v) = softmax(p_t / τ)_v      τ = 0: the argmax; top-k keeps the k largest logits
 *
 * The weights are the float32 numbers Python exports (held as float64, the same values) and
 * the states are stored as float32 (Float32Array), like the NumPy sampler's arrays; each
 * product accumulates in float64 before it is stored. Draws use NumPy's default generator
 * (SeedSequence, PCG64, random() doubles), so a seed means the same text here as in Python:
 * draw t uses the t-th uniform u_t and picks the first character whose cumulative weight
 * exceeds u_t times the total (inverse CDF), in float32 as lib.text.sampling does.
 *
 * Every limit of the controls (the temperatures, the slider, length, seed, the bars shown,
 * the curve's points and ticks) comes from the payload (lib.text.templab.settings.lab_limits):
 * this file states none of them.
 *
 * In Node (tests/text/test_templab.py) the file exports the computation; in a page it also
 * defines TempLab.mount(root), which builds the controls and the displays.
 */
(function (global) {
  "use strict";
  if (global.TempLab) return;

  // ------------------------------------------------------------------------ the model
  function decodeArray(entry) {
    const bytes = Uint8Array.from(atob(entry.b64), (ch) => ch.charCodeAt(0));
    const values = new Float32Array(bytes.buffer);
    const size = entry.shape.reduce((a, b) => a * b, 1);
    if (values.length !== size) throw new Error("weights of shape " + entry.shape +
                                                " hold " + values.length + " numbers");
    return Float64Array.from(values);      // exactly the float32 numbers
  }

  /** The payload format this file reads: lib.text.templab.payload.PAYLOAD_FORMAT. */
  const FORMAT = 2;

  /** The payload of lib.text.templab.payload.encode_payload -> the arrays and sizes of the
   *  model, and how the charts label each character (labels). */
  function decodeModel(payload) {
    if (payload.format !== FORMAT) {
      throw new Error("unknown weight format " + payload.format + " (this lab reads format " +
                      FORMAT + ")");
    }
    const a = payload.arrays, L = payload.num_layers, V = payload.vocab.length;
    if (a.table.shape[0] !== V || a.table.shape[1] !== 4 * payload.num_hiddens) {
      throw new Error("weights of shape " + a.table.shape + " do not fit " + V + " characters");
    }
    if (!Array.isArray(payload.labels) || payload.labels.length !== V) {
      throw new Error("the payload's labels do not name the vocabulary's " + V +
                      " characters");
    }
    const model = {vocab: payload.vocab, labels: payload.labels, V: V, n: payload.num_hiddens,
                   L: L, table: decodeArray(a.table), W_hh_0: decodeArray(a.W_hh_0),
                   W: [null], b: [null], W_ph: decodeArray(a.W_ph), b_p: decodeArray(a.b_p)};
    for (let l = 1; l < L; l++) {
      model.W.push(decodeArray(a["W_" + l]));
      model.b.push(decodeArray(a["b_" + l]));
    }
    model.index = new Map(model.vocab.map((ch, i) => [ch, i]));
    return model;
  }

  function initialState(model) {
    const zeros = () => Array.from({length: model.L}, () => new Float32Array(model.n));
    return {h: zeros(), c: zeros()};
  }

  function copyState(state) {
    return {h: state.h.map((x) => x.slice()), c: state.c.map((x) => x.slice())};
  }

  /** acc (4n) += x (rows) @ W[rowOffset:rowOffset + x.length, :]; 4n is a multiple of 4.
   *  (W holds the float32 weights as float64: the same numbers, without a conversion per
   *  multiplication; unrolled by four, the sums keep their order.) */
  function addProduct(acc, x, W, rowOffset) {
    const m = acc.length;
    for (let k = 0; k < x.length; k++) {
      const xk = x[k];
      if (xk === 0) continue;
      for (let j = 0, r = (rowOffset + k) * m; j < m; j += 4, r += 4) {
        acc[j] += xk * W[r];
        acc[j + 1] += xk * W[r + 1];
        acc[j + 2] += xk * W[r + 2];
        acc[j + 3] += xk * W[r + 3];
      }
    }
  }

  const sigmoid = (x) => 0.5 + 0.5 * Math.tanh(0.5 * x);

  /** One LSTM cell: gates (4n) = [i; f; g; o] pre-activations; updates h and c in place. */
  function cell(gates, h, c) {
    const n = c.length;
    for (let j = 0; j < n; j++) {
      const i = sigmoid(gates[j]), f = sigmoid(gates[n + j]);
      const g = Math.tanh(gates[2 * n + j]), o = sigmoid(gates[3 * n + j]);
      c[j] = i * g + f * c[j];              // stored as float32
      h[j] = o * Math.tanh(c[j]);
    }
  }

  /** Read character id ``s`` in ``state`` (updated in place): the logits (V,) for the next. */
  function step(model, s, state) {
    const n = model.n, m = 4 * n, gates = new Float64Array(m);
    for (let j = 0; j < m; j++) gates[j] = model.table[s * m + j];
    addProduct(gates, state.h[0], model.W_hh_0, 0);
    cell(gates, state.h[0], state.c[0]);
    for (let l = 1; l < model.L; l++) {
      const W = model.W[l], b = model.b[l];
      for (let j = 0; j < m; j++) gates[j] = b[j];
      addProduct(gates, state.h[l - 1], W, 0);    // h_t^(l-1): already the new one
      addProduct(gates, state.h[l], W, n);        // h_{t-1}^(l): not yet updated
      cell(gates, state.h[l], state.c[l]);
    }
    const V = model.V, W_ph = model.W_ph, top = state.h[model.L - 1];
    const logits = Float64Array.from(model.b_p);
    for (let k = 0; k < n; k++) {
      for (let v = 0, r = k * V; v < V; v++) logits[v] += top[k] * W_ph[r + v];
    }
    return Float32Array.from(logits);
  }

  /** Character ids of ``text``; characters the model never saw are an error naming them. */
  function encode(model, text) {
    const chars = Array.from(text);
    const unknown = [...new Set(chars.filter((ch) => !model.index.has(ch)))];
    if (unknown.length) {
      const shown = unknown.slice(0, 10).map((ch) => JSON.stringify(ch) + " (U+" +
        ch.codePointAt(0).toString(16).toUpperCase().padStart(4, "0") + ")");
      throw new Error(unknown.length + " character(s) not in the model's vocabulary of " +
                      model.V + ": " + shown.join(", "));
    }
    return chars.map((ch) => model.index.get(ch));
  }

  /** Feed the prompt's ids once from a zero state: {logits after the last one, state}. */
  function read(model, ids) {
    if (!ids.length) throw new Error("the prompt is empty: type at least one character");
    const state = initialState(model);
    let logits = null;
    for (const s of ids) logits = step(model, s, state);
    return {logits: logits, state: state};
  }

  // ---------------------------------------------------------------- distributions
  /** τ from a temperature or beta = 1/τ, as lib.text.sampling.check_temperature (0 <= τ <= inf). */
  function checkTemperature(value, convention) {
    if (typeof value !== "number" || Number.isNaN(value) || value < 0) {
      const name = convention === "beta" ? "β" : "τ";
      throw new Error(name + " = " + value + ": must be a number >= 0");
    }
    if (convention === "beta") return value === 0 ? Infinity : 1 / value;
    return value;
  }

  /** Logits with all but the k largest set to -inf (ties with the k-th kept), as lib does. */
  function keepTopK(logits, k) {
    if (k === null || k === undefined || k >= logits.length) return logits;
    const kth = Array.from(logits).sort((x, y) => y - x)[k - 1];
    return logits.map((x) => (x >= kth ? x : -Infinity));
  }

  function argmax(x) {
    let best = 0;
    for (let v = 1; v < x.length; v++) if (x[v] > x[best]) best = v;
    return best;
  }

  /** softmax(logits / τ) in float64; τ = 0 is one-hot on the argmax, τ = inf uniform. */
  function softmaxTau(logits, tau, topK) {
    const z = Float64Array.from(keepTopK(logits, topK));
    const p = new Float64Array(z.length);
    if (tau === 0) { p[argmax(z)] = 1; return p; }
    const max = Math.max(...z);
    let total = 0;
    for (let v = 0; v < z.length; v++) {
      p[v] = z[v] === -Infinity ? 0 : (tau === Infinity ? 1 : Math.exp(z[v] / tau - max / tau));
      total += p[v];
    }
    for (let v = 0; v < z.length; v++) p[v] /= total;
    return p;
  }

  function entropyBits(p) {
    let h = 0;
    for (const q of p) if (q > 0) h -= q * Math.log2(q);
    return h;
  }

  // ------------------------------------------- NumPy's default_rng: SeedSequence + PCG64
  const MASK64 = (1n << 64n) - 1n, MASK128 = (1n << 128n) - 1n;
  const PCG_MULT = 0x2360ED051FC65DA44385DF649FCCF645n;

  /** numpy.random.SeedSequence(seed).generate_state(nWords) as uint32 numbers. */
  function seedSequenceState(seed, nWords) {
    const INIT_A = 0x43b0d7e5, MULT_A = 0x931e8875, INIT_B = 0x8b51f9dd, MULT_B = 0x58f38ded;
    const MIX_L = 0xca01f9dd, MIX_R = 0x4973f715;
    let entropy = [], big = BigInt(seed);
    do { entropy.push(Number(big & 0xFFFFFFFFn)); big >>= 32n; } while (big > 0n);
    let hashConst = INIT_A;
    const hashmix = (value) => {
      value = (value ^ hashConst) >>> 0;
      hashConst = Math.imul(hashConst, MULT_A) >>> 0;
      value = Math.imul(value, hashConst) >>> 0;
      return (value ^ (value >>> 16)) >>> 0;
    };
    const mix = (x, y) => {
      const r = (Math.imul(MIX_L, x) - Math.imul(MIX_R, y)) >>> 0;
      return (r ^ (r >>> 16)) >>> 0;
    };
    const pool = [0, 1, 2, 3].map((i) => hashmix(i < entropy.length ? entropy[i] : 0));
    for (let from = 0; from < 4; from++) {
      for (let to = 0; to < 4; to++) if (from !== to) pool[to] = mix(pool[to], hashmix(pool[from]));
    }
    for (let from = 4; from < entropy.length; from++) {
      for (let to = 0; to < 4; to++) pool[to] = mix(pool[to], hashmix(entropy[from]));
    }
    const out = [];
    let h = INIT_B;
    for (let i = 0; i < nWords; i++) {
      let value = (pool[i % 4] ^ h) >>> 0;
      h = Math.imul(h, MULT_B) >>> 0;
      value = Math.imul(value, h) >>> 0;
      out.push((value ^ (value >>> 16)) >>> 0);
    }
    return out;
  }

  /** numpy.random.default_rng(seed): random() gives the same doubles as NumPy's. */
  class NumpyRandom {
    constructor(seed) {
      if (!Number.isSafeInteger(seed) || seed < 0) {
        throw new Error("seed = " + seed + ": expected an integer >= 0");
      }
      const w = seedSequenceState(seed, 8).map(BigInt);
      const u64 = (i) => w[2 * i] | (w[2 * i + 1] << 32n);          // little-endian pairs
      const initState = (u64(0) << 64n) | u64(1), initSeq = (u64(2) << 64n) | u64(3);
      this.inc = ((initSeq << 1n) | 1n) & MASK128;
      this.state = 0n;
      this.step();
      this.state = (this.state + initState) & MASK128;
      this.step();
    }
    step() { this.state = (this.state * PCG_MULT + this.inc) & MASK128; }
    nextUint64() {                                                   // XSL-RR output
      this.step();
      const x = ((this.state >> 64n) ^ this.state) & MASK64, rot = this.state >> 122n;
      return ((x >> rot) | (x << ((64n - rot) & 63n))) & MASK64;
    }
    random() { return Number(this.nextUint64() >> 11n) * (1.0 / 9007199254740992.0); }
  }

  // --------------------------------------------------------------------- sampling
  /** The character id at uniform u: lib.text.sampling._draw, float32 like NumPy's arrays. */
  function draw(logits, tau, topK, u) {
    const z = keepTopK(logits, topK);
    if (tau === 0) return argmax(z);
    const f = Math.fround, max = Math.max(...z), inv = f(1 / tau);
    const cdf = new Float32Array(z.length);
    let acc = 0;
    for (let v = 0; v < z.length; v++) {
      const w = tau === Infinity ? (z[v] === -Infinity ? 0 : 1)
                                 : f(Math.exp(f(f(z[v] - max) * inv)));
      acc = f(acc + w);
      cdf[v] = acc;
    }
    const target = u * cdf[z.length - 1];
    for (let v = 0; v < z.length; v++) if (cdf[v] > target) return v;
    return z.length - 1;
  }

  /** ``length`` character ids after the prompt, as lib.text.sampling.Sampler.sample. */
  function sample(model, start, length, tau, topK, seed) {
    const rng = new NumpyRandom(seed), state = copyState(start.state), out = [];
    let logits = start.logits;
    for (let t = 0; t < length; t++) {
      out.push(draw(logits, tau, topK, rng.random()));
      if (t + 1 < length) logits = step(model, out[t], state);
    }
    return out;
  }

  const decode = (model, ids) => ids.map((i) => model.vocab[i]).join("");

  // ------------------------------------------------------------------------ the limits
  /** The limits of lib.text.templab.settings.lab_limits, as the payload carries them:
   *  tau (τ) [min, max], slider (log10 τ) [min, max, step], length and seed [min, max],
   *  top_shown (bars), curve_points, ticks {tau: [...], beta: [...]}. A payload without them
   *  is an error. */
  function readLimits(payload) {
    const limits = payload.limits || {};
    const numbers = (x, size) => Array.isArray(x) && x.length === size &&
                                 x.every((v) => typeof v === "number" && Number.isFinite(v));
    const sizes = {tau: 2, slider: 3, length: 2, seed: 2};
    for (const [name, size] of Object.entries(sizes)) {
      if (!numbers(limits[name], size) || !(limits[name][0] < limits[name][1])) {
        throw new Error("the payload's limits lack " + name + " (" + size + " numbers, " +
                        "the smallest first)");
      }
    }
    for (const name of ["top_shown", "curve_points"]) {
      if (!Number.isInteger(limits[name]) || limits[name] < 2) {
        throw new Error("the payload's limits lack " + name + " (a whole number >= 2)");
      }
    }
    const ticks = limits.ticks || {};
    const someNumbers = (x) => Array.isArray(x) && numbers(x, x.length);
    if (!someNumbers(ticks.tau) || !someNumbers(ticks.beta)) {
      throw new Error("the payload's limits lack the curve's ticks for tau and beta");
    }
    return limits;
  }

  /** The slider's values at its two ends: τ, or beta = 1/τ (settings.value_range). */
  function valueRange(limits, convention) {
    const [low, high] = limits.tau;
    return convention === "beta" ? [1 / high, 1 / low] : [low, high];
  }

  /** The slider's range in log10 of its value: [min, max]; for beta, the mirror of τ's. */
  function sliderRange(limits, convention) {
    const [low, high] = limits.slider;
    return convention === "beta" ? [-high, -low] : [low, high];
  }

  /** τ held inside the lab's temperatures. */
  function clampTau(limits, tau) {
    return Math.min(limits.tau[1], Math.max(limits.tau[0], tau));
  }

  /** The number ``text`` says if it is a whole number in [min, max], else an error. */
  function wholeNumber(name, text, [min, max]) {
    const x = Number(text);
    if (String(text).trim() === "" || !Number.isInteger(x) || x < min || x > max) {
      throw new Error(name + " = " + JSON.stringify(text) + ": expected a whole " +
                      "number from " + min + " to " + max);
    }
    return x;
  }

  /** The slider's values on the entropy curve: curve_points on a log grid (entropy_curve). */
  function curveValues(limits, convention) {
    const [low, high] = valueRange(limits, convention), m = limits.curve_points;
    return Array.from({length: m}, (_, i) => low * (high / low) ** (i / (m - 1)));
  }

  /** Ids of the top_shown characters of P1 (largest first, ties: the smaller id). */
  function topShown(limits, P1) {
    return Array.from(P1.keys()).sort((a, b) => P1[b] - P1[a] || a - b)
      .slice(0, limits.top_shown);
  }

  const TempLab = {FORMAT, decodeModel, initialState, step, encode, decode, read,
                   checkTemperature, keepTopK, softmaxTau, entropyBits, seedSequenceState,
                   NumpyRandom, draw, sample, readLimits, valueRange, sliderRange, clampTau,
                   wholeNumber, curveValues, topShown};

  if (typeof module !== "undefined" && module.exports) {
    module.exports = TempLab;
    return;
  }
  global.TempLab = TempLab;

  // ====================================================================== the page
  const SVG = "http://www.w3.org/2000/svg";
  const STYLE = `
.templab { border: 1px solid rgba(128,128,128,.45); border-radius: 6px; padding: .8em;
           margin: 1em 0; font-size: .9rem; line-height: 1.35; }
.templab .templab-title { font-weight: 600; margin-bottom: .4em; }
.templab .templab-controls { display: flex; flex-wrap: wrap; gap: .5em 1.2em; align-items: center; }
.templab .templab-controls label { display: inline-flex; align-items: center; gap: .35em; }
.templab .templab-convention-pair { display: inline-flex; gap: .9em; }
.templab input[type=number] { width: 5.5em; }
.templab input[type=range] { width: 14em; max-width: 60vw; }
.templab textarea { width: 16em; max-width: 80vw; font-family: monospace; }
.templab .templab-displays { display: flex; flex-wrap: wrap; gap: .5em 1.5em; margin-top: .6em; }
.templab figure { margin: 0; flex: 1 1 300px; min-width: 0; }
.templab figure svg { width: 100%; height: auto; display: block; }
.templab figcaption { font-size: .8rem; opacity: .8; }
.templab .templab-status { min-height: 1.3em; font-size: .8rem; opacity: .85; margin-top: .3em; }
.templab .templab-status.templab-error { color: #c0392b; opacity: 1; font-weight: 600; }
.templab pre.templab-sample { white-space: pre-wrap; word-break: break-word; margin: .5em 0 0;
           padding: .5em; background: rgba(128,128,128,.12); border-radius: 4px; }
.templab .templab-prompt-echo { font-weight: 700; }
`;

  function el(tag, attrs, children) {
    const node = tag.startsWith("svg:") ? document.createElementNS(SVG, tag.slice(4))
                                        : document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === "text") node.textContent = value;
      else node.setAttribute(key, value);
    }
    for (const child of children || []) node.appendChild(child);
    return node;
  }

  function buildControls(lab) {
    const convention = "templab-convention", V = String(lab.model.V), lim = lab.limits;
    const c = lab.controls = {
      divide: el("input", {type: "radio", name: lab.name, value: "tau", class: convention}),
      multiply: el("input", {type: "radio", name: lab.name, value: "beta", class: convention}),
      slider: el("input", {type: "range", step: String(lim.slider[2]),
                           class: "templab-slider"}),
      value: el("input", {type: "number", step: "any", class: "templab-temperature"}),
      valueName: el("span", {text: "τ"}),
      greedy: el("input", {type: "checkbox", class: "templab-greedy"}),
      greedyName: el("span", {text: "greedy (τ = 0)"}),
      prompt: el("textarea", {rows: "2", class: "templab-prompt", spellcheck: "false"}),
      length: el("input", {type: "number", min: String(lim.length[0]),
                           max: String(lim.length[1]), class: "templab-length"}),
      seed: el("input", {type: "number", min: String(lim.seed[0]), max: String(lim.seed[1]),
                         class: "templab-seed"}),
      topK: el("input", {type: "number", min: "0", max: V, class: "templab-topk"}),
      resample: el("button", {type: "button", class: "templab-resample",
                              text: "resample (seed + 1)"}),
    };
    const pair = (...kids) => el("label", {}, kids);
    return el("div", {class: "templab-controls"}, [
      el("span", {class: "templab-convention-pair"}, [
        pair(c.divide, el("span", {text: "divide by τ"})),
        pair(c.multiply, el("span", {text: "multiply by β"}))]),
      pair(c.valueName, c.slider, c.value), pair(c.greedy, c.greedyName),
      pair(el("span", {text: "prompt"}), c.prompt), pair(el("span", {text: "length"}), c.length),
      pair(el("span", {text: "seed"}), c.seed), pair(el("span", {text: "top-k (0: off)"}), c.topK),
      c.resample]);
  }

  function buildDisplays(lab) {
    const d = lab.displays = {
      bars: el("svg:svg", {viewBox: "0 0 420 230", class: "templab-bars", role: "img"}),
      curve: el("svg:svg", {viewBox: "0 0 420 230", class: "templab-curve", role: "img"}),
      entropy: el("div", {class: "templab-entropy"}),
      status: el("div", {class: "templab-status"}),
      promptEcho: el("span", {class: "templab-prompt-echo"}),
      continuation: el("span", {class: "templab-continuation"}),
    };
    return [
      el("div", {class: "templab-displays"}, [
        el("figure", {}, [d.bars, el("figcaption", {text: "The next character after the prompt: " +
          "P_τ (filled) and the model's own P_1 (outline), its " + lab.limits.top_shown +
          " most likely characters."})]),
        el("figure", {}, [d.curve, el("figcaption", {text: "Entropy of the next character " +
          "against the temperature; the dot is the current setting."})])]),
      d.entropy,
      el("pre", {class: "templab-sample"}, [d.promptEcho, d.continuation]),
      d.status];
  }

  // ------------------------------------------------------------- controls <-> settings
  const lg = Math.log10;

  /** The temperature controls. The slider shows log10 of τ, or of beta = 1/τ: the same
   *  distributions under the other name. */
  function showSettings(lab) {
    const s = lab.settings, c = lab.controls, beta = s.convention === "beta";
    const shownValue = beta ? 1 / s.tau : s.tau;
    c.divide.checked = !beta;
    c.multiply.checked = beta;
    [c.slider.min, c.slider.max] = sliderRange(lab.limits, s.convention).map(String);
    c.slider.value = String(lg(shownValue));
    c.value.value = String(+shownValue.toPrecision(4));
    c.valueName.textContent = beta ? "β" : "τ";
    c.greedyName.textContent = beta ? "greedy (β = ∞)" : "greedy (τ = 0)";
    c.slider.disabled = c.value.disabled = s.greedy;
    c.greedy.checked = s.greedy;
  }

  /** The typed controls are read at every update (readControls); set them once, at the start. */
  function showTyped(lab) {
    const s = lab.settings, c = lab.controls;
    c.prompt.value = s.prompt;
    c.length.value = String(s.length);
    c.seed.value = String(s.seed);
    c.topK.value = String(s.topK || 0);
  }

  /** The typed values into the settings; a value that is not allowed is an error to show. */
  function readControls(lab) {
    const c = lab.controls, s = lab.settings, beta = s.convention === "beta", lim = lab.limits;
    s.prompt = c.prompt.value;
    s.length = wholeNumber("length", c.length.value, lim.length);
    s.seed = wholeNumber("seed", c.seed.value, lim.seed);
    s.topK = wholeNumber("top-k", c.topK.value, [0, lab.model.V]) || null;
    const typed = Number(c.value.value);
    if (!s.greedy && !(typed > 0 && Number.isFinite(typed))) {
      throw new Error((beta ? "β" : "τ") + " = " + JSON.stringify(c.value.value) + ": must be a " +
                      "number > 0 (tick greedy for " + (beta ? "β = ∞" : "τ = 0") + ")");
    }
  }

  function listen(lab) {
    const c = lab.controls, s = lab.settings, lim = lab.limits;
    const fromShown = (x) => clampTau(lim, s.convention === "beta" ? 1 / x : x);
    const shownTau = () => String(+(s.convention === "beta" ? 1 / s.tau : s.tau).toPrecision(4));
    const on = (node, event, change) => node.addEventListener(event, () => {
      change();
      lab.schedule();
    });
    on(c.divide, "change", () => { s.convention = "tau"; showSettings(lab); });
    on(c.multiply, "change", () => { s.convention = "beta"; showSettings(lab); });
    on(c.slider, "input", () => {
      s.tau = fromShown(10 ** Number(c.slider.value));
      c.value.value = shownTau();
    });
    on(c.value, "change", () => {                       // a bad number: readControls says so
      const x = Number(c.value.value);
      if (x > 0 && Number.isFinite(x)) {
        s.tau = fromShown(x);
        showSettings(lab);
      }
    });
    on(c.greedy, "change", () => { s.greedy = c.greedy.checked; showSettings(lab); });
    for (const node of [c.prompt, c.length, c.seed, c.topK]) on(node, "input", () => {});
    on(c.resample, "click", () => {                     // after the largest seed: the smallest
      c.seed.value = String(s.seed >= lim.seed[1] ? lim.seed[0] : s.seed + 1);
    });
  }

  // --------------------------------------------------------------------- the displays
  const line = (x1, y1, x2, y2, attrs) =>
    el("svg:line", Object.assign({x1: x1, y1: y1, x2: x2, y2: y2, stroke: "currentColor"}, attrs));
  const label = (x, y, text, attrs) => el("svg:text", Object.assign(
    {x: x, y: y, "font-size": 11, fill: "currentColor", text: text}, attrs));
  const yLabel = (y, text) => label(12, y, text,
                                    {transform: `rotate(-90 12 ${y})`, "text-anchor": "middle"});

  /** P_τ (filled) and P_1 (dashed outline) of the top_shown characters the model ranks
   *  highest. */
  function drawBars(lab, P, P1) {
    const svg = lab.displays.bars, vocab = lab.model.vocab, labels = lab.model.labels;
    const order = topShown(lab.limits, P1);
    const x0 = 36, y0 = 200, height = 180, width = 376 / lab.limits.top_shown;
    const y = (p) => y0 - p * height;
    const nodes = [yLabel(110, "probability")];
    for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
      nodes.push(line(x0, y(tick), 414, y(tick), {"stroke-opacity": 0.15}),
                 label(x0 - 4, y(tick) + 4, String(tick), {"text-anchor": "end"}));
    }
    order.forEach((v, i) => {
      const x = x0 + i * width + 2, ch = vocab[v];
      const bar = el("svg:rect", {x: x, width: width - 4, y: y(P[v]), height: P[v] * height,
                                  fill: "#1f77b4", class: "templab-bar", "data-char": ch,
                                  "data-p": String(P[v])}, [el("svg:title", {text:
        JSON.stringify(ch) + ": P_τ = " + P[v].toFixed(4) + ", P_1 = " + P1[v].toFixed(4)})]);
      const own = el("svg:rect", {x: x, width: width - 4, y: y(P1[v]), height: P1[v] * height,
                                  fill: "none", stroke: "currentColor", "stroke-opacity": 0.6,
                                  "stroke-dasharray": "3 2"});
      nodes.push(bar, own, label(x + (width - 4) / 2, y0 + 16, labels[v], {
        "text-anchor": "middle", "font-size": 13, "font-family": "monospace"}));
    });
    svg.replaceChildren(...nodes);
  }

  /** H(P_τ) over the slider (τ, or beta = 1/τ; log scale), top-k applied; the dot is now. */
  function drawCurve(lab, logits, H) {
    const svg = lab.displays.curve, s = lab.settings, V = lab.model.V, lim = lab.limits;
    const beta = s.convention === "beta";
    const [low, high] = valueRange(lim, s.convention);
    const x0 = 36, x1 = 410, y0 = 190, Hmax = Math.log2(V);
    const x = (value) => x0 + (lg(value) - lg(low)) / (lg(high) - lg(low)) * (x1 - x0);
    const y = (h) => y0 - h / Hmax * 170;
    const nodes = [yLabel(105, "entropy (bits)"), line(x0, y0, x1, y0),
                   label((x0 + x1) / 2, 226, beta ? "β = 1/τ (multiply the logits), log scale"
                                                 : "τ (divide the logits), log scale",
                         {"text-anchor": "middle", "font-size": 12})];
    const levels = [[Hmax, "uniform: log2 " + V]];
    if (s.topK && s.topK < V) levels.push([Math.log2(s.topK), "top-k cap: log2 " + s.topK]);
    for (const [h, name] of levels) {
      nodes.push(line(x0, y(h), x1, y(h), {"stroke-opacity": 0.5, "stroke-dasharray": "4 3"}),
                 label(x0 + 4, y(h) - 4, name));
    }
    for (const tick of lim.ticks[s.convention]) {
      nodes.push(line(x(tick), y0, x(tick), y0 + 4),
                 label(x(tick), y0 + 16, String(tick), {"text-anchor": "middle"}));
    }
    const points = curveValues(lim, s.convention).map((value) => {
      const Hi = entropyBits(softmaxTau(logits, beta ? 1 / value : value, s.topK));
      return x(value).toFixed(1) + "," + y(Hi).toFixed(1);
    });
    const here = s.greedy ? (beta ? x1 : x0) : x(beta ? 1 / s.tau : s.tau);
    nodes.push(el("svg:polyline", {points: points.join(" "), fill: "none", stroke: "#1f77b4",
                                   "stroke-width": 2}),
               el("svg:circle", {cx: here, cy: y(H), r: 5, fill: "#d62728",
                                 class: "templab-marker"}));
    svg.replaceChildren(...nodes);
  }

  function settingName(s) {
    const beta = s.convention === "beta", value = +(beta ? 1 / s.tau : s.tau).toPrecision(3);
    if (s.greedy) return beta ? "β = ∞ (greedy)" : "τ = 0 (greedy)";
    return (beta ? "β = " : "τ = ") + value;
  }

  // ------------------------------------------------------------------------ updates
  function update(lab) {
    const start = performance.now(), s = lab.settings, d = lab.displays;
    try {
      readControls(lab);
      if (s.prompt !== lab.readPrompt) {                // the prompt is read once per edit
        lab.start = read(lab.model, encode(lab.model, s.prompt));
        lab.readPrompt = s.prompt;
      }
      const tau = s.greedy ? 0 : s.tau, logits = lab.start.logits;
      const P = softmaxTau(logits, tau, s.topK), P1 = softmaxTau(logits, 1, null);
      const H = entropyBits(P);
      const text = decode(lab.model, sample(lab.model, lab.start, s.length, tau, s.topK, s.seed));
      drawBars(lab, P, P1);
      drawCurve(lab, logits, H);
      d.entropy.textContent = "Entropy of the next character at " + settingName(s) + ": " +
        H.toFixed(3) + " bits (the model's own, τ = 1: " + entropyBits(P1).toFixed(3) +
        " bits; uniform: " + Math.log2(lab.model.V).toFixed(3) + " bits).";
      d.entropy.dataset.bits = String(H);
      d.promptEcho.textContent = s.prompt;
      d.continuation.textContent = text;
      lab.last = {prompt: s.prompt, tau: tau, topK: s.topK, seed: s.seed, length: s.length, P: P,
                  text: text};
      lab.lastMilliseconds = performance.now() - start;
      d.status.className = "templab-status";
      d.status.textContent = "Computed in your browser in " + lab.lastMilliseconds.toFixed(0) +
        " ms (" + s.prompt.length + " + " + s.length + " LSTM steps).";
    } catch (error) {
      lab.last = null;
      d.status.className = "templab-status templab-error";
      d.status.textContent = error.message;
      d.continuation.textContent = "";
    }
    lab.updates += 1;
    lab.root.dataset.updates = String(lab.updates);
  }

  /** Build the lab inside ``root`` (a div holding the JSON script of
   *  lib.text.templab.static.static_lab). */
  function mount(root) {
    if (!root || root.dataset.mounted) return root && root.templab;
    root.dataset.mounted = "1";
    try {
      return build(root);
    } catch (error) {                                   // a damaged page: say so, in place
      root.appendChild(el("p", {class: "templab-status templab-error",
                                text: "The temperature lab could not start: " + error.message}));
      return null;
    }
  }

  function build(root) {
    if (!document.getElementById("templab-style")) {
      document.head.appendChild(el("style", {id: "templab-style", text: STYLE}));
    }
    const payload = JSON.parse(root.querySelector("script.templab-data").textContent);
    root.querySelectorAll(".templab-fallback").forEach((node) => node.remove());
    const lab = {root: root, model: decodeModel(payload), limits: readLimits(payload),
                 settings: Object.assign({}, payload.settings),
                 name: "templab-" + Math.random().toString(36).slice(2),   // the radio group
                 readPrompt: null, start: null, updates: 0, pending: false};
    lab.schedule = () => {                              // at most one update per frame
      if (lab.pending) return;
      lab.pending = true;
      requestAnimationFrame(() => { lab.pending = false; update(lab); });
    };
    root.appendChild(el("div", {class: "templab-title", text: payload.title}));
    root.appendChild(buildControls(lab));
    buildDisplays(lab).forEach((node) => root.appendChild(node));
    showSettings(lab);
    showTyped(lab);
    listen(lab);
    update(lab);
    root.templab = lab;
    return lab;
  }

  TempLab.mount = mount;
  TempLab.update = update;
})(typeof window !== "undefined" ? window : globalThis);
