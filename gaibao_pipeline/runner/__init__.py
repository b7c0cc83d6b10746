"""The pure runtime that drives report files through the stages, with no Dagster import.

`landing` (which files are reports, their ids, what changed), `stages` (register → read →
parse, every failure a status), `workers` (reader processes under time and memory limits),
`batch` (read, parse and load a run's reports as a stream) and `parse` (the same road for
`gaibao parse` and the tests). The CLI, the Dagster step and the benchmark all call these.
"""
