"""The sidebar's controls: preset, target, training and advanced settings, each a section
that reports edits, applied to the session's config as one edit."""
