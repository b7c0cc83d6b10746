"""Fetching reports from government websites into the landing folder (`gaibao fetch`).

Pure Python, no Dagster. The modules, in the order a crawl uses them:
`sources` (the sources YAML), `titles` (which titles are annual disclosure reports),
`safety` (only public http(s) addresses, vetted at every hop), `robots` and `client`
(a polite HTTP client on httpx: one connection and a delay per host, retries, conditional
GET, size caps), `listings` (report links and pagination on list pages, attachments on
articles), `sidecar` and `store` (where files land and the record kept beside each), and
`crawl` (one source end to end).

Importing this package imports nothing heavy: the runner reads sidecars through
`fetch.sidecar` in every reader process.
"""
