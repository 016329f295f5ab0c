import pytest

from crm_saas.byte_ranges import RangeNotSatisfiable, byte_range, is_first_read


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("", None),
        ("bytes=0-", (0, 999)),
        ("bytes=0-0", (0, 0)),
        ("bytes=10-19", (10, 19)),
        ("bytes=990-5000", (990, 999)),  # the end is clipped to the body
        ("bytes=-100", (900, 999)),
        ("bytes=-5000", (0, 999)),
        ("BYTES = 5 - 6", (5, 6)),
        ("bytes=0-1,5-6", None),  # several ranges: served whole
        ("items=0-5", None),  # another unit: ignored
        ("bytes=-", None),
        ("bytes=20-10", None),  # invalid: ignored, not refused
        ("bytes=abc", None),
    ],
)
def test_single_ranges_are_read_and_anything_else_means_the_whole_body(header, expected) -> None:
    assert byte_range(header, 1000) == expected


@pytest.mark.parametrize("header", ["bytes=1000-", "bytes=5000-6000", "bytes=-0"])
def test_a_range_outside_the_body_cannot_be_satisfied(header) -> None:
    with pytest.raises(RangeNotSatisfiable):
        byte_range(header, 1000)


@pytest.mark.parametrize(
    ("header", "first"),
    [(None, True), ("bytes=0-", True), ("bytes=0-1", True), ("bytes=1-", False), ("bytes=-10", False), ("x", True)],
)
def test_only_a_read_from_the_start_begins_a_playback(header, first) -> None:
    assert is_first_read(header) is first
