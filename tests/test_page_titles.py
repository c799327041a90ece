"""Every page's title (the browser tab, the history list, a bookmark) is plain text: a template's title block
holds words and variables only, never markup or an included fragment."""
import re
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

TITLE_BLOCK = re.compile(r"{%\s*block title\s*%}(.*?){%\s*endblock", re.S)


def test_title_blocks_hold_no_markup():
    templates = [path for directory in settings.TEMPLATES[0]["DIRS"] for path in Path(directory).rglob("*.html")]
    assert len(templates) > 50
    offending = {}
    for path in templates:
        for title in TITLE_BLOCK.findall(path.read_text(encoding="utf-8")):
            if "<" in title or "{% include" in title or "\n" in title.strip():
                offending[str(path)] = title
    assert offending == {}


def test_inbox_title_is_plain(client_for, county_officer):
    html = client_for(county_officer).get("/exits/inbox/").content.decode()
    assert re.search(r"<title>([^<]*)</title>", html).group(1) == "待办 · 精准扶贫业务系统"
    assert render_to_string("assessments/workflow/_overdue_style.html").strip() in html
