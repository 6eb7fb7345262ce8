"""Every extraction test page: where it lives, the URL it is read at, and where it came from.

A case is a folder ``tests/pages/<layout>/<case>/`` with ``page.html`` (``page.html.gz`` when large),
``expected.json`` (every key of the item, or ``{"notAnArticle": "<reason>"}``) and ``meta.json``
(the URL, and the origin: ``real`` with its source and date, or ``synthetic`` with what it imitates).
Real pages kept in ``../shared`` are named in ``meta.json`` instead of copied.
Synthetic pages are rendered from the specs here by ``python -m tests.pages.build``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html import escape

from tests.loopback.pages import IST, SITE, PageSpec, render_amp, render_current, render_legacy
from tests.pages import specs

EVIDENCE = "SITE.md, 'Evidence from 2024-2026'"


@dataclass
class Case:
    """One test page."""

    layout: str  # the folder: the layout that must read it (or "not-article")
    name: str
    url: str
    imitates: str  # what a synthetic page imitates, or the real page's description
    render: Callable[[], str] | None = None  # None for real pages in ../shared
    shared: str | None = None  # path under ../shared of a real page
    origin: dict[str, str] = field(default_factory=dict)  # source and date of a real page
    not_article: str | None = None  # the NotAnArticle reason the page must give

    @property
    def folder(self) -> str:
        return f"{self.layout}/{self.name}"

    def meta(self) -> dict[str, object]:
        if self.shared:
            return {"url": self.url, "origin": "real", "page": f"../shared/{self.shared}", **self.origin}
        return {"url": self.url, "origin": "synthetic", "imitates": self.imitates}


def _current(name: str, spec: PageSpec, imitates: str) -> Case:
    return Case("nextjs-2023", name, SITE + spec.path, imitates, lambda: render_current(spec))


# --- the Hindi edition's 2020 table layout -----------------------------------------------------------
# Imitates the structure of two real story pages (Feb and Sep 2020; SITE.md, "The Hindi edition"):
# meta tags, the JSON-LD as the site wrote it, <title> after </head>, nested tables, the byline row's
# style, the ad script before the story in the headline's cell, the keyword row, ad text links, the
# comment form, the right column and the ad-blocker script after the footer. The text is invented.

HINDI_SITE = "https://hindi.business-standard.com"
HINDI_IMITATES = "the structure of hindi.business-standard.com 2020 story pages as two real pages of Feb and Sep 2020 show it"


@dataclass
class HindiStory:
    autono: int
    section: str  # the AMP and mobile URLs' section
    section_en: str  # JSON-LD articleSection
    section_hi: str  # the breadcrumb's words
    section_path: str  # the breadcrumb's and menu's link
    headline: str
    author: str
    city: str
    published: datetime
    paragraphs: list[str]
    keywords: list[str]
    # "div": <div>s with <div>&nbsp;</div> spacers and og:description the whole story (Feb 2020);
    # "p": <p align=justify><font size=3> with empty <p> between and og:description the first paragraph (Sep 2020).
    body: str = "div"
    keyword_links_end_empty: bool = False  # the Feb page's keyword row ends with an empty link
    image_path: str = ""  # og:image is the site root followed by this (empty on both real pages)
    # The agencies' credit the byline runs on into after the author (", इनपुट: भाषा"), copied into
    # JSON-LD's Person with it: no author, as an English byline's "with inputs from PTI" is none.
    credit: str = ""


def _ld_description(text: str) -> str:
    """JSON-LD's description: the first words that fit in 200 bytes of UTF-8 (cut mid-sentence)."""
    cut = ""
    for word in text.split(" "):
        if len((cut + word).encode("utf-8")) > 200:
            break
        cut += word + " "
    return cut.rstrip()


def render_hindi(story: HindiStory) -> str:
    """A story page as the Hindi site served it in 2020."""
    site = HINDI_SITE
    canonical = f"{site}//storypage.php?autono={story.autono}"
    byline_date = story.published.strftime("%B  %d, %Y").replace("  0", "  ")
    shown_at = (story.published + timedelta(minutes=36)).strftime("%A, %B %d, %Y %I:%M %p").replace(" 0", " ")
    stamp = story.published.strftime("%Y-%m-%d %H:%M:%S")
    if story.body == "div":
        description = "&nbsp;\n&nbsp;\n".join(f"{escape(p)}" for p in story.paragraphs) + "&nbsp;\n"
        body = "\n<div>&nbsp;</div>\n".join(f"<div>{escape(p)}&nbsp;</div>" for p in story.paragraphs)
    else:
        description = escape(story.paragraphs[0])
        body = "\n".join(f'<p align="justify"><font size="3">{escape(p)}</font><p>' for p in story.paragraphs)
    plain_description = " ".join(" ".join(story.paragraphs).split()) if story.body == "div" else story.paragraphs[0]
    ld_keywords = ", ".join(story.keywords) + ("," if story.keyword_links_end_empty else "")
    links = [f"<a href='{site}/search.php?search={' ' if i else ''}{escape(k)}' class='ctxtRelated'>{' ' if i else ''}{escape(k)}</a>" for i, k in enumerate(story.keywords)]
    if story.keyword_links_end_empty:
        links.append(f"<a href='{site}/search.php?search=' class='ctxtRelated'></a>")
    keywords = "".join(f"{link}," for link in links)
    menu = "\n".join(
        f"""\t\t\t\t\t\t\t\t\t\t<td width=5></td>
                                        <td align='center' class='{cls}' height='30' id='topM{i}' ><a href='javascript:void(0)' class='{cls}' id='hrftopM{i}' Onclick='showMenu({i});'><h2><a href='{path}' class='{cls}'>{name}</a></h2></td>
\t\t\t\t\t\t\t\t\t\t<td width=5 class='divText' >|</td>"""
        for i, (path, name) in enumerate((("/", "होम"), ("/markets/", "बाजार"), ("/company/", "कंपनियां"), ("/economy/", "अर्थव्यवस्था"), ("/arthnama/", "अर्थनामा")))
        for cls in ["mnuBGText" if path == story.section_path else "mnuText"]
    )
    return f"""
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML+RDFa 1.0//EN" "http://www.w3.org/MarkUp/DTD/xhtml-rdfa-1.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:fb="http://ogp.me/ns/fb#">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<meta NAME="AUTHOR" CONTENT="Business Standard">
<meta NAME="COPYRIGHT" CONTENT="hindi.business-Standard.com"> 
<meta NAME="ROBOTS" CONTENT="NOYDIR, NOODP, NOARCHIVE">
\t\t<link rel="amphtml" href="{site}/article-amp/{story.section}/section_{story.section}-{story.autono}_1.html"/>
                <link rel="alternate" href="https://m.bshindi.com/article/{story.section}/section_{story.section}-{story.autono}_1.html"/>
                \t\t<!--<meta content="hi" http-equiv="Content-Language">
\t\t<meta content="hindi" name="language">-->
\t\t\t\t<meta property="og:url" content="{canonical}"/>
\t\t<meta property="og:type" content="article"/>
\t\t<meta property="og:title" content="{escape(story.headline)}"/>
\t\t<meta property="og:description" content="{description}">
\t\t<meta itemprop="name" content="{escape(story.headline)}">
                <meta itemprop="description" content="{description}">
                <link rel="canonical" href="{canonical}" />

\t\t<meta name="description" content="{description}">
                                     <meta property="og:image" content="{site}{story.image_path}"/>
                     <meta property="twitter:image:src" content="{site}{story.image_path}"/>
                <meta property="twitter:card" content="summary" />
                <meta property="twitter:site" content="@bshindi" />
                <meta property="twitter:title" content="{escape(story.headline)}" />
                <meta property="twitter:description" content="{description}" />
\t\t<script language="JavaScript" src="/js/common.js"></script>
\t<link href="/css/hin_firfox.css" rel="stylesheet" type="text/css" />
                <script type="application/ld+json">
                    {{
                    "@context": "https://schema.org",
                    "@type": "NewsArticle",
                    "mainEntityOfPage": {{
                    "@type":"WebPage",
                    "@id":"{canonical}"
                    }},
                    "headline": {json.dumps("बिजनेस स्टैंडर्ड " + story.headline, ensure_ascii=False)},
                    "articleSection": "{story.section_en}",
                    "image": {{
                    "@type": "ImageObject",
                    "url": "{site}/images/nopreview.png",
                    "height" : 420,
                    "width" : 696
                    }},
                    "datePublished": "{stamp}",
                    "dateModified": "{stamp}",
                    "author": {{
                    "@type": "Person",
                    "name": {json.dumps(story.author + story.credit, ensure_ascii=False)}
                    }},
                    "publisher": {{
                    "@type": "Organization",
                    "name": "Business Standard",
                    "logo": {{
                    "@type": "ImageObject",
                    "url": "{site}/images/logo.gif",
                    "width": 177,
                    "height": 22
                    }}
                    }},
                    "description": {json.dumps(_ld_description(plain_description), ensure_ascii=False)},
                    "keywords": {json.dumps(ld_keywords, ensure_ascii=False)}
                    }}
                </script>
                        <script async='async' src='https://www.googletagservices.com/tag/js/gpt.js'></script>
                        <script>
                         var googletag = googletag || {{}};
                        googletag.cmd = googletag.cmd || [];
                        googletag.cmd.push(function() {{
                             googletag.defineSlot('/6516239/BS_Hindi_Zin_R1_300x250', [300, 250], 'div-gpt-ad-1506515772588-67').addService(googletag.pubads());
                        googletag.enableServices();
                        }});
                    </script>
                        <style>
  .right_screen {{ font-size: 12px; float:right; position: absolute; z-index: 1; right:0; }}
</style>
<div  class="b_style" id="skinning_container">
            <div class="right_screen">
                <!-- right_tower add here -->
                <div id="BS_Hindi_120x600_Right" style="width:120px; height:600px;right:0px;"></div>            </div>
    </div>
            \t</head>
<title>बिजनेस स्टैंडर्ड - {escape(story.headline)}</title>


<script language="JavaScript" src="/js/ajax.js"></script>

<CENTER>
<body topmargin=0 leftmargin=0 >
<table border='0' cellspacing='0' cellpadding='0'  width='100%'  align='center'>
<tr>
\t<td align='center' valign='top' >
\t<table border='0' cellspacing='0' cellpadding='0'  width='999' bgcolor='#ffffff'  style='border-left:1px solid #cecece;border-right:1px solid #cecece;'>
\t<tr><td valign='top'><table border='0' cellspacing='0' cellpadding='0'  width='990'>
<tr>
\t<td valign='top'>
\t\t\t<table border='0' cellspacing=0 cellpadding=0  background='/images/search_drag.jpg' width='100%'>
                        <TR><form method=post action="" name='frmsearch'>
                                <td height='30' class='boxText' align='left'>&nbsp;Search</td><td align='left' width='100'><INPUT TYPE="text" NAME="search"></td><td class='boxText' align='left' width='150'>&nbsp;<INPUT TYPE="radio" NAME="rdweb" value='webhindi' checked> <B>BS Hindi</B>&nbsp;<INPUT TYPE="radio"  value='web' NAME="rdweb">&nbsp;<B>Web</B> </td>
\t\t\t\t<td height="30" class="boxText" align="left" width="110" nowrap="">&nbsp;<b><a href="http://epaper.business-standard.com" target="_blank">BS E-Paper</a></b></td>
                        </form>
\t\t\t</tr>
\t\t\t</table>
\t</td>
</tr>
<tr>
\t\t<td valign='top'>
\t\t\t<table border='0' cellspacing=0 cellpadding=0  background='/images/top_band_drag.jpg' width='100%' height='120'>
\t\t\t\t<tr>
\t\t\t\t\t<td valign='middle'  class='txtDate' align='center'><TABLE border='0' cellspacing=0 cellpadding=0 >
                                        <TR><TD valign='middle'  class='txtDate' align='center'><a href="/"><img src='/images/logo.png' alt="Business Standard" title="Business Standard"></a></TD></TR>
\t\t\t\t\t<TR><TD valign='middle'  class='txtDate' align='center'>{shown_at}<FONT  COLOR="#A91416"> &nbsp;&nbsp;&nbsp;&nbsp;<a href="https://www.business-standard.com/" style="color:#000"><b>English</b></a> | <a href="{site}/" style="color:#000"><b>हिंदी</b></a></TD></TR>
\t\t\t\t\t</TABLE></td>
\t\t\t\t</tr>
\t\t\t</table>
\t\t</td>
</tr>
<tr>
\t<td colspan=3>
\t\t<table border='0' cellspacing=0 cellpadding=0  width='999'  bgcolor='#A60102' >
\t\t\t\t<tr>
{menu}
\t\t\t\t\t\t\t\t\t\t\t\t\t</tr>
\t\t</table>
\t </td>
\t</tr>
</table>
<script language="JavaScript">
function call_page() {{ document.frmsearch.action="/search.php"; document.frmsearch.submit(); }}
</script></td></tr>
\t<tr><td valign='top' height='10'></td></tr>
\t<tr>
\t\t<td valign='top'>
\t\t\t\t<table border='0' cellspacing='0' cellpadding='0'  width='990'>
\t\t\t\t <tr align="center">
                                        <td colspan="3">
                                         <!-- /6516239/BS_Hindi_Zin_super_728x90 -->
<div id='div-gpt-ad-1506515772588-70' style='height:90px; width:728px;'>
<script>
googletag.cmd.push(function() {{ googletag.display('div-gpt-ad-1506515772588-70'); }});
</script>
</div>                                        </td>
                                    </tr>
                                 <tr>
\t\t\t\t <td width='5'>&nbsp;</td>
\t\t\t\t \t<td valign='top'>
\t\t\t\t\t\t\t<table  border='0' cellspacing='0' cellpadding='0' width='98%'>
\t\t\t\t\t\t\t<tr><td valign='top' colspan='5'></td></tr>
\t\t\t\t\t\t\t<tr>
\t\t\t\t\t\t\t\t<td valign='top'>
\t\t\t\t\t\t\t\t\t\t<table border='0' cellspacing='0' cellpadding='0' width='100%'>
\t\t\t\t\t\t\t\t\t\t<tr><td valign='top' colspan='5'></td></tr>
\t\t\t\t\t\t\t\t\t\t<tr><td valign='top' colspan='5'><table>
\t\t\t\t\t\t\t\t\t\t<tr>
\t\t\t\t\t\t\t\t\t\t\t<TD><img src='images/home_icn.jpg' border=0></TD>
\t\t\t\t\t\t\t\t\t\t\t<TD class='bredText'>होम</TD>
\t\t\t\t\t\t\t\t\t\t\t<TD><img src='images/breadcum_arrow.jpg' border=0></TD>
\t\t\t\t\t\t\t\t\t\t\t<TD class='bredText'><a href="{story.section_path}" class="bredText">{escape(story.section_hi)}\t</a></TD>
\t\t\t\t\t\t\t\t\t\t\t<TD><img src='images/breadcum_arrow.jpg' border=0></TD>
\t\t\t\t\t\t\t\t\t\t\t<TD class='bredText'>खबर</td>
\t\t\t\t\t\t\t\t\t\t\t<td></td>
\t\t\t\t\t\t\t\t\t\t</tr>
\t\t\t\t\t\t\t\t\t\t</table></td></tr>
\t\t\t\t\t\t\t\t\t\t<tr><td valign='top' colspan='5' bgcolor='#cecece' height='1'></td></tr>
\t\t\t\t\t\t\t\t\t\t<tr><td valign='top' height='15'>
\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t</td></tr>
\t\t\t\t\t\t\t\t\t\t<tr>
\t\t\t\t\t\t\t\t\t\t\t<td colspan=2 width='600'>
\t\t\t\t\t\t\t\t\t\t\t<p><p><table width='100%' border=0 cellspacing=0><tr><td><h1 style='FONT-FAMILY: Arial; FONT-SIZE: 18px; FONT-WEIGHT: bold; COLOR: #0253B7;'>{escape(story.headline)}</h1></td></tr><tr><td style='FONT-FAMILY: Arial; FONT-SIZE: 11px; FONT-WEIGHT: bold;'>{escape(story.author + story.credit)} / {escape(story.city)}&nbsp;{byline_date}</td></tr><tr><td height=4></td></tr><tr><td style='background-image: url(/images/common/gn_005.gif); background-repeat: repeat-x;'></td></tr><tr><td height=9></td></tr><tr><td style='background-image: url(/images/common/gn_005.gif); background-repeat: repeat-x;'></td></tr></table><script type="text/javascript" src="//s7.addthis.com/js/300/addthis_widget.js#pubid=ra-58b90e9e676c9088"></script><div class="addthis_inline_share_toolbox"></div><style>
\t.adTitle {{color:#0253b7;text-decoration:none; font-family: Arial; font-size:14px; font-weight: bold;}}
\t.adborder{{border:1px solid #CCCCCC;}}
</style>

\t\t\t   <script language="JavaScript">
<!--

var google_adnum = 0; /* only insert this line for your first ad unit */

function google_ad_request_done(google_ads) {{
var s = '';
if (google_ads.length == 0) {{
return;
}}
   s += '<table width=100% class=adborder ><tr><td align=left><a href=\\"' +
google_info.feedback_url + '\\" class="adsby" target="_blank">Ads by Google </a></td></tr><tr><td ><a class="adTitle" href="' +
google_ads[0].url + '">' + google_ads[0].line1 + '</a></tr></table>';
    document.write(s);
    return;
  }}

/* bshindi_468x60, created 9/28/10 */
\tgoogle_ad_client = 'pub-1723933259695999';
\tgoogle_ad_output = 'js';
\tgoogle_ad_type = 'text_html';
\t// -->
</script>

<!--
/*
* The JavaScript returned from the following page uses
* the parameter values assigned above to populate an array
* of ad objects.
*/
-->

<script language="JavaScript" src="https://pagead2.googlesyndication.com/pagead/show_ads.js">
</script><p>{body}
\t\t\t\t\t\t\t\t\t\t\t</td>
\t\t\t\t\t\t\t\t\t\t</tr>
\t\t\t\t\t\t\t\t\t\t<tr><td valign='top' colspan='2' height='10'></td></tr>
\t\t\t\t\t\t\t\t\t\t<tr><td valign='top' colspan='4'><span class='ctxtblue'>Keyword:&nbsp;</span>{keywords}</td></tr>
\t\t\t\t\t\t\t\t\t\t<tr><td valign='top' colspan='4' height='10'></td></tr>
\t\t\t\t\t\t\t\t\t\t<tr>
\t\t\t\t\t\t\t\t\t\t\t<td colspan=3>
 <table  border='0' cellspacing='0' cellpadding='0' width='100%'>
<tr><td colspan="3" style="" class="Textlist" align="right" width="450">
Advertisements</td></tr>
<tr><td colspan="3" valign="top"><img src="/images/bullets.jpg">&nbsp;&nbsp;<A HREF="http://www.business-standard.com/click-tracker/textlink/id/1420" target='_blank'  class="Textlist">Cover from Earthquake & Floods. Buy Home Insurance</a></td><td align="left" valign="middle"></td></tr>
<tr><td colspan="3" valign="top"><img src="/images/bullets.jpg">&nbsp;&nbsp;<A HREF="http://www.business-standard.com/click-tracker/textlink/id/1314" target='_blank'  class="Textlist"> Get seamless access to Business Standard & WSJ.com starting at just Rs. 49/- per month*</a></td><td align="left" valign="middle"></td></tr>
</table>\t\t\t\t\t\t\t\t\t\t\t</td>
\t\t\t\t\t\t\t\t\t\t</tr>
\t\t\t\t\t\t\t\t\t\t<tr><td valign='top' colspan='2' height='1' bgcolor='#cecece'></td></tr>
\t\t\t\t\t\t\t\t\t\t<!--<tr>
\t\t\t\t\t\t\t\t\t\t\t<td valign='top' colspan='2'><a href="http://www.facebook.com/share.php?u=" target="_blank" class="boxText">Facebook</a></td>
\t\t\t\t\t\t\t\t\t\t</tr>-->
\t\t\t\t\t\t\t\t\t\t<TR>
\t\t\t\t\t\t\t\t\t\t\t<TD valign='top' align='center'>
\t\t\t\t\t\t\t\t\t\t\t<TABLE width="100%" border="0" cellpadding="0" cellspacing="0"  >
\t\t\t\t\t\t\t\t\t\t\t<TR>
\t\t\t\t\t\t\t\t\t\t\t\t<TD valign='top' align='left'>
                                                        <script type="text/javascript"><!--
\t\t\t\t\t\t\t\t\t\t\t\t\t\tgoogle_ad_client = 'pub-1723933259695999';
\t\t\t\t\t\t\t\t\t\t\t\t\t\t//-->
\t\t\t\t\t\t\t\t\t\t\t\t\t\t</script>
\t\t\t\t\t\t\t\t\t\t\t\t</TD>
\t\t\t\t\t\t\t\t\t\t\t\t</TR>
\t\t\t\t\t\t\t\t\t\t\t</TABLE>
\t\t\t\t\t\t\t\t\t\t\t</TD>
\t\t\t\t\t\t\t\t\t\t</TR>
\t\t\t\t\t\t\t\t\t\t<TR><TD><TABLE cellpadding="0" cellspacing="0" border="0" align='center'  width='100%'>
<tr>
\t<td valign='top' align='center'>
\t\t<table cellpadding="0" cellspacing="0" border="0" width='300' align='center'>
\t\t\t\t<FORM METHOD=POST ACTION="" name='frmComment'>
\t\t\t\t<tr><td class="ctxtheadbottom"><b>Display Name</b> &nbsp;<input name="uname" maxlength="20" type="text"></td><td class="ctxtheadbottom" align="right"><b>Email-Id</b> &nbsp;<input name="txtEmail" maxlength="100" type="text"></td></tr>
\t\t\t\t<tr><td class="ctxtheadbottom" width="200"><b>Post your comment</b></td><td colspan="2" class="ctxtheadbottom" align="right" height="10"></td></tr>
\t\t\t\t<tr><td colspan="3" valign="top">
\t\t\t\t<script language="javascript">CreateHindiTextArea("comments");</script></td></tr>
\t\t\t\t<tr><td colspan="3" align="right"><br/>
\t\t\t\t\t<img style="width:110px; border: 1px solid #000000;" name="captcha" src="/securimage/securimage_show.php" alt="CAPTCHA Image" />
\t\t\t\t\t<strong>Enter Code*:</strong>
\t\t\t\t\t<input type="text" name="captcha_code" id="captcha_code" size="10" maxlength="6" /></td></tr>
\t\t\t\t<INPUT TYPE="hidden" NAME="autono" value='{story.autono}'>
\t\t</FORM>
\t\t</table>
\t</td>
</tr>
</TABLE>
<SCRIPT LANGUAGE="JavaScript">
function addcomment() {{ document.frmComment.action="/hin/common/addcomment.php"; document.frmComment.submit(); }}
</SCRIPT></TD></TR>
\t\t\t\t\t\t\t\t\t\t</table>
\t\t\t\t\t\t\t\t</td>
\t\t\t\t\t\t\t</tr>
\t\t\t\t\t\t\t</table>
\t\t\t\t\t</td>
\t\t\t\t\t<td valign='top' width='300'><table border='0' cellspacing='0' cellpadding='0'  width='300' bordercolor='#EEEEEE'>
<tr>
\t<td valign='top' align='center'>
            <!-- /6516239/BS_Hindi_Zin_R1_300x250 -->
<div id='div-gpt-ad-1506515772588-67' style='height:250px; width:300px;'>
<script>
googletag.cmd.push(function() {{ googletag.display('div-gpt-ad-1506515772588-67'); }});
</script>
</div>            <tr><td valign='top' height='10'></td></tr>
<tr><td valign='top' align='center'><table border='0' cellspacing='0' cellpadding='0' width='290' bgcolor='#ffffff' class='cell'>
<tr><form name='frmpoll' method='post'>
\t<td  valign='top'>
\t\t\t<table border='0' cellspacing='0' cellpadding='0' width='290' >
\t\t\t<tr><td class="HeadText" align='left' bgcolor='#D9FAFF' colspan='2'>&nbsp; आपका मत</td></tr>
\t\t\t<tr><td class='ctxtcaption' align='left' colspan=2 style='padding-left:5;'>&nbsp;क्या त्योहारों में खुदरा बिक्री पिछले साल से बेहतर रहेगी?</TD></TR>
\t\t\t<tr><TD colspan=2 class='ctxtcaption'><INPUT TYPE="radio" NAME="opt1" value='1'>हां</TD>
\t\t\t<TD colspan=2 class='ctxtcaption'><INPUT TYPE="radio" NAME="opt1" value='2'>नहीं</TD></tr>
\t\t</table>
\t</td>
</tr></form>
</table></td></tr>
<tr><td valign='top' align='center'>
<TABLE cellpadding=0 cellspacing=0 border=0 width='280' style="display: none;">
\t<tr id="most1"><td align="center" height=34 width='95' background='/images/tab1.gif' class="smlTextBse2"><B>पढ़िये</B></td>
\t<td align="center" height=30 width='85' class="tabCell"><a href="javascript:show_most(&quot;most2&quot;)" class="smlTextBse2" ><B>ईमेल</B></a></td></tr>
\t<tr><td width="220" align="right" height='10' colspan='2'></td></tr>
</table> </td></tr>
<!-- Go to www.addthis.com/dashboard to customize your tools --> <script type="text/javascript" src="//s7.addthis.com/js/300/addthis_widget.js#pubid=ra-58b90e9e676c9088"></script>
</table></td>
\t\t\t\t </tr>
\t\t\t\t </table>
\t\t</td>
\t</tr>
\t<tr><td valign='top'><tr>
  <td colspan="5">
    <table width="999" align="left" height="35" cellpadding="0" cellspacing="0" border="0">
      <tr height="30">
        <td width="100" bgcolor="#AC151A" class="bot_bar_cont"> <a href="{site}/aboutus.php" class="bot_bar_cont" style="none" target="blank">About us</a></td>
\t\t<td width="100" bgcolor="#AC151A" class="bot_bar_cont"> <a href="{site}/author.php" class="bot_bar_cont" style="none" target="blank">Authors</a></td>
        <td width="130" bgcolor="#AC151A" class="bot_bar_cont"><a href="https://www.business-standard.com/partner-with-us" class="bot_bar_cont" style="none" target="blank">Partner with us</a></td>
        <td width="90" bgcolor="#AC151A" class="bot_bar_cont"><a href="https://www.business-standard.com/contact-us" class="bot_bar_cont" style="none" target="blank">Contact us</a></td>
        <td  bgcolor="#AC151A" class="bot_bar_cont" width="50"><a href="{site}/rss.php" class="bot_bar_cont" style="none" >RSS</a></td>
        <td width="90" bgcolor="#AC151A" class="bot_bar_cont"><a href="{site}/sitemap.xml" class="bot_bar_cont" style="none" >Site Map</a></td>
      </tr>
      <tr>
          <td colspan="21" class="content1" align="center">Business Standard Private Ltd. Copyright &amp; Disclaimer feedback@business-standard.com </td>
      </tr>
    </table>
  </td>
</tr>
<!-- GA Tag Start -->
<script>
  ga('create', 'UA-92955997-1', 'auto');
  ga('send', 'pageview');
</script>
<!-- GA Tag End --></td></tr>
\t</table>
</TD>
</TR>
</TABLE>
<script type="text/javascript">
    var adblock = true;
</script>
<script type="text/javascript" src="{site}/common/adframe.js"></script>
<script type="text/javascript">
    window.onload = function() {{
        setTimeout(function() {{
          var ad = document.querySelector("ins.adsbygoogle");
          if (ad && ad.innerHTML.replace(/\\s/g, "").length == 0) {{
            ad.innerHTML = "You seem to blocking Google AdSense ads in your browser.";
          }}
        }}, 2000);
      }};
    if(adblock) {{
          window.location.assign('{site}/blocked.php');
    }}
</script>
<style>#zd1e{{position:fixed !important;width:99%;height:99%;background-color:#fff;display:block;padding:20% 0}}</style>
<div id="zd1e">
    
</div>
<script>
window.document.getElementById("zd1e").parentNode.removeChild(window.document.getElementById("zd1e"));
</script></body></CENTER>
</html>
"""


HINDI_BUDGET = HindiStory(
    autono=166607,
    section="economy",
    section_en="Economy",
    section_hi="अर्थव्यवस्था",
    section_path="/economy/",
    headline="बजट में राजकोषीय घाटे का लक्ष्य बढ़ा, पूंजीगत खर्च पर जोर",
    author="बीएस संवाददाता",
    city="नई दिल्ली",
    published=datetime(2020, 2, 14, 20, 15, 8, tzinfo=IST),
    paragraphs=[
        "सरकार ने अगले वित्त वर्ष के बजट में राजकोषीय घाटे का लक्ष्य बढ़ाकर सकल घरेलू उत्पाद का 3.5 प्रतिशत कर दिया है। वित्त मंत्रालय के अधिकारियों ने कहा कि मांग को सहारा देने के लिए पूंजीगत खर्च बढ़ाना जरूरी था।",
        "अधिकारियों के मुताबिक ग्रामीण सड़कों, सिंचाई और आवास योजनाओं पर आवंटन पिछले साल की तुलना में 12 प्रतिशत अधिक है। विशेषज्ञों ने कहा, 'कर संग्रह धीमा रहा तो उधारी का बोझ बढ़ सकता है।'",
        "रेटिंग एजेंसियों ने फिलहाल देश की साख में बदलाव के संकेत नहीं दिए हैं, लेकिन वे अगली दो तिमाहियों के आंकड़ों पर नजर रखेंगी।",
    ],
    keywords=["budget", "fiscal deficit", "capex"],
    keyword_links_end_empty=True,
)
HINDI_MARKETS = HindiStory(
    autono=166712,
    section="markets",
    section_en="Markets",
    section_hi="बाजार",
    section_path="/markets/",
    headline="सेंसेक्स में 400 अंक की गिरावट, बैंक शेयर टूटे",
    author="भाषा",
    city="मुंबई",
    published=datetime(2020, 2, 17, 16, 5, 10, tzinfo=IST),
    paragraphs=[
        "विदेशी बाजारों में कमजोरी के बीच सोमवार को सेंसेक्स 400 अंक से ज्यादा टूटकर बंद हुआ।",
        "बैंकिंग और धातु कंपनियों के शेयरों में सबसे ज्यादा बिकवाली देखी गई, जबकि दवा कंपनियों के शेयर चढ़े।",
    ],
    keywords=["सेंसेक्स", "शेयर बाजार", "बैंक"],
    # og:image is the site root followed by the story's picture: empty on both real pages, here not.
    image_path="/upload/2020/02/17/sensex.jpg",
)
HINDI_COMPANIES = HindiStory(
    autono=172480,
    section="companies",
    section_en="Companies",
    section_hi="कंपनिया",  # sic: the real Sep 2020 breadcrumb drops the nasal mark the menu has
    section_path="/company/",
    headline="त्योहारों से पहले दोपहिया उत्पादन बढ़ाएगी कंपनी",
    author="अनुराधा शर्मा",
    city="बेंगलूरु",
    published=datetime(2020, 9, 30, 10, 12, 45, tzinfo=IST),
    # The CMS leaves double spaces inside the text (the reader sees one).
    paragraphs=[
        "एक प्रमुख दोपहिया वाहन कंपनी ने  कहा है कि त्योहारी मौसम से पहले डीलरों के पास  भंडार बढ़ाने के लिए उत्पादन में 15 प्रतिशत की बढ़ोतरी की जाएगी।",
        "कंपनी के मुख्य कार्याधिकारी ने सोमवार को निवेशकों के साथ बातचीत में कहा, 'ग्रामीण इलाकों से  मांग लौट रही है और हमें अक्टूबर में बिक्री बेहतर रहने की उम्मीद है।'",
        "पिछले महीने कंपनी की  बिक्री सालाना आधार पर 4 प्रतिशत घटी थी, जबकि जुलाई में यह गिरावट 11 प्रतिशत थी। ",
    ],
    keywords=["दोपहिया वाहन", "त्योहारी मौसम", "उत्पादन"],
    body="p",
)

# A reporter's story with the agency's credit in the byline (the Hindi edition's "इनपुट: भाषा").
HINDI_CREDITED = HindiStory(
    autono=168031,
    section="economy",
    section_en="Economy",
    section_hi="अर्थव्यवस्था",
    section_path="/economy/",
    headline="उत्तर प्रदेश में गन्ना किसानों का बकाया भुगतान तेज करने का निर्देश",
    author="अभिषेक कुमार",
    city="लखनऊ",
    published=datetime(2020, 3, 2, 18, 20, 5, tzinfo=IST),
    paragraphs=[
        "राज्य सरकार ने चीनी मिलों को गन्ना किसानों के बकाये का भुगतान मार्च के अंत तक करने का निर्देश दिया है।",
        "गन्ना विभाग के अधिकारियों ने बताया कि पिछले पेराई सत्र का करीब 80 प्रतिशत भुगतान हो चुका है और बाकी के लिए मिलों से हर हफ्ते ब्योरा मांगा जाएगा।",
    ],
    keywords=["गन्ना", "चीनी मिल", "किसान"],
    credit=", इनपुट: भाषा",
)


def render_hindi_amp(story: HindiStory) -> str:
    """A story's AMP page (``/article-amp/<section>/section_<section>-N_1.html``). Its head is the 2020
    desktop page's: the canonical link to ``//storypage.php``, the meta tags, and the JSON-LD as the site
    wrote it (headline prefixed with the site's name, a date without zone, the ``nopreview.png`` image, the
    description cut at 200 bytes, no ``articleBody``). The Hindi AMP body is not known: it is the English
    AMP template's (``h1``, ``.dateline``, ``.storycontent``), under a site header of its own."""
    site = HINDI_SITE
    canonical = f"{site}//storypage.php?autono={story.autono}"
    stamp = story.published.strftime("%Y-%m-%d %H:%M:%S")
    description = " ".join(" ".join(story.paragraphs).split())
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": canonical},
        "headline": "बिजनेस स्टैंडर्ड " + story.headline,
        "articleSection": story.section_en,
        "image": {"@type": "ImageObject", "url": f"{site}/images/nopreview.png", "height": 420, "width": 696},
        "datePublished": stamp,
        "dateModified": stamp,
        "author": {"@type": "Person", "name": story.author + story.credit},
        "publisher": {"@type": "Organization", "name": "Business Standard"},
        "description": _ld_description(description),
        "keywords": ", ".join(story.keywords),
    }
    body = "".join(f"<p>{escape(' '.join(p.split()))}</p>" for p in story.paragraphs)
    return f"""<!doctype html><html amp lang="hi"><head><meta charset="utf-8">
<title>बिजनेस स्टैंडर्ड - {escape(story.headline)}</title>
<link rel="canonical" href="{canonical}">
<meta name="viewport" content="width=device-width,minimum-scale=1,initial-scale=1">
<meta property="og:url" content="{canonical}"/><meta property="og:type" content="article"/>
<meta property="og:title" content="{escape(story.headline)}"/><meta property="og:description" content="{escape(description)}">
<meta property="og:image" content="{site}{story.image_path}"/>
<script async src="https://cdn.ampproject.org/v0.js"></script>
<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script></head><body>
<header><a href="{site}/"><amp-img src="{site}/images/logo.png" width="177" height="22" alt="Business Standard"></amp-img></a>
<nav><a href="{site}/markets/">बाजार</a> <a href="{site}/company/">कंपनियां</a> <a href="{site}/economy/">अर्थव्यवस्था</a></nav></header>
<h1>{escape(story.headline)}</h1>
<div class="byline">{escape(story.author + story.credit)} <span class="dateline">{escape(story.city)}</span></div>
<div class="storycontent">{body}</div>
</body></html>
"""


# --- pages of no known layout -------------------------------------------------------------------

def render_generic_ld(deep_divs: int = 0) -> str:
    """A page of a layout the rules do not know, with a whole JSON-LD NewsArticle; ``deep_divs``
    unclosed ``<div>``s (more than libxml2 nests) put the JSON-LD after the point it gives up."""
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": "Rupee ends at record low as importers rush to buy dollars",
        "description": "The currency fell 0.3 per cent against the dollar",
        "articleBody": "The rupee closed at a record low on Tuesday as importers rushed to cover their dollar needs.\n"
        "Traders said the central bank sold dollars to slow the fall.",
        "datePublished": "2026-05-12T16:20:00+05:30",
        "dateModified": "2026-05-12T17:02:45+05:30",
        "author": [{"@type": "Person", "name": "Anjali Kumari", "url": "https://www.business-standard.com/author/search/keyword/anjali-kumari"}],
        "keywords": "Rupee, Forex, RBI",
        "articleSection": "Markets",
        "image": {"@type": "ImageObject", "url": "https://bsmedia.business-standard.com/_media/bs/img/article/2026-05/12/rupee.jpg"},
        "inLanguage": "en",
    }
    script = f'<script type="application/ld+json">{json.dumps(ld)}</script>'
    head_script, body_script = ("", script) if deep_divs else (script, "")
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{ld['headline']}</title>
<link rel="canonical" href="https://www.business-standard.com/markets/news/rupee-ends-at-record-low-126051200877_1.html">
{head_script}</head><body><main class="Redesign_page__Zz9Qq">{"<div>" * deep_divs}
<h1 class="Redesign_title__Aa1Bb">{ld['headline']}</h1><section class="Redesign_text__Cc2Dd"><p>{ld['articleBody'].splitlines()[0]}</p></section>
{body_script}</main></body></html>
"""


def render_generic_opengraph() -> str:
    """A page of an unknown layout with OpenGraph article metadata and an ``<article>``, no JSON-LD."""
    return """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>GST collections rise 9% in April</title>
<meta property="og:type" content="article"><meta property="og:title" content="GST collections rise 9% in April">
<meta property="og:description" content="Collections crossed Rs 2 trillion for a second month">
<meta property="og:url" content="https://www.business-standard.com/economy/news/gst-collections-rise-9-in-april-126050100044_1.html">
<meta property="article:published_time" content="2026-05-01T18:30:00+05:30">
<meta name="author" content="BS Reporter">
</head><body><header>Business Standard</header><article><h1>GST collections rise 9% in April</h1>
<p>Gross GST collections rose 9 per cent to a record in April, official data showed on Friday.</p>
<p>Collections from imports grew faster than domestic collections.</p></article><footer>Copyright</footer></body></html>
"""


# --- AMP pages ------------------------------------------------------------------------------------------

# A site header and a trending box before the story, holding every kind of element the AMP rules look for.
AMP_SITE_HEADER = (
    '<header class="sitehead"><nav><h2>Trending Topics</h2><span class="dateline">Updated every hour</span>'
    '<div class="captiontext">Sensex live</div><a href="/markets/news">Markets</a></nav>'
    '<div class="trending"><h1 class="logo">Business Standard</h1><h2>Most Read</h2><div class="captiontext">Photo of the day</div></div></header>'
)


def render_amp_site_header(spec: PageSpec) -> str:
    """A free story's AMP page under a site header and trending box, its JSON-LD saying it is not free."""
    html = render_amp(spec).replace("<body>\n", "<body>\n" + AMP_SITE_HEADER, 1)
    assert '"isAccessibleForFree": true' in html
    return html.replace('"isAccessibleForFree": true', '"isAccessibleForFree": false')


# --- pages of other kinds, which every layout refuses -------------------------------------------------

GENERIC_PATH = "/markets/news/rupee-ends-at-record-low-126051200877_1.html"
STORY_PATH = "/personal-finance/five-ways-to-save-tax-125020400714_1.html"


def render_amp_story(canonical: str, amp_marker: str = "\u26a1") -> str:
    """A web story as AMP serves one: ``<html ⚡>`` (or ``amp``), an ``<amp-story>`` of pages, and a
    JSON-LD NewsArticle like an article's (no ``articleBody``)."""
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": "Five ways to save tax this year",
        "datePublished": "2025-02-04T10:00:00+05:30",
        "author": {"@type": "Person", "name": "BS Web Team"},
        "image": "https://bsmedia.business-standard.com/_media/bs/webstories/2025-02/04/five-ways-cover.jpg",
        "publisher": {"@type": "Organization", "name": "Business Standard"},
    }
    pages = "".join(
        f'<amp-story-page id="page-{i}"><amp-story-grid-layer template="fill"><amp-img src="https://bsmedia.business-standard.com/_media/bs/webstories/2025-02/04/{i}.jpg" width="720" height="1280" layout="fill"></amp-img></amp-story-grid-layer>'
        f'<amp-story-grid-layer template="vertical"><h1>{escape(title)}</h1><p>{escape(text)}</p></amp-story-grid-layer></amp-story-page>'
        for i, (title, text) in enumerate(
            (
                ("Five ways to save tax this year", "Swipe to see how"),
                ("Invest in ELSS funds", "Up to Rs 1.5 lakh a year under Section 80C"),
                ("Buy health insurance", "Premiums qualify under Section 80D"),
            ),
            start=1,
        )
    )
    return f"""<!doctype html><html {amp_marker} lang="en"><head><meta charset="utf-8"><title>{ld['headline']}</title>
<link rel="canonical" href="{canonical}">
<script async src="https://cdn.ampproject.org/v0.js"></script><script async custom-element="amp-story" src="https://cdn.ampproject.org/v0/amp-story-1.0.js"></script>
<script type="application/ld+json">{json.dumps(ld)}</script></head><body>
<amp-story standalone title="{ld['headline']}" publisher="Business Standard" poster-portrait-src="https://bsmedia.business-standard.com/_media/bs/webstories/2025-02/04/five-ways-cover.jpg">{pages}</amp-story>
</body></html>
"""


def _premium_teaser() -> str:
    """A premium story's page drawn for a reader without a subscription whose data holds no more than
    its free paragraphs: no ``htmlContent``, JSON-LD's ``articleBody`` empty."""
    html = render_current(specs.PREMIUM_NO_HTML)
    return re.sub(r'("articleBody": )"(?:[^"\\]|\\.)*"', r'\1""', html)


OTHER_KINDS: list[Case] = [
    Case(
        "not-article", "premium-teaser", SITE + specs.PREMIUM_NO_HTML.path,
        f"{EVIDENCE}: a premium page (label, paywall box, empty .paywall-content) whose story is in no data: no htmlContent, JSON-LD articleBody empty",
        _premium_teaser, not_article="paywall-stub",
    ),
    Case(
        "not-article", "amp-video-gallery", f"{SITE}/amp{specs.VIDEO_GALLERY.path}",
        f"{EVIDENCE}: the AMP twin of a video-gallery page", lambda: render_amp(specs.VIDEO_GALLERY), not_article="video",
    ),
    Case(
        "not-article", "generic-video-gallery", f"{SITE}/video-gallery/markets-news/rupee-ends-at-record-low-126051200877_1.html",
        f"{EVIDENCE}: video-gallery page of no known layout, JSON-LD NewsArticle",
        lambda: render_generic_ld().replace(GENERIC_PATH, "/video-gallery/markets-news/rupee-ends-at-record-low-126051200877_1.html"), not_article="video",
    ),
    Case(
        "not-article", "generic-podcasts", f"{SITE}/podcasts/market-wrap/rupee-ends-at-record-low-126051200877_1.html",
        f"{EVIDENCE}: podcasts page of no known layout, JSON-LD NewsArticle",
        lambda: render_generic_ld().replace(GENERIC_PATH, "/podcasts/market-wrap/rupee-ends-at-record-low-126051200877_1.html"), not_article="video",
    ),
    Case(
        "not-article", "amp-webstory", f"{SITE}/webstories{STORY_PATH}",
        f"{EVIDENCE}: web story, an <html \u26a1> AMP story with JSON-LD NewsArticle", lambda: render_amp_story(f"{SITE}/webstories{STORY_PATH}"), not_article="webstory",
    ),
    Case(
        "not-article", "amp-story-article-url", f"{SITE}{STORY_PATH}",
        "an AMP story (<html amp>, <amp-story>) with JSON-LD NewsArticle at an ordinary article URL",
        lambda: render_amp_story(f"{SITE}{STORY_PATH}", "amp"), not_article="webstory",
    ),
]


def _blueprint() -> Case:
    spec = specs.BLUEPRINT
    return Case("nextjs-blueprint", "navy-unmanned-submarines", SITE + spec.path, f"{EVIDENCE}: Blueprint stories, [class*=storbpcontent]", lambda: render_current(spec))


CASES: list[Case] = [
    _current("seed-syndicated", specs.SEED, "../shared/seed (2024-02-28 render): caption line under the image, span byline"),
    _current("premium", specs.PREMIUM, f"{EVIDENCE}: premium label near the headline, paywall box of June 2025"),
    _current("staff-multi-author", specs.STAFF, "three staff authors as links in byline spans; inline Also Read"),
    _current("no-image", specs.NO_IMAGE, "agency story without an image"),
    _current("live-blog", specs.LIVE, "live blog with JSON-LD LiveBlogPosting.liveBlogUpdate"),
    _current("premium-no-htmlcontent", specs.PREMIUM_NO_HTML, f"{EVIDENCE}: premium page without htmlContent; DOM shows 45 of 118 words"),
    _current("agency-span-byline", specs.AGENCY_SPAN, f"{EVIDENCE}: byline 'AP Miami' in spans, no authors in JSON; Last-Modified meta only"),
    _current("agency-source-title", specs.AGENCY_SOURCE_TITLE, f"{EVIDENCE}: agency only as sourceTitle; modificationDate; European DOM"),
    _current("embeds", specs.EMBEDS, f"{EVIDENCE}: tweet, Instagram, inline image caption, ad slots, promos, .mb-20 in htmlContent"),
    _current("embeds-dom-europe", specs.EMBEDS_DOM_EUROPE, f"{EVIDENCE}: the same in the European DOM, no htmlContent"),
    _current("more-from-this-section", specs.MORE_FROM_SECTION, f"{EVIDENCE}: 'More From This Section' with a premium card; free story"),
    _current("live-blog-dom", specs.LIVE_DOM, f"{EVIDENCE}: live blog with empty htmlContent, updates in .lvblgcont"),
    _blueprint(),
    Case("amp", "seed-syndicated", f"{SITE}/amp{specs.SEED.path}", "AMP twin of the seed page (SITE.md: /amp/<article path>)", lambda: render_amp(specs.SEED)),
    Case(
        "pre2023",
        "real-2019-01-18",
        "https://www.business-standard.com/article/companies/indian-data-must-be-owned-by-indians-not-global-companies-mukesh-ambani-119011800410_1.html",
        "real pre-2023 article page (free, PTI, Gandhinagar, image and caption, Also Read panel, Topics)",
        shared="real/article-2019-01-18-119011800410.html",
        origin={"source": "sandeep-sandhu/NewsLookout public test data", "saved": "2021"},
    ),
    Case(
        "pre2023",
        "synthetic-premium",
        f"{SITE}/article/markets/{specs.PREMIUM.slug}-{specs.PREMIUM.article_id}_1.html",
        "pre-2023 locked page: visible body cut short with '...', whole body in JSON-LD",
        lambda: render_legacy(specs.PREMIUM),
    ),
    Case("hindi-2020", "budget-166607", f"{HINDI_SITE}//storypage.php?autono=166607", f"{HINDI_IMITATES}: div body, keyword row ending in an empty link", lambda: render_hindi(HINDI_BUDGET)),
    Case("hindi-2020", "markets-166712", f"{HINDI_SITE}/storypage.php?autono=166712", f"{HINDI_IMITATES}: div body, og:image with a picture path", lambda: render_hindi(HINDI_MARKETS)),
    Case("hindi-2020", "credited-168031", f"{HINDI_SITE}//storypage.php?autono=168031", f"{HINDI_IMITATES}: div body, the byline ending in the agency's credit (इनपुट: भाषा)", lambda: render_hindi(HINDI_CREDITED)),
    Case("hindi-2020", "companies-172480", f"{HINDI_SITE}//storypage.php?autono=172480", f"{HINDI_IMITATES}: the Sep 2020 variant, p[align=justify] > font body", lambda: render_hindi(HINDI_COMPANIES)),
    Case("amp", "premium", f"{SITE}/amp{specs.PREMIUM.path}", f"{EVIDENCE}: a premium story's AMP twin, the page's story cut, JSON-LD's whole", lambda: render_amp(specs.PREMIUM)),
    Case(
        "amp", "site-header-free", f"{SITE}/amp{specs.SEED.path}",
        f"{EVIDENCE}: JSON-LD isAccessibleForFree false on a free page; a site header and trending box before the story with h1, h2, .dateline, captiontext",
        lambda: render_amp_site_header(specs.SEED),
    ),
    Case(
        "amp", "hindi-budget-166607", f"{HINDI_SITE}/article-amp/{HINDI_BUDGET.section}/section_{HINDI_BUDGET.section}-{HINDI_BUDGET.autono}_1.html",
        "SITE.md, 'The Hindi edition': the AMP form of a 2020 Hindi story (head and JSON-LD as the desktop page's; body markup of the English AMP template, the Hindi one not being known)",
        lambda: render_hindi_amp(HINDI_BUDGET),
    ),
    Case("generic", "jsonld-unknown-layout", "https://www.business-standard.com/markets/news/rupee-ends-at-record-low-126051200877_1.html", "a redesign the rules do not know, with JSON-LD NewsArticle", render_generic_ld),
    Case("generic", "unclosed-divs", "https://www.business-standard.com/markets/news/rupee-ends-at-record-low-126051200877_1.html", "3,000 unclosed divs before the JSON-LD (libxml2 gives up)", lambda: render_generic_ld(3000)),
    Case("generic", "opengraph-article", "https://www.business-standard.com/economy/news/gst-collections-rise-9-in-april-126050100044_1.html", "unknown layout with OpenGraph article metadata and an <article>", render_generic_opengraph),
    *(
        Case("not-article", name, SITE + spec.path, f"{EVIDENCE}: {name} under an article-like URL", lambda spec=spec: render_current(spec), not_article=reason)
        for name, (spec, reason) in specs.NOT_ARTICLES.items()
    ),
    *OTHER_KINDS,
]
