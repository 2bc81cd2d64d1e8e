"""GANscope's engine: train a tiny GAN on a 2-D target and measure it exactly.

The top level is the vocabulary every part shares: a run's settings (`config`), their JSON
and link forms (`serialize`), named setups (`presets`), target distributions (`targets`),
distances (`metrics`), user points (`points_io`) and the command line (`cli`). Below it:
`training` (networks, losses, the step, one run), `jobs` (a run steered from a page, in a
thread or a warm worker process), `store` (saved runs), `sweep` (many runs at once) and
`figures` (Plotly figures). Nothing here imports Streamlit.
"""
