"""The Streamlit dashboard\x27s pure parts: settings and their URL form, chart builders."""
