"""Streamlit glue for GANscope's pages, one idea per module.

The engine (`gan_core`) never imports Streamlit; these modules are the only place where
engine objects meet widgets, session state and the URL. Pure helpers (covariance forms,
layer text, config edits) carry no Streamlit either, so they are tested on their own.
"""
