"""Archives (.zip, .rar, .7z): every member a file of its own, nested archives opened, all bounded.

`tree.list_archive` lists an archive's entries (reading and hashing each member once),
`tree.read_entry` reads one entry's bytes; `reader.read_archive` is what `read_document`
does with an archive's bytes. How an archive in the landing folder becomes one report per
member is `gaibao_pipeline.runner.archives`.
"""
