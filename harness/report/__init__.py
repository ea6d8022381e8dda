"""Reports from results.json: the HTML matrix, the Markdown summary, diff and merge.

Nothing here imports pytest: the plugin writes the reports at the end of a run, and
``python -m harness report`` writes the same files again from any results file.
"""
