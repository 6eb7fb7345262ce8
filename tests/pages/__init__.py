"""Test pages: specs of current-layout articles, rendered to HTML, each with an expected JSON."""
