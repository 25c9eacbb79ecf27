"""The dashboard's Streamlit parts, one module per part of the page; `streamlit_app.py` puts
them together. (`dashboard/` holds the parts without Streamlit.)"""
