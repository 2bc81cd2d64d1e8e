// Plotly charts that update in place, driven by Streamlit's component messages.
//
// Streamlit posts a "render" message with the latest figures on every script run. Each
// chart keeps its own div, and a new figure goes through Plotly.react, which keeps the
// viewer's zoom (uirevision) and reuses the plot's WebGL context. A figure whose JSON has
// not changed is not drawn again; if frames arrive faster than they can be drawn, the
// ones in between are skipped and the newest one is drawn.
"use strict";

const PLOT_CONFIG = { displaylogo: false, scrollZoom: false, responsive: true };
const drawn = {}; // chart id -> the figure JSON last drawn there
const revisions = {}; // chart id -> the uirevision last drawn there
let plotlyLoaded = null;
let sentHeight = null; // the frame height last asked of Streamlit
let pending = null; // newest args not drawn yet
let drawing = false;

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

async function draw(args) {
  await loadPlotly(args.plotly_src);
  for (const chart of args.charts) {
    const element = chartElement(chart, args.columns);
    if (drawn[chart.id] === chart.figure) continue;
    const figure = JSON.parse(chart.figure);
    const layout = { ...figure.layout, height: chart.height, autosize: true };
    // A new uirevision means new axes (an edited target's bounds, a new run, Reset): start
    // the plot afresh. Plotly.react would carry over ranges and the equal-aspect domain
    // it worked out for the old axes, so the plane kept its old y range.
    if (element.data && revisions[chart.id] !== layout.uirevision) {
      window.Plotly.purge(element);
    }
    revisions[chart.id] = layout.uirevision;
    await window.Plotly.react(element, figure.data, layout, PLOT_CONFIG);
    drawn[chart.id] = chart.figure;
  }
  setHeight();
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

window.addEventListener("message", (event) => {
  if (!event.data || event.data.type !== "streamlit:render") return;
  pending = event.data.args;
  drawNewest();
});

send("streamlit:componentReady", { apiVersion: 1 });
