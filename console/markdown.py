"""A small, safe Markdown subset for text a model wrote (an answer's Reasoning).

Everything is HTML-escaped first; only then do a few patterns become tags we write
ourselves: paragraphs, line breaks, `#` headings, `-`/`*`/`1.` lists, fenced and inline
code, **bold**, *italic* and [links](https://…) with an http(s) target. Nothing the model
wrote can become a tag or an attribute of its own, so its output is safe to mark safe.
"""

from __future__ import annotations

import html
import re

from django.utils.safestring import SafeString, mark_safe

_INLINE_CODE = re.compile(r"`([^`\n]+)`")
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_ITALIC = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
# The text is already escaped: a quote inside the URL is &quot; and cannot end the attribute.
_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^\s()<>]+)\)")
# A page of the record's deck, as the instructions ask the model to cite it: shown as a citation,
# never a link (a model that wraps one in a link gets its text only: nothing leads out of the console).
_DECK_LINK = re.compile(r"\[(deck p\. ?\d+[^\]\n]*)\]\([^)\s]*\)", re.IGNORECASE)
_DECK_CITE = re.compile(r"\b(deck p\. ?\d+(?:\s*[-\u2013]\s*\d+)?)", re.IGNORECASE)
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d+[.)]\s+(.*)$")


def _inline(escaped: str) -> str:
    codes: list[str] = []

    def keep_code(match: re.Match) -> str:
        codes.append(f"<code>{match.group(1)}</code>")
        return f"\x00{len(codes) - 1}\x00"

    text = _INLINE_CODE.sub(keep_code, escaped)  # code spans are not formatted further
    text = _DECK_LINK.sub(r"\1", text)
    text = _LINK.sub(r'<a href="\2" rel="nofollow noopener noreferrer" target="_blank">\1</a>', text)
    text = _DECK_CITE.sub(r'<cite class="deck-page">\1</cite>', text)
    text = _BOLD.sub(r"<strong>\1</strong>", text)
    text = _ITALIC.sub(r"<em>\1</em>", text)
    return re.sub("\x00(\\d+)\x00", lambda m: codes[int(m.group(1))], text)


def render_markdown(text: str) -> SafeString:
    """`text` as HTML built only from the subset above; anything else shows as the text it is."""
    lines = html.escape(text or "", quote=True).replace("\x00", "").splitlines()
    out: list[str] = []
    paragraph: list[str] = []
    list_tag = ""
    in_fence = False
    fence: list[str] = []

    def close_paragraph():
        if paragraph:
            out.append("<p>" + "<br>".join(_inline(line) for line in paragraph) + "</p>")
            paragraph.clear()

    def close_list():
        nonlocal list_tag
        if list_tag:
            out.append(f"</{list_tag}>")
            list_tag = ""

    for line in lines:
        if line.strip().startswith("```"):
            if in_fence:
                out.append("<pre><code>" + "\n".join(fence) + "</code></pre>")
                fence.clear()
            else:
                close_paragraph()
                close_list()
            in_fence = not in_fence
            continue
        if in_fence:
            fence.append(line)
            continue
        if not line.strip():
            close_paragraph()
            close_list()
            continue
        if heading := _HEADING.match(line):
            close_paragraph()
            close_list()
            level = min(len(heading.group(1)) + 2, 6)  # below the page's own headings
            out.append(f"<h{level}>{_inline(heading.group(2))}</h{level}>")
            continue
        item = _BULLET.match(line)
        tag = "ul"
        if not item:
            item, tag = _NUMBERED.match(line), "ol"
        if item:
            close_paragraph()
            if list_tag != tag:
                close_list()
                out.append(f"<{tag}>")
                list_tag = tag
            out.append(f"<li>{_inline(item.group(1))}</li>")
            continue
        close_list()
        paragraph.append(line)
    if in_fence:
        out.append("<pre><code>" + "\n".join(fence) + "</code></pre>")
    close_paragraph()
    close_list()
    return mark_safe("\n".join(out))  # noqa: S308 -- built only from escaped text and our own tags
