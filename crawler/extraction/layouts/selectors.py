"""lxml's precompiled ``XPath`` and ``CSSSelector``, compiled without the EXSLT regular expressions.

No rule uses the ``re:`` functions, yet lxml registers them on every call of an expression compiled
with them: 0.7 of the 2.3 µs a call costs before it looks at one node, and a page's rules make about
thirty calls. The selectors are lxml's own in every other way (``CSSSelector`` translates with lxml's
translator, as ``lxml.cssselect.CSSSelector`` does).
"""

from __future__ import annotations

from lxml import etree
from lxml import cssselect


class XPath(etree.XPath):
    """``lxml.etree.XPath`` without the ``re:`` functions."""

    def __init__(self, path: str, *, smart_strings: bool = True) -> None:
        super().__init__(path, regexp=False, smart_strings=smart_strings)


class CSSSelector(cssselect.CSSSelector):
    """``lxml.cssselect.CSSSelector`` without the ``re:`` functions."""

    def __init__(self, css: str) -> None:
        etree.XPath.__init__(self, cssselect.LxmlTranslator().css_to_xpath(css), regexp=False)
        self.css = css
