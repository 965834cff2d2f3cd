# SPDX-License-Identifier: GPL-2.0
"""Sphinx configuration for kernlabs's documentation (make htmldocs)."""

project = 'kernlabs'
copyright = 'kernlabs contributors'
root_doc = 'index'
exclude_patterns = ['_build']
html_theme = 'alabaster'
html_show_sourcelink = False
