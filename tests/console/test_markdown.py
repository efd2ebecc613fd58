from console.markdown import render_markdown


def test_markdown_subset_becomes_tags():
    html = render_markdown("# Verdict\n\nA **strong** and *clear* case:\n- one\n- two\n\n1. a\n2. b\n\n`x < y`")
    assert "<h3>Verdict</h3>" in html
    assert "<strong>strong</strong>" in html and "<em>clear</em>" in html
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in html and "<ol>" in html
    assert "<code>x &lt; y</code>" in html


def test_html_in_the_text_stays_text():
    html = render_markdown('<script>alert(1)</script><img src=x onerror="alert(2)"> **<b>bold</b>**')
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<strong>&lt;b&gt;bold&lt;/b&gt;</strong>" in html


def test_only_http_links_become_links_and_quotes_cannot_leave_the_attribute():
    html = render_markdown('[a](javascript:alert(1)) [b](https://ok.example/"onmouseover="x)')
    assert 'href="javascript' not in html and "[a](javascript:alert(1))" in html
    assert '<a href="https://ok.example/&quot;onmouseover=&quot;x"' in html


def test_fenced_code_is_escaped_verbatim():
    html = render_markdown("```\n<b>**not bold**</b>\n```")
    assert html == "<pre><code>&lt;b&gt;**not bold**&lt;/b&gt;</code></pre>"
