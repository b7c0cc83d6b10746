"""OFD (GB/T 33190, China's fixed-layout format) read with lxml into the PDF reader's pages.

Entry point: `reader.read_ofd`.
"""
