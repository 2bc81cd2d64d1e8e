"""What a browser session keeps: its config and the URL that mirrors it, its training job,
its id for the run store, saved-run reopening, sharing, messages and the error guard."""
