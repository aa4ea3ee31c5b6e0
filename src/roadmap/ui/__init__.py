"""Streamlit widgets, views and figures shared by the pages; the guard and the page registry."""
