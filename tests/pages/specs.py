"""The current-layout test pages, written from what a reader sees (the first one from ../shared/seed/)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from tests.loopback.pages import IST, Author, LiveUpdate, PageSpec

PTI = Author("Press Trust of India", "press-trust-of-india", 1)

SEED = PageSpec(
    article_id="124022800873",
    section_path="india-news",
    section_name="India News",
    slug="india-us-defence-meet-security-cooperation-intelligence-sharing-discussed",
    headline="India-US defence meet: Security cooperation, intelligence sharing discussed",
    standfirst=(
        "While the Indian delegation was led by Union Home Secretary Ajay Bhalla, the US delegation was headed by "
        "his counterpart from the United States Department of Homeland Security"
    ),
    meta_description="India-US Homeland Security Dialogue discussed internal security, intelligence sharing and pro-Khalistani elements.",
    published=datetime(2024, 2, 28, 15, 42, tzinfo=IST),
    modified=datetime(2024, 2, 28, 15, 42, tzinfo=IST),
    authors=[PTI],
    dateline="New Delhi",
    read_time=2,
    image_url="https://bsmedia.business-standard.com/_media/bs/img/article/2024-02/28/full/1709115120-4521.jpg",
    # The seed shows the alt text (the image did not load), then the caption line under it.
    image_alt="India USA flags",
    image_caption="The last India-US homeland security dialogue was last held in January 2022",
    paragraphs=[
        "Cooperation in the field of internal security, intelligence sharing, and activities of pro-Khalistani elements in America were discussed at the India-US Homeland Security Dialogue held here on Wednesday, sources said.",
        "While the Indian delegation was led by Union Home Secretary Ajay Bhalla, the US delegation was headed by his counterpart from the United States Department of Homeland Security.",
        "Besides cooperation between the law enforcement agencies of the two countries, the meeting discussed intelligence sharing on matters related to online radicalisation, cyber attacks, and digital frauds, among others, sources said.",
        "The Indian delegation is believed to have raised the issue of the activities of the pro-Khalistani elements on the US soil and also their active support and funding to the separatist elements based in India, sources said.",
        "The meeting was held against the backdrop of a row over the alleged assassination attempt on top Khalistani separatist Gurpatwant Singh Panun, a US citizen.",
        "The US has been demanding accountability in the matter.",
        "India is also seeking action against the pro-Khalistan elements involved in the July 2023 attack on the Indian consulate in San Francisco, sources said.",
        "The National Investigation Agency (NIA) has identified over 50 pro-Khalistan activists who had attacked the consulate in San Francisco.",
        "New Delhi is also pushing for the extradition of 26/11 Mumbai terror attacks accused Tahawwur Hussain Rana.",
        "A US court had dismissed Rana's appeal against extradition.",
        "Cooperation in counterterrorism, cyber security, trans-border illegal immigration, extradition, aviation security, maritime security are other issues that figured in the meeting, sources said.",
        "The last India-US homeland security dialogue was last held in January 2022.",
        'A joint statement issued by the Ministry of External Affairs on November 10, 2023 after the Fifth Annual India-US 2+2 Ministerial Dialogue said: "The Ministers decided to convene the 20th Meeting of the India-U.S. Joint Working Group on Counter Terrorism and the 5th Designations Dialogue at a mutually convenient date early next year. Both sides are looking forward to the next edition of the Homeland Security Dialogue in 2024, where leaders will advance security cooperation, through capacity building and other activities.',
    ],
    also_read=[
        ("Tahawwur Rana stayed at Mumbai hotel days before 26/11 attacks: Police", "/india-news/tahawwur-rana-stayed-at-mumbai-hotel-days-before-26-11-attacks-police-124010300512_1.html"),
        ("Mumbai police submit chargesheet against Tahawwur Rana in 26/11 case", "/india-news/mumbai-police-submit-chargesheet-against-tahawwur-rana-in-26-11-case-123121900871_1.html"),
        ("US court allows Tahawwur Rana more time to file motion against extradition", "/world-news/us-court-allows-tahawwur-rana-more-time-to-file-motion-against-extradition-123071100240_1.html"),
        ("Urdu poet Munawwar Rana passes away at 71 due to cardiac arrest in Lucknow", "/india-news/urdu-poet-munawwar-rana-passes-away-at-71-due-to-cardiac-arrest-in-lucknow-124011500042_1.html"),
        ("India-Canada row: Hardeep Singh Nijjar not religious figure but terrorist", "/india-news/india-canada-row-hardeep-singh-nijjar-not-religious-figure-but-terrorist-123092500734_1.html"),
        ("Every state, UT saw extreme weather event on at least 1 day in 2023: Report", "/india-news/every-state-ut-saw-extreme-weather-event-on-at-least-1-day-in-2023-report-124022800456_1.html"),
        ("Solid foundation laid by Modi now a launch pad for India to jump: EAM", "/india-news/solid-foundation-laid-by-modi-now-a-launch-pad-for-india-to-jump-eam-124022800611_1.html"),
        ("India to see highest rise in number of ultra-rich in 5 years: Knight Frank", "/economy/news/india-to-see-highest-rise-in-number-of-ultra-rich-in-5-years-knight-frank-124022800305_1.html"),
        ("CBI, ED can also arrest Shajahan Sheikh apart from state police: Cal HC", "/india-news/cbi-ed-can-also-arrest-shajahan-sheikh-apart-from-state-police-cal-hc-124022800790_1.html"),
        ("Maha govt against 'suppression' of quota agitation: Jarange to Marathas", "/politics/maha-govt-against-suppression-of-quota-agitation-jarange-to-marathas-124022800702_1.html"),
    ],
    topics=["defence sector", "security", "Khalistan movement"],
    syndicated=True,
    raw_newlines_in_json_ld=True,
)

PREMIUM = PageSpec(
    article_id="124030500112",
    section_path="markets/news",
    section_name="Markets News",
    slug="smallcap-rally-runs-into-valuation-wall-as-funds-curb-inflows",
    headline="Smallcap rally runs into valuation wall as funds curb inflows",
    standfirst="Several fund houses have stopped taking lump-sum money into their smallcap schemes",
    published=datetime(2024, 3, 5, 6, 10, tzinfo=IST),
    modified=datetime(2024, 3, 5, 9, 25, tzinfo=IST),
    authors=[Author("Sundar Sethuraman", "sundar-sethuraman", 211)],
    dateline="Mumbai",
    read_time=4,
    image_url="https://bsmedia.business-standard.com/_media/bs/img/article/2024-03/05/full/1709601600-1100.jpg",
    image_alt="Stock market, smallcap",
    image_caption="Illustration: Binay Sinha",
    paragraphs=[
        "The rally in smallcap stocks is running into a valuation wall, with several mutual funds restricting fresh lump-sum inflows into their smallcap schemes.",
        "Market regulator Sebi has asked fund houses to put in place a framework to protect investors from the froth in the segment.",
        "Fund managers said the Nifty Smallcap 250 index trades at a premium of nearly 20 per cent to its long-term average on a price-to-earnings basis.",
        "Some distributors are advising clients to move money to largecap and flexicap funds, where valuations are seen as more reasonable.",
        "Flows into smallcap funds had touched a record in 2023, even as the number of new investors in the category grew at the fastest pace in three years.",
    ],
    topics=["Smallcap", "Mutual Funds", "Sebi"],
    premium=True,
    free_paragraphs=2,
)

STAFF = PageSpec(
    article_id="124071000934",
    section_path="companies/news",
    section_name="Companies News",
    slug="tata-motors-and-mahindra-step-up-ev-capacity-ahead-of-festive-demand",
    headline="Tata Motors and Mahindra step up EV capacity ahead of festive demand",
    standfirst="Both carmakers plan to double battery pack assembly by the end of the financial year",
    published=datetime(2024, 7, 10, 21, 5, tzinfo=IST),
    modified=datetime(2024, 7, 11, 8, 47, tzinfo=IST),
    authors=[
        Author("Shine Jacob", "shine-jacob", 301),
        Author("Deepak Patel", "deepak-patel", 302),
        Author("Sohini Das", "sohini-das", 303),
    ],
    dateline="Chennai",
    read_time=5,
    image_url="https://bsmedia.business-standard.com/_media/bs/img/article/2024-07/10/full/1720625700-2231.jpg",
    image_alt="Electric vehicle charging",
    image_caption="An electric car at a charging station in Mumbai. Photo: Reuters",
    paragraphs=[
        "Tata Motors and Mahindra & Mahindra are expanding electric vehicle capacity at their plants in Pune and Chakan ahead of the festive season.",
        "Tata Motors will add a second battery pack line at its Sanand facility, people familiar with the matter said.",
        "Mahindra plans to roll out two new electric SUVs from its born-electric platform before Diwali.",
        "Industry executives expect electric car sales to cross 100,000 units in FY25, up from about 90,000 in FY24.",
        "Charging infrastructure remains the biggest hurdle, with fewer than 12,000 public chargers across the country.",
        "Both companies declined to comment on their capacity plans.",
    ],
    inline_also_read=("EV makers seek extension of FAME subsidy", "/companies/news/ev-makers-seek-extension-of-fame-subsidy-124070800259_1.html"),
    also_read=[
        ("EV makers seek extension of FAME subsidy", "/companies/news/ev-makers-seek-extension-of-fame-subsidy-124070800259_1.html"),
        ("Mahindra unveils new electric SUV platform", "/companies/news/mahindra-unveils-new-electric-suv-platform-124061900410_1.html"),
        ("Tata Power to set up 1,000 EV chargers", "/companies/news/tata-power-to-set-up-1-000-ev-chargers-124052300118_1.html"),
    ],
    topics=["Tata Motors", "Mahindra & Mahindra", "Electric vehicles"],
)

NO_IMAGE = PageSpec(
    article_id="124091200347",
    section_path="economy/news",
    section_name="Economy News",
    slug="retail-inflation-eases-to-3-65-in-august-on-lower-food-prices",
    headline="Retail inflation eases to 3.65% in August on lower food prices",
    standfirst="Food inflation fell to 5.66 per cent from 5.42 per cent a month earlier",
    published=datetime(2024, 9, 12, 16, 30, tzinfo=IST),
    modified=datetime(2024, 9, 12, 17, 2, tzinfo=IST),
    authors=[Author("Reuters", "reuters", 5)],
    dateline="New Delhi",
    read_time=1,
    paragraphs=[
        "India's retail inflation rose slightly to 3.65 per cent in August from 3.60 per cent in July, government data showed on Thursday.",
        "Economists polled by Reuters had expected inflation at 3.5 per cent.",
        "The Reserve Bank of India aims to keep inflation at 4 per cent over the medium term.",
    ],
    topics=["Inflation", "CPI"],
    syndicated=True,
)

LIVE = PageSpec(
    article_id="124110500018",
    section_path="markets/news",
    section_name="Markets News",
    slug="stock-market-live-updates-sensex-nifty-today",
    headline="Stock Market LIVE Updates: Sensex, Nifty open higher; IT stocks lead",
    standfirst="Catch all the live updates from the stock market here",
    published=datetime(2024, 11, 5, 7, 45, tzinfo=IST),
    modified=datetime(2024, 11, 5, 10, 15, tzinfo=IST),
    authors=[Author("BS Web Team", "bs-web-team", 9)],
    dateline="New Delhi",
    read_time=3,
    image_url="https://bsmedia.business-standard.com/_media/bs/img/article/2024-11/05/full/1730772900-3309.jpg",
    image_alt="Bombay Stock Exchange",
    image_caption="The BSE building in Mumbai",
    paragraphs=["Benchmark indices are expected to open higher tracking gains in Asian markets."],
    topics=["Stock market", "Sensex", "Nifty"],
    live_updates=[
        LiveUpdate(datetime(2024, 11, 5, 9, 20, tzinfo=IST), "Sensex opens 300 points higher", "The BSE Sensex opened at 78,950, up 300 points."),
        LiveUpdate(datetime(2024, 11, 5, 10, 10, tzinfo=IST), "IT stocks lead gains", "Infosys and TCS rose over 2 per cent each."),
    ],
)

PAGES: dict[str, PageSpec] = {
    "seed-syndicated": SEED,
    "premium": PREMIUM,
    "staff-multi-author": STAFF,
    "no-image": NO_IMAGE,
    "live-blog": LIVE,
}


# --- probes of SITE.md's "Evidence from 2024–2026" ------------------------------------------------------

# A premium story whose __NEXT_DATA__ has no htmlContent: the page shows 45 of its 118 words, the
# JSON-LD articleBody all of them.
PREMIUM_NO_HTML = replace(
    PREMIUM,
    article_id="125061100231",
    slug="banks-tighten-unsecured-lending-as-card-delinquencies-rise",
    headline="Banks tighten unsecured lending as card delinquencies rise",
    standfirst="Lenders are cutting credit limits and slowing new card issuance",
    published=datetime(2025, 6, 11, 7, 30, tzinfo=IST),
    modified=datetime(2025, 6, 11, 11, 5, 12, tzinfo=IST),
    authors=[Author("Subrata Panda", "subrata-panda", 412)],
    image_url="https://bsmedia.business-standard.com/_media/bs/img/article/2025-06/11/full/1749607200-0311.jpg",
    image_alt="Credit cards",
    image_caption="Card spends have grown faster than incomes for two years running",
    paragraphs=[
        "Banks are tightening the screws on unsecured lending as delinquencies on credit cards and small loans rise for a fourth quarter, according to bureau data.",
        "Several large private lenders have cut credit limits for customers who revolve balances and slowed new cards in smaller towns.",
        "Bankers said the stress is concentrated among borrowers who hold more than three unsecured loans at once, a group that grew quickly after the pandemic.",
        "The Reserve Bank of India raised risk weights on such loans in late 2023, and lenders expect the regulator to keep a close watch on the segment this year.",
        "Card spends have still grown faster than incomes, and bankers expect the stress to peak by December this year.",
    ],
    topics=["Credit cards", "Banks", "RBI"],
    html_content=False,
)

# Agency copy as the live site writes it: no authors in the JSON or JSON-LD, the byline a span with
# the agency in an inner span and the city in an unclassed one ("AP Miami").
AGENCY_SPAN = PageSpec(
    article_id="126031400562",
    section_path="world-news",
    section_name="World News",
    slug="florida-braces-for-early-season-storm-as-evacuations-begin",
    headline="Florida braces for early-season storm as evacuations begin",
    standfirst="Officials ordered residents of low-lying coastal areas to leave by Friday evening",
    published=datetime(2026, 3, 14, 9, 12, tzinfo=IST),
    modified=datetime(2026, 3, 14, 9, 40, 31, tzinfo=IST),
    authors=[Author("AP", "ap", 7)],
    dateline="Miami",
    read_time=2,
    image_url="https://bsmedia.business-standard.com/_media/bs/img/article/2026-03/14/full/1773459720-5512.jpg",
    image_alt="Storm clouds over Miami",
    image_caption="Forecasters expect the storm to make landfall on Saturday morning (Photo:PTI)",
    paragraphs=[
        "Florida officials ordered evacuations along parts of the Gulf coast on Thursday as an early-season storm gathered strength over warm waters.",
        "Forecasters said the system could reach hurricane strength before it makes landfall on Saturday morning.",
        "Schools in three counties will stay closed on Friday, and shelters have opened in Tampa and Fort Myers.",
    ],
    topics=["Hurricane", "Florida", "United States"],
    syndicated=True,
    byline_links=False,
    json_authors="none",
    ld_authors=False,
    json_place=False,
    ld_modified=False,  # the modification time only in <meta http-equiv="Last-Modified">
)

# Agency copy whose JSON names only the agency (sourceTitle); the modification time only in the
# article JSON (modificationDate); the DOM in the European region's markup.
AGENCY_SOURCE_TITLE = replace(
    NO_IMAGE,
    article_id="125110300118",
    slug="opec-plus-agrees-to-pause-output-increases-in-first-quarter",
    headline="Opec+ agrees to pause output increases in first quarter",
    standfirst="The group cited seasonal weakness in demand",
    published=datetime(2025, 11, 3, 0, 45, tzinfo=IST),
    modified=datetime(2025, 11, 3, 2, 10, 48, tzinfo=IST),
    dateline="London",
    paragraphs=[
        "Opec+ agreed on Sunday to a small increase in oil output for December and to pause further increments in the first quarter of next year.",
        "The group said the pause reflected seasonal weakness in demand, according to a statement after an online meeting.",
    ],
    topics=["Opec", "Crude oil"],
    json_authors="sourceTitle",
    ld_authors=False,
    ld_modified=False,
    json_modified=True,
    region="europe",
)

# Embeds, an inline image with its caption, ad slots, promos and the disclaimer inside the body;
# a paragraph inside ".mb-20".
_EMBED_PARAGRAPHS = [
    "India and the US held their annual homeland security dialogue in New Delhi on Wednesday, officials said.",
    "The two sides discussed cooperation on cyber security, counter-terrorism and the movement of illegal drugs.",
    "Officials said the talks also covered extradition requests pending with both governments.",
    "The delegations agreed to set up a working group on online radicalisation before the end of the year.",
    "The next round of the dialogue will be held in Washington in 2025.",
]
EMBEDS = replace(
    SEED,
    article_id="124112100455",
    slug="india-us-security-dialogue-cyber-counter-terrorism-working-group",
    headline="India, US agree on working group on online radicalisation",
    standfirst="Cyber security and extradition requests were also discussed",
    published=datetime(2024, 11, 21, 18, 5, tzinfo=IST),
    modified=datetime(2024, 11, 21, 18, 5, tzinfo=IST),
    image_caption="Delegates of the two countries before the dialogue in New Delhi",
    paragraphs=_EMBED_PARAGRAPHS,
    also_read=SEED.also_read[:2],
    embeds=True,
    raw_newlines_in_json_ld=False,
)
EMBEDS_DOM_EUROPE = replace(EMBEDS, article_id="124112100456", html_content=False, region="europe")

# The 2026 related list, headed "More From This Section", with a premium story among its cards: the
# article itself is free.
MORE_FROM_SECTION = replace(
    STAFF,
    article_id="126020900781",
    published=datetime(2026, 2, 9, 14, 20, tzinfo=IST),
    modified=datetime(2026, 2, 9, 16, 2, 9, tzinfo=IST),
    related_heading="More From This Section",
    premium_card=True,
    inline_also_read=None,
    byline_links=False,
)

# A live blog whose htmlContent is empty and whose updates are only in the page's blocks.
LIVE_DOM = replace(LIVE, article_id="125080400021", html_content=False, live_in_ld=False, region="europe")

# A Blueprint magazine story: the same page, its story in a [class*=storbpcontent] container.
BLUEPRINT = replace(
    STAFF,
    article_id="125091500310",
    section_path="blueprint-defence-magazine",
    section_name="Blueprint",
    slug="how-the-navy-plans-to-field-unmanned-submarines-by-2030",
    headline="How the Navy plans to field unmanned submarines by 2030",
    standfirst="A long-range programme moves from trials to procurement",
    published=datetime(2025, 9, 15, 10, 0, tzinfo=IST),
    modified=datetime(2025, 9, 15, 10, 0, tzinfo=IST),
    authors=[Author("Ajai Shukla", "ajai-shukla", 640)],
    dateline="New Delhi",
    paragraphs=[
        "The Navy plans to field its first unmanned underwater vehicles for long-range patrols by 2030, officials said.",
        "Trials of two prototypes built by domestic firms are under way off the coast of Visakhapatnam.",
        "The programme will move to procurement once the trials end next year.",
    ],
    inline_also_read=None,
    also_read=[],
    topics=["Indian Navy", "Defence"],
    story_container="storbpcontent",
    html_content=False,
)

# Pages under article-like URLs (an id and all) that are not articles.
VIDEO_GALLERY = replace(NO_IMAGE, article_id="125020400712", section_path="video-gallery/economy-news", slug="budget-explained-in-five-charts")
PODCAST = replace(NO_IMAGE, article_id="125020400713", section_path="podcasts/market-wrap", slug="market-wrap-sensex-nifty-end-flat")
WEB_STORY = replace(NO_IMAGE, article_id="125020400714", section_path="webstories/personal-finance", slug="five-ways-to-save-tax")

NOT_ARTICLES: dict[str, tuple[PageSpec, str]] = {
    "video-gallery": (VIDEO_GALLERY, "video"),
    "podcasts": (PODCAST, "video"),
    "webstories": (WEB_STORY, "webstory"),
}
