"""Keep saved ipywidgets state out of the built pages.

When myst-nb executes a notebook (or reads one saved with widget state), it embeds the
whole widget state (every model, the live figures' PNGs included) in the page as a
<script type="application/vnd.jupyter.widget-state+json">, for the html-manager that
would render live widgets from a CDN. Our pages never load that manager
(nb_ipywidgets_js is {} in _config.yml) and show each explorer's static text/html
instead, so the state is dead weight: drop it before myst-nb adds it to the page.
"""


def _drop_widget_state(app, pagename, templatename, context, doctree):
    page_data = getattr(app.env, "nb_metadata", {}).get(pagename, {})
    page_data.get("js_files", {}).pop("ipywidgets_state", None)


def setup(app):
    # myst-nb adds the page's scripts in its own html-page-context handler (priority 500).
    app.connect("html-page-context", _drop_widget_state, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
