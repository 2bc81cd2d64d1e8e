"""GANscope main page (placeholder until the live training view lands)."""

import streamlit as st

st.title("GANscope")
