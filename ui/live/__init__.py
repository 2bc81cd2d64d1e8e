"""The live view: run buttons and what they do, the status, the numbers and the charts,
redrawn from the session job's latest frame."""
