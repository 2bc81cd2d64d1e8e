// Plotly charts that update in place, driven by Streamlit's component messages.
//
// Streamlit posts a "render" message with the latest figures on every script run. While a
// run trains the message may name a feed instead (ui/live/chart_feed.py): then this frame
// fetches each new frame's figures from the feed itself, a few times a second, and the
// page's messages bring only the charts' places and sizes. The feed brings the numbers
// above the charts as well, written into the page's own elements (see showNumbers), and
// the run's status, so the page is asked to run again once the run moves on. Each
// chart keeps its own div, and a new figure goes through Plotly.react, which keeps the
// viewer's zoom (uirevision) and reuses the plot's WebGL context. A figure drawn at the
// same size is not drawn again; if frames arrive faster than they can be drawn, the
// ones in between are skipped and the newest one is drawn.
//
// Sizes: a chart with `least` set fits the page's window height (less `sizing.reserve`),
// which is known only here, so a projector's 720 px and a monitor's 1080 px both show
// the plane whole. Every title is shrunk, if need be, to fit its chart's width.
"use strict";

const PLOT_CONFIG = { displaylogo: false, scrollZoom: false, responsive: true };
const COLUMN_GAP = 8; // px between the charts of a column: .column's gap in frame.css
const TITLE_LEAST_SIZE = 10; // px: a title is never shrunk below this
const TITLE_SLACK = 12; // px kept free right of a title: the measure is not exact
const FALLBACK_FONT = '"Open Sans", verdana, arial, sans-serif'; // plotly's own default
const drawn = {}; // chart id -> what was last drawn there (figure JSON and size)
const revisions = {}; // chart id -> the uirevision last drawn there
const zooms = {}; // chart id -> {key, x, y}: the view a viewer zoomed or panned to
let plotlyLoaded = null;
let sentHeight = null; // the frame height last asked of Streamlit
let pending = null; // newest args not drawn yet
let latest = null; // the args last drawn: what a resize draws again
let drawing = false;
let measure = null; // a canvas context, to measure a title's width before drawing it
let feedUrl = null; // the feed being fetched from, if any
let feedSeen = ""; // the key of the feed's figures last received
let feedFigures = {}; // chart id -> figure, the latest the feed sent of each
let rerunAsked = null; // the run's status for which the page was last asked to run again
let feedMaths; // the maths the feed last sent (undefined: none yet, null: none to draw)
let mathsShown = null; // the JSON of the maths drawn, so the same are not drawn again
const MATHML = "http://www.w3.org/1998/Math/MathML";
// The MathML a formula may use (ui/live/live_maths.py), and the attributes it may set.
const MATH_TAGS = new Set([
  "mrow", "mi", "mn", "mo", "msub", "msup", "mover", "mtable", "mtr", "mtd", "mtext", "mspace",
]);
const MATH_ATTRIBUTES = new Set(["mathvariant", "stretchy", "width"]);

function send(type, data) {
  window.parent.postMessage({ isStreamlitMessage: true, type: type, ...data }, "*");
}

function loadPlotly(src) {
  if (!plotlyLoaded) {
    plotlyLoaded = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = () => reject(new Error("plotly.js could not be loaded from " + src));
      document.head.appendChild(script);
    });
  }
  return plotlyLoaded;
}

function columnElement(index, widths) {
  const grid = document.getElementById("grid");
  grid.style.gridTemplateColumns = widths.map((w) => `minmax(0, ${w}fr)`).join(" ");
  while (grid.children.length < widths.length) {
    const column = document.createElement("div");
    column.className = "column";
    grid.appendChild(column);
  }
  return grid.children[Math.min(index, widths.length - 1)];
}

function chartElement(chart, widths) {
  let element = document.getElementById("chart-" + chart.id);
  if (!element) {
    element = document.createElement("div");
    element.id = "chart-" + chart.id;
    element.className = "chart";
    element.dataset.chart = chart.id;
    columnElement(chart.column, widths).appendChild(element);
  }
  return element;
}

// The page's window height (the frame itself is as tall as its charts make it); null if
// the page cannot be read, and then every chart takes its full height.
function windowHeight() {
  try {
    return window.parent.innerHeight || null;
  } catch (error) {
    return null;
  }
}

function chartHeights(args) {
  const available = windowHeight() && windowHeight() - args.sizing.reserve;
  const sharing = {}; // column -> how many of its charts share the window's height
  for (const chart of args.charts) {
    if (chart.least != null) sharing[chart.column] = (sharing[chart.column] || 0) + 1;
  }
  const heights = {};
  for (const chart of args.charts) {
    const n = sharing[chart.column];
    if (chart.least == null || !available) {
      heights[chart.id] = chart.height;
      continue;
    }
    const share = Math.floor((available - COLUMN_GAP * (n - 1)) / n);
    heights[chart.id] = Math.max(chart.least, Math.min(chart.height, share));
  }
  return heights;
}

function scaleFonts(layout, scale) {
  if (scale === 1) return layout;
  const font = layout.font || {};
  const title = layout.title || {};
  const titleFont = title.font || {};
  return {
    ...layout,
    font: { ...font, size: (font.size || 12) * scale },
    title: { ...title, font: { ...titleFont, size: (titleFont.size || font.size || 17) * scale } },
  };
}

// Plotly never wraps or clips a title: one wider than its chart runs off the edge. Measure
// it with the font it will be drawn in, and shrink it to the room it has.
function fitTitle(layout, width) {
  const title = layout.title;
  if (!title || !title.text || !width) return layout;
  const template = (layout.template && layout.template.layout) || {};
  const font = { ...(template.font || {}), ...(layout.font || {}), ...(title.font || {}) };
  const size = font.size || 17;
  measure = measure || document.createElement("canvas").getContext("2d");
  measure.font = `${size}px ${font.family || FALLBACK_FONT}`;
  const text = String(title.text).replace(/<[^>]*>/g, "");
  const room = width * (1 - (title.x || 0)) - TITLE_SLACK;
  const needed = measure.measureText(text).width;
  if (needed <= room) return layout;
  const fitted = Math.max(TITLE_LEAST_SIZE, Math.floor((size * room) / needed));
  return { ...layout, title: { ...title, font: { ...(title.font || {}), size: fitted } } };
}

async function draw(args) {
  await loadPlotly(args.plotly_src);
  latest = args;
  const heights = chartHeights(args);
  for (const chart of args.charts) {
    const element = chartElement(chart, args.columns);
    const width = element.clientWidth;
    const size = [heights[chart.id], width, args.sizing.font_scale].join(" ");
    // A figure from the page comes as JSON text, one from a feed already parsed; from a
    // feed, until its first figures arrive the chart keeps what it shows.
    const source = args.feed ? feedFigures[chart.id] : chart.figure;
    if (!source) {
      // Keep its room meanwhile, so the page does not jump when the figure comes.
      if (!element.data) element.style.minHeight = heights[chart.id] + "px";
      continue;
    }
    element.style.minHeight = "";
    const last = drawn[chart.id];
    if (last && last.source === source && last.size === size) continue;
    const figure = typeof source === "string" ? JSON.parse(source) : source;
    const scaled = scaleFonts(figure.layout, args.sizing.font_scale);
    const layout = { ...fitTitle(scaled, width), height: heights[chart.id], autosize: true };
    // A new uirevision means new axes (an edited target's bounds, a new run, Reset): start
    // the plot afresh. Plotly.react would carry over ranges and the equal-aspect domain
    // it worked out for the old axes, so the plane kept its old y range.
    if (element.data && revisions[chart.id] !== layout.uirevision) {
      window.Plotly.purge(element);
      element.zoomWatched = false; // purge removed the listeners
    }
    revisions[chart.id] = layout.uirevision;
    keepZoom(chart.id, layout);
    await window.Plotly.react(element, figure.data, layout, PLOT_CONFIG);
    watchZoom(element, chart.id);
    drawn[chart.id] = { source: source, size: size };
  }
  showMaths(args.feed && feedMaths !== undefined ? feedMaths : args.maths, args.sizing.font_scale);
  setHeight();
}

// The plane's axes follow the run (new bounds start it afresh, see above), but a viewer who
// zoomed or panned it keeps that view across frames until they double-click (autoscale)
// or the target changes: the figure names what its view belongs to in layout.meta.zoom_key.
function keepZoom(id, layout) {
  const key = layout.meta && layout.meta.zoom_key;
  const zoom = zooms[id];
  if (!zoom || key === undefined || zoom.key !== key) {
    delete zooms[id];
    return;
  }
  layout.xaxis = { ...layout.xaxis, range: zoom.x.slice() };
  layout.yaxis = { ...layout.yaxis, range: zoom.y.slice() };
}

function watchZoom(element, id) {
  if (element.zoomWatched) return;
  element.zoomWatched = true;
  element.on("plotly_relayout", (change) => {
    const key = element.layout.meta && element.layout.meta.zoom_key;
    if (key === undefined) return;
    if (change["xaxis.autorange"] || change["yaxis.autorange"]) {
      delete zooms[id];
      return;
    }
    const moved = Object.keys(change).some((k) => /^[xy]axis\.range/.test(k));
    if (!moved) return;
    zooms[id] = {
      key: key,
      x: element.layout.xaxis.range.slice(),
      y: element.layout.yaxis.range.slice(),
    };
  });
}

// Only when it changes: each request makes the page lay out the frame's parent again.
function setHeight() {
  const height = document.body.scrollHeight;
  if (height === sentHeight) return;
  sentHeight = height;
  send("streamlit:setFrameHeight", { height: height });
}

async function drawNewest() {
  if (drawing) return;
  drawing = true;
  try {
    while (pending) {
      const args = pending;
      pending = null;
      await draw(args);
    }
  } catch (error) {
    const problem = document.getElementById("problem");
    problem.textContent = "The charts could not be drawn: " + error.message;
    problem.hidden = false;
    setHeight();
  } finally {
    drawing = false;
  }
}

// A new window height (a projector, a resized window) or frame width: draw the last
// figures again at their new sizes. Only then: the frame's own height changes as well
// when Streamlit applies the height it was sent, and that needs no new drawing.
let seenSize = null;
function redrawIfResized() {
  const size = [windowHeight(), document.body.clientWidth].join(" ");
  if (size === seenSize) return;
  seenSize = size;
  if (latest && !pending) {
    pending = latest;
    drawNewest();
  }
}
window.addEventListener("resize", redrawIfResized);
try {
  window.parent.addEventListener("resize", redrawIfResized);
} catch (error) {
  // A page that cannot be read: the charts keep their sizes.
}

// The numbers above the charts are the page's own Streamlit elements, each in a container
// of a known key (ui/live/metrics_row.py). Between the page's reruns the frame writes each
// frame's values into them: the text of a text node already there, and the progress bar's
// offset, as the page's own rerun would set them; that rerun then takes them over. The
// values are text, never markup. A page that cannot be read keeps the page's values.
function showNumbers(numbers, source) {
  let page = null;
  try {
    page = window.parent.document;
  } catch (error) {
    return;
  }
  for (const [key, text] of Object.entries(numbers.metrics)) {
    const value = page.querySelector(`.st-key-${key} [data-testid="stMetricValue"] p`);
    setText(value, text, source);
  }
  const progress = page.querySelector(`.st-key-live_progress [data-testid="stProgress"]`);
  if (!progress) return;
  const text = progress.querySelector('[data-testid="stMarkdownContainer"] p');
  setText(text, numbers.progress, source);
  const bar = progress.querySelector('[role="progressbar"]');
  const fill = bar && bar.querySelector('[data-testid="stProgressBarTrack"] > div');
  if (bar) bar.setAttribute("aria-valuenow", String(numbers.percent));
  if (fill) fill.style.transform = `translateX(-${100 - numbers.percent}%)`;
}

function setText(element, text, source) {
  const node = element && element.firstChild;
  if (node && node.nodeType === Node.TEXT_NODE && !node.nextSibling) {
    if (node.nodeValue !== text) node.nodeValue = text;
    element.dataset.shownFrom = source; // "feed" or "page": whose value it is (for tests)
  }
}

// The page drew the run's status itself (args.status). Once the run's status moves on
// (running to finished, diverged, stopped…) ask the page, once per status, to run again:
// it then redraws what the frame does not draw (the status, the buttons, the replay).
function followStatus(status) {
  const drawnStatus = (pending || latest || {}).status;
  if (!drawnStatus || status === drawnStatus || status === rerunAsked) return;
  rerunAsked = status;
  send("streamlit:setComponentValue", { value: status, dataType: "json" });
}

// The maths below the charts: titles and captions as text, formulas as MathML, which the
// browser typesets itself. Each node is [tag, child...]; a tag off the list becomes an
// mrow, and every text is a text node, so nothing sent is ever read as markup.
function showMaths(maths, scale) {
  const element = document.getElementById("maths");
  const shown = JSON.stringify([maths || null, scale]);
  if (shown === mathsShown) return;
  mathsShown = shown;
  element.replaceChildren();
  element.hidden = !maths;
  if (!maths) return;
  element.style.fontSize = 16 * scale + "px";
  const blocks = (parent, list) => {
    for (const block of list) {
      if (block.caption !== undefined) {
        const caption = document.createElement("p");
        caption.className = "caption";
        caption.textContent = block.caption;
        parent.appendChild(caption);
      } else {
        const math = document.createElementNS(MATHML, "math");
        math.setAttribute("display", "block");
        const lines = block.formulas.map((line) => ["mtr", ["mtd", line]]);
        math.appendChild(mathNode(["mtable", ...lines]));
        parent.appendChild(math);
      }
    }
  };
  for (const column of maths.columns) {
    const part = document.createElement("div");
    const title = document.createElement("h4");
    title.textContent = column.title;
    part.appendChild(title);
    blocks(part, column.blocks);
    element.appendChild(part);
  }
  const after = document.createElement("div");
  after.className = "after";
  blocks(after, maths.after);
  element.appendChild(after);
}

function mathNode(node) {
  if (typeof node === "string") return document.createTextNode(node);
  const [tag, ...children] = node;
  const element = document.createElementNS(MATHML, MATH_TAGS.has(tag) ? tag : "mrow");
  for (const child of children) {
    if (child !== null && typeof child === "object" && !Array.isArray(child)) {
      for (const [name, value] of Object.entries(child)) {
        if (MATH_ATTRIBUTES.has(name)) element.setAttribute(name, String(value));
      }
    } else {
      element.appendChild(mathNode(child));
    }
  }
  return element;
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

// Ask the feed for figures newer than those drawn, at most every `interval` ms, and draw
// them; stop when the page names another feed or none (the run ended: its last figures
// come with the page's message). A hidden tab does not ask: nobody is watching it.
async function pollFeed(url) {
  while (feedUrl === url) {
    const started = performance.now();
    const interval = (latest && latest.feed_interval_ms) || 200;
    if (document.hidden) {
      await sleep(interval);
      continue;
    }
    let response = null;
    try {
      const seen = encodeURIComponent(feedSeen);
      response = await fetch(url + "?seen=" + seen, { cache: "no-store" });
    } catch (error) {
      response = null; // the server is busy or restarting: ask again shortly
    }
    if (feedUrl !== url) return;
    if (response && response.status === 404) return; // dropped: the page opens a new one
    if (response && response.status === 200) {
      const data = await response.json();
      if (feedUrl !== url) return;
      feedSeen = data.key;
      feedFigures = { ...feedFigures, ...data.figures }; // only those that changed come
      showNumbers(data.run, "feed");
      feedMaths = data.run.maths;
      followStatus(data.run.status);
      pending = pending || latest;
      await drawNewest();
    }
    await sleep(interval - (performance.now() - started));
  }
}

window.addEventListener("message", (event) => {
  if (!event.data || event.data.type !== "streamlit:render") return;
  const args = event.data.args;
  if ((args.feed || null) !== feedUrl) {
    feedUrl = args.feed || null;
    feedSeen = "";
    feedFigures = {};
    feedMaths = undefined;
    if (feedUrl) pollFeed(feedUrl);
  }
  if (args.numbers) showNumbers(args.numbers, "page"); // the page's latest stand
  pending = args;
  drawNewest();
});

send("streamlit:componentReady", { apiVersion: 1 });
