from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from graders.errors import InvalidOutput
from graders.readers import read_label_csv, read_value_csv

WriteFile = Callable[[str, str | bytes], Path]  # the conftest fixture ``write_file``

IDS = [1, 2, 3, 4]
GOOD = "id,label\n1,0\n2,1\n3,1\n4,0\n"
HEADER_REASON = "predictions.csv: the first line must be 'id,label', found"
BLANK_REASON = "blank line (blank lines are only allowed at the end)"


def read_labels(
    path: Path, *, labels: list[int] | None = None, max_bytes: int = 4096
) -> dict[int, int]:
    allowed = [0, 1] if labels is None else labels
    return read_label_csv(
        path, expected_ids=IDS, value_column="label", labels=allowed, max_bytes=max_bytes
    )


def read_values(path: Path) -> dict[int, float]:
    return read_value_csv(path, expected_ids=IDS, value_column="y", max_bytes=4096)


def reason_for(path: Path) -> str:
    with pytest.raises(InvalidOutput) as caught:
        read_labels(path)
    return str(caught.value)


# --- files that are read -------------------------------------------------------------


def test_correct_file_returns_each_ids_label(write_file: WriteFile) -> None:
    assert read_labels(write_file("predictions.csv", GOOD)) == {1: 0, 2: 1, 3: 1, 4: 0}


def test_rows_may_come_in_any_order(write_file: WriteFile) -> None:
    path = write_file("predictions.csv", "id,label\n4,0\n2,1\n1,0\n3,1\n")
    assert read_labels(path) == {1: 0, 2: 1, 3: 1, 4: 0}


def test_crlf_line_ends_a_bom_and_trailing_blank_lines_are_accepted(
    write_file: WriteFile,
) -> None:
    content = "\ufeffid,label\r\n1,0\r\n2,1\r\n3,1\r\n4,0\r\n\r\n  \n"
    assert read_labels(write_file("predictions.csv", content)) == {1: 0, 2: 1, 3: 1, 4: 0}


def test_whitespace_around_fields_is_accepted(write_file: WriteFile) -> None:
    content = " id , label \n1, 0\n 2 ,1\n3 ,1 \n4,0"
    assert read_labels(write_file("predictions.csv", content)) == {1: 0, 2: 1, 3: 1, 4: 0}


def test_any_integer_label_is_accepted_when_no_label_set_is_given(write_file: WriteFile) -> None:
    path = write_file("predictions.csv", "id,label\n1,-7\n2,0\n3,12\n4,999\n")
    result = read_label_csv(
        path, expected_ids=IDS, value_column="label", labels=None, max_bytes=4096
    )
    assert result == {1: -7, 2: 0, 3: 12, 4: 999}


def test_values_are_read_as_floats(write_file: WriteFile) -> None:
    path = write_file("predictions.csv", "id,y\n1,0.5\n2,-3\n3,1e-3\n4,.25\n")
    assert read_values(path) == {1: 0.5, 2: -3.0, 3: 0.001, 4: 0.25}


# --- files that are not where they should be, or not files ---------------------------


def test_missing_file_fails_naming_the_path_the_program_sees(tmp_path: Path) -> None:
    assert reason_for(tmp_path / "predictions.csv") == "did not write /output/predictions.csv"


def test_symlink_to_another_file_is_not_followed(write_file: WriteFile, tmp_path: Path) -> None:
    target = write_file("elsewhere.csv", GOOD)  # a valid file: following the link would pass
    link = tmp_path / "predictions.csv"
    link.symlink_to(target)
    assert reason_for(link) == "predictions.csv: is a symbolic link, not a regular file"


def test_dangling_symlink_is_refused_as_a_symlink(tmp_path: Path) -> None:
    link = tmp_path / "predictions.csv"
    link.symlink_to(tmp_path / "nowhere")
    assert "symbolic link" in reason_for(link)


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "predictions.csv"
    os.mkfifo(fifo)  # nobody will ever write to it: a blocking open would hang the worker
    reasons: list[str] = []
    reader = threading.Thread(target=lambda: reasons.append(reason_for(fifo)), daemon=True)
    reader.start()
    reader.join(timeout=5)
    assert not reader.is_alive(), "reading a fifo blocked"
    assert reasons == ["predictions.csv: is a named pipe, not a regular file"]


def test_directory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "predictions.csv").mkdir()
    assert reason_for(tmp_path / "predictions.csv") == (
        "predictions.csv: is a directory, not a regular file"
    )


def test_file_over_the_size_limit_fails_before_a_byte_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "predictions.csv"
    with path.open("wb") as handle:
        handle.truncate(20 * 2**20)  # sparse: large on paper, cheap on disk

    def no_read(fd: int, n: int) -> bytes:
        raise AssertionError("read a file already known to be too large")

    monkeypatch.setattr(os, "read", no_read)
    with pytest.raises(InvalidOutput) as caught:
        read_labels(path, max_bytes=16 * 2**20)
    assert str(caught.value) == "predictions.csv: is larger than the limit of 16 MB (20 MB)"


def test_a_file_that_grew_after_stat_is_read_only_one_byte_past_the_limit(
    write_file: WriteFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_file("predictions.csv", GOOD + "#" * 10_000)
    real_fstat, real_read = os.fstat, os.read
    asked: list[int] = []

    def small_fstat(fd: int) -> os.stat_result:
        fields = list(real_fstat(fd))
        fields[6] = 10  # st_size, as it was when the program was "still writing"
        return os.stat_result(fields)

    def counting_read(fd: int, n: int) -> bytes:
        asked.append(n)
        return real_read(fd, n)

    monkeypatch.setattr(os, "fstat", small_fstat)
    monkeypatch.setattr(os, "read", counting_read)
    with pytest.raises(InvalidOutput, match="larger than the limit of 100 bytes"):
        read_labels(path, max_bytes=100)
    assert sum(asked) <= 101


# --- files whose content is wrong -----------------------------------------------------


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("", "predictions.csv: is empty"),
        ("\n \r\n\n", "predictions.csv: is empty"),
        ("id,prediction\n1,0\n", f"{HEADER_REASON} 'id,prediction'"),
        ("1,0\n2,1\n", f"{HEADER_REASON} '1,0'"),
        ("id,label\n1,0,5\n", "predictions.csv line 2: expected 2 fields (id,label), found 3"),
        ("id,label\n1,0\n2\n", "predictions.csv line 3: expected 2 fields (id,label), found 1"),
        ("id,label\nabc,0\n", "predictions.csv line 2: id 'abc' is not an integer"),
        ("id,label\n1.0,0\n", "predictions.csv line 2: id '1.0' is not an integer"),
        ("id,label\n1_0,0\n", "predictions.csv line 2: id '1_0' is not an integer"),
        ("id,label\n\u0661,0\n", "predictions.csv line 2: id '\u0661' is not an integer"),
        ("id,label\n1,0\n99,1\n", "predictions.csv line 3: id 99 is not a test id"),
        ("id,label\n1,0\n\n2,1\n", f"predictions.csv line 3: {BLANK_REASON}"),
        ("id,label\n1,cat\n", "predictions.csv line 2: label 'cat' is not an integer"),
        ("id,label\n1,1.0\n", "predictions.csv line 2: label '1.0' is not an integer"),
        ("id,label\n1,\n", "predictions.csv line 2: label '' is not an integer"),
        ("id,label\n1,2\n", "predictions.csv line 2: label 2 is not an allowed label (0, 1)"),
        ("id,label\n1,-1\n", "predictions.csv line 2: label -1 is not an allowed label (0, 1)"),
    ],
)
def test_bad_content_fails_with_a_reason_naming_file_and_line(
    write_file: WriteFile, content: str, reason: str
) -> None:
    assert reason_for(write_file("predictions.csv", content)) == reason


def test_duplicate_ids_fail_with_reason(write_file: WriteFile) -> None:
    path = write_file("predictions.csv", "id,label\n1,0\n2,1\n3,1\n2,0\n4,0\n")
    assert reason_for(path) == "predictions.csv line 5: id 2 appears twice (also on line 3)"


def test_missing_ids_are_counted_and_the_first_few_shown(write_file: WriteFile) -> None:
    path = write_file("predictions.csv", "id,label\n3,1\n")
    assert reason_for(path) == "predictions.csv: 3 of 4 test ids are missing (first: 1, 2, 4)"


def test_many_missing_ids_are_shown_only_in_part(write_file: WriteFile) -> None:
    path = write_file("predictions.csv", "id,label\n")
    ids = list(range(100))
    with pytest.raises(InvalidOutput) as caught:
        read_label_csv(path, expected_ids=ids, value_column="label", labels=None, max_bytes=99)
    assert str(caught.value) == (
        "predictions.csv: 100 of 100 test ids are missing (first: 0, 1, 2, 3, 4, …)"
    )


def test_contiguous_label_sets_are_described_as_a_range(write_file: WriteFile) -> None:
    path = write_file("predictions.csv", "id,label\n1,10\n")
    with pytest.raises(InvalidOutput, match=r"label 10 is not an allowed label \(0\.\.9\)$"):
        read_labels(path, labels=list(range(10)))


def test_text_that_is_not_utf8_fails(write_file: WriteFile) -> None:
    path = write_file("predictions.csv", b"id,label\n1,\xff\n")
    assert reason_for(path) == "predictions.csv: is not UTF-8 text (invalid byte at offset 11)"


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "+Infinity", "1e999"])
def test_non_finite_values_are_refused(write_file: WriteFile, value: str) -> None:
    path = write_file("predictions.csv", f"id,y\n1,{value}\n2,0\n3,0\n4,0\n")
    with pytest.raises(InvalidOutput, match=r"^predictions\.csv line 2: y .* is not finite"):
        read_values(path)


@pytest.mark.parametrize("value", ["abc", "0x10", "1_0", "1,5", "", "--1", "1e"])
def test_non_numeric_values_are_refused(write_file: WriteFile, value: str) -> None:
    path = write_file("predictions.csv", f"id,y\n1,{value}\n2,0\n3,0\n4,0\n")
    with pytest.raises(InvalidOutput, match=r"^predictions\.csv line 2: "):
        read_values(path)


def test_untrusted_content_is_clipped_and_escaped_to_one_printable_line(
    write_file: WriteFile,
) -> None:
    hostile = "\x1b[2J\u202e" + "A" * 500 + "\rFAKE: scored 1.0"
    for content in (hostile, f"id,label\n{hostile},0\n", f"id,label\n1,{hostile}\n"):
        reason = reason_for(write_file("predictions.csv", content))
        assert reason.isprintable(), reason
        assert len(reason) < 140, reason
        assert "FAKE" not in reason
        assert "\\x1b" in reason


def test_blank_lines_followed_by_a_row_fail_at_the_first_blank_line(
    write_file: WriteFile,
) -> None:
    path = write_file("predictions.csv", "id,label\n1,0\n2,1\n\n\r\n \n3,1\n4,0\n")
    assert reason_for(path) == f"predictions.csv line 4: {BLANK_REASON}"


def test_a_line_of_a_million_commas_is_refused_by_its_field_count(write_file: WriteFile) -> None:
    path = write_file("predictions.csv", "id,label\n" + "," * 1_000_000)
    with pytest.raises(InvalidOutput, match=r"line 2: expected 2 fields \(id,label\), found"):
        read_labels(path, max_bytes=2 * 2**20)


def test_a_large_correct_file_is_read_whole(write_file: WriteFile) -> None:
    ids = list(range(200_000))
    path = write_file("predictions.csv", "id,label\r\n" + "".join(f"{i},{i % 2}\r\n" for i in ids))
    result = read_label_csv(
        path, expected_ids=ids, value_column="label", labels=[0, 1], max_bytes=16 * 2**20
    )
    assert len(result) == 200_000
    assert result[199_999] == 1
