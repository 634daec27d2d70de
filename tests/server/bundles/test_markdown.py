from server.bundles.markdown import render_markdown


def test_markdown_is_rendered_and_script_is_removed():
    html = render_markdown("# Title\n\n**bold** <script>alert(1)</script> [x](javascript:alert(1))")
    assert "<h1" in html and "<strong>bold</strong>" in html
    assert "<script" not in html and "javascript:" not in html
