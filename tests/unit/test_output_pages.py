"""Pages of output text: whole lines under a byte cap, line numbers kept."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from gateway.output_pages import output_page, split_lines


def test_lines_keep_their_index_and_lose_only_the_newline() -> None:
    page = output_page("a\r\n\x1b[0;32mok\x1b[0m\n\nlast\n", 40, 10, 1000)
    assert [(line.index, line.raw) for line in page.lines] == [
        (40, "a\r"),
        (41, "\x1b[0;32mok\x1b[0m"),
        (42, ""),
        (43, "last"),
    ]
    assert page.lines[1].text == "ok"
    assert page.cut_short is False


def test_the_byte_cap_ends_the_page_after_the_last_whole_line() -> None:
    page = output_page("aaaa\nbbbb\ncccc\n", 0, 3, 11)  # 5 bytes a line, newline counted
    assert [line.raw for line in page.lines] == ["aaaa", "bbbb"]
    assert page.cut_short is True


def test_a_line_over_the_cap_alone_is_cut_on_a_character_boundary() -> None:
    page = output_page("\u00e9\u00e9\u00e9\u00e9\nnext\n", 7, 5, 6)
    assert len(page.lines) == 1
    line = page.lines[0]
    assert (line.index, line.raw, line.truncated) == (7, "\u00e9\u00e9", True)
    assert page.cut_short is True


@given(
    st.lists(st.text(alphabet=st.characters(blacklist_characters="\n"), max_size=30), max_size=40),
    st.integers(min_value=0, max_value=50),
    st.integers(min_value=2, max_value=200),
)
def test_a_page_never_exceeds_its_caps(lines: list[str], wanted: int, cap: int) -> None:
    content = "".join(f"{line}\n" for line in lines)
    assert split_lines(content) == lines
    page = output_page(content, 0, wanted, cap)
    assert len(page.lines) <= wanted
    size = sum(len(line.raw.encode("utf-8", "surrogatepass")) + 1 for line in page.lines)
    assert size <= cap
    whole = [line for line in page.lines if not line.truncated]
    assert [line.raw for line in whole] == lines[: len(whole)]
    assert page.cut_short == (
        len(page.lines) < min(wanted, len(lines)) or len(whole) < len(page.lines)
    )
