"""Live preview for `digest serve`: watch -> debounce -> rebuild -> switch -> tell the browser.

watch.py     which saved paths matter (classify_change) and the debouncer
rebuild.py   the rebuild loop: one fresh folder per build, an atomic switch
status.py    what the server serves now (folder, build id, diagnostics)
server.py    the HTTP server: base path, 404 page, content types, reload script
static/      livereload.js and overlay.css, served from the same origin
"""
