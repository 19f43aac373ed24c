"""A static page of evallens widgets: one HTML file that works offline (`save_html`)."""

from evallens.page.save import save_html

__all__ = ["save_html"]
