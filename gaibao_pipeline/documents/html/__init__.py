"""Government web pages (HTML, MHT): the article without the site around it, tables laid out like a browser.

Entry point: `reader.read_html`.
"""
