"""The dashboard's CSS, all of it, each rule with the reason it is there.

The page is shown on projectors at 1280×720 and 1366×768: there, Streamlit's roomy
defaults (a 6rem top padding, a 2.75rem title, large gaps) pushed every chart below the
first screen. These rules make the page compact enough that the run buttons, the status
and the plane are on the first screen with the sidebar open, and keep the buttons in
sight while the page scrolls. Present mode (`ui/present_mode.py`) adds larger type and
puts the charts right under the buttons.

The CSS is static text: nothing a person typed or sent is ever written into it. The
selectors rely on Streamlit 1.67's `data-testid` attributes and on the `st-key-<key>`
class it gives a keyed element; the layout browser tests check the result.
"""

from __future__ import annotations

import streamlit as st

HEADER_KEY = "page_header"  # the title and its caption, on one line
CONTROLS_KEY = "run_controls"  # the run buttons' row: ui/live/run_buttons.py
STATUS_KEY = "run_status"  # ui/live/status_badge.py
CHARTS_KEY = "live_charts"  # ui/live/charts.py FRAME_KEY
LAYERS_KEY = "plane_layers"  # ui/live/charts.py LAYER_KEY
SPEED_KEY = "speed"  # ui/live/speed.py: the speed slider

# The same on every page load.
PAGE_CSS = f"""
/* Streamlit leaves 6rem above the first element for its header bar; 1rem is enough once
   the bar is see-through (below). The sides give the charts more of a narrow screen;
   the right side keeps clear of the header's menu button. */
[data-testid="stMainBlockContainer"] {{
  padding-top: 0.75rem;
  padding-bottom: 3rem;
  padding-left: 1.5rem;
  padding-right: 3.5rem;
}}

/* The header bar is an opaque 3.75rem strip over the top of the page. See-through, and
   letting clicks pass except on its own buttons (the menu, the sidebar's arrow), the page
   can start at the top and the run buttons can stick there. */
[data-testid="stHeader"] {{
  background: transparent;
  pointer-events: none;
}}
/* Its toolbar and inner boxes ask for clicks themselves: they would cover the Present
   switch at the right end of the run buttons' row. */
header[data-testid="stHeader"] div {{
  pointer-events: none;
}}
header[data-testid="stHeader"] button,
header[data-testid="stHeader"] a {{
  pointer-events: auto;
}}

/* Less space between the page's blocks: 1rem a gap, a dozen gaps, is a lot of 720 px. */
[data-testid="stMainBlockContainer"] [data-testid="stVerticalBlock"] {{
  gap: 0.5rem;
}}

/* The title and its caption share one line, at a size that leaves room for the charts. */
.st-key-{HEADER_KEY} h1 {{
  font-size: 1.75rem;
  padding: 0;
}}
.st-key-{HEADER_KEY} [data-testid="stCaptionContainer"] {{
  margin-bottom: 0.2rem;
}}

/* The run buttons stay at the top of the window while the page scrolls, so a teacher
   watching the curves further down can still pause or step. Sticky works within the
   parent, so it goes on the wrapper Streamlit puts round the row, whose parent is the
   whole page; the background hides what scrolls under it. */
[data-testid="stLayoutWrapper"]:has(> .st-key-{CONTROLS_KEY}) {{
  position: sticky;
  top: 0;
  z-index: 99;
  background: var(--st-background-color, #ffffff);
  padding: 0.35rem 0 0.35rem 0;
  border-bottom: 1px solid rgba(49, 51, 63, 0.1);
}}

/* The speed slider's label beside the slider, not above it: the row of buttons wraps on a
   1280-px screen with the sidebar open, and the second line is then one line high. */
.st-key-{CONTROLS_KEY} [data-testid="stSlider"] {{
  display: flex;
  flex-direction: row;
  align-items: center;
  gap: 0.75rem;
}}
.st-key-{CONTROLS_KEY} [data-testid="stSlider"] [data-testid="stWidgetLabel"] {{
  margin-bottom: 0;
  flex: none;
}}
/* ...and the slider wide enough for its label and a track that can be aimed at. */
.st-key-{CONTROLS_KEY} .st-key-{SPEED_KEY} {{
  width: 20rem;
}}
.st-key-{CONTROLS_KEY} [data-testid="stSlider"] > div:last-child {{
  flex: 1;
}}
/* Buttons closer together: with the speed and the present switch, one line at 1280 px. */
.st-key-{CONTROLS_KEY} {{
  gap: 0.5rem;
}}

/* The live view is redrawn five times a second: faded while its next redraw is on its way,
   it would flicker in front of a class. */
[data-testid="stMain"] [data-stale="true"] {{
  opacity: 1 !important;
  transition: none !important;
}}

/* The layer switches under the charts: the plane starts a line higher. */
.st-key-{LAYERS_KEY} {{
  order: 1;
}}

/* The status in large coloured words, without the heading's tall padding. */
.st-key-{STATUS_KEY} h2 {{
  font-size: 1.6rem;
  line-height: 1.3;
  padding: 0.1rem 0;
}}

/* Big numbers, still readable from the back, but a row that fits above the plane. */
[data-testid="stMain"] [data-testid="stMetricValue"] {{
  font-size: 1.75rem;
}}
"""

# Added in present mode: for a projector and a class at the back of the room.
PRESENT_CSS = f"""
/* The title line would cost the charts 50 px; the browser's tab still names the page. */
.st-key-{HEADER_KEY} {{
  display: none;
}}

/* The charts come right under the buttons, the layer switches under them, and the status,
   numbers and notes after: `order` moves them on screen without moving them in the page,
   so the charts' frame is not rebuilt (and keeps its zoom) when present mode changes. */
.st-key-{CHARTS_KEY} {{
  order: -2;
}}
.st-key-{LAYERS_KEY} {{
  order: -1;
}}
/* Room on the left for the sidebar's arrow, which sits in the top-left corner. */
[data-testid="stMainBlockContainer"] {{
  padding-left: 3.5rem;
}}

/* Larger type everywhere in the main area but the buttons, which must keep to one line. */
[data-testid="stMain"] [data-testid="stMarkdownContainer"] p,
[data-testid="stMain"] [data-testid="stCaptionContainer"],
[data-testid="stMain"] [data-testid="stWidgetLabel"] p {{
  font-size: 1.25rem;
}}
[data-testid="stMain"] .st-key-{CONTROLS_KEY} [data-testid="stMarkdownContainer"] p {{
  font-size: 1rem;
}}
[data-testid="stMain"] [data-testid="stMetricValue"] {{
  font-size: 2.75rem;
}}
[data-testid="stMain"] [data-testid="stMetricLabel"] p {{
  font-size: 1.2rem;
}}
.st-key-{STATUS_KEY} h2 {{
  font-size: 2.25rem;
}}
"""


def apply(present: bool) -> None:
    """Put the page's CSS in the page (it takes no space on it)."""
    st.html(f"<style>{PAGE_CSS}{PRESENT_CSS if present else ''}</style>")
