"""CSV files of a person's own points: what is read, and every refusal with its reason."""

import pytest

from gan_core.config import MAX_POINTS, ConfigError, GanConfig, Target
from gan_core.points_io import MAX_CSV_BYTES, parse_points


def refused(data: bytes) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_points(data)
    assert caught.value.field == "points"
    return str(caught.value)


def test_header_x_y():
    assert parse_points(b"x,y\n1,2\n3.5,-4e-1\n") == ((1.0, 2.0), (3.5, -0.4))


def test_no_header_two_columns():
    assert parse_points(b"1,2\n3,4\n") == ((1.0, 2.0), (3.0, 4.0))


def test_named_columns_anywhere_among_others():
    data = b"label,Y,x\na,2,1\nb,4,3\n"
    assert parse_points(data) == ((1.0, 2.0), (3.0, 4.0))


@pytest.mark.parametrize(
    "data",
    [
        b"1;2\n3;4\n",
        b"1\t2\n3\t4\n",
        b"1 2\n  3    4\n",
        b"\xef\xbb\xbfx,y\r\n1,2\r\n3,4\r\n",  # BOM and Windows line ends
        b"# my points\n\nx,y\n1,2\n\n3,4\n",  # comments and blank lines
        b'"x","y"\n"1","2"\n"3","4"\n',  # quoted cells
    ],
)
def test_common_dialects(data):
    assert parse_points(data) == ((1.0, 2.0), (3.0, 4.0))


def test_parsed_points_make_a_valid_target():
    points = parse_points(b"x,y\n0,0\n1,1\n2,0\n")
    config = GanConfig(target=Target(kind="points", points=points), batch_size=2)
    assert config.data_size == 3


def test_empty_file():
    assert "empty" in refused(b"")
    assert "empty" in refused(b"  \n\n")


def test_only_comments_has_no_rows():
    assert "no data rows" in refused(b"# nothing here\n")


def test_binary_file():
    assert "binary" in refused(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")


def test_not_utf8():
    assert "UTF-8" in refused(b"x,y\n1,2\n\xff\xfe,3\n")


def test_header_without_x_y_and_more_than_two_columns():
    message = refused(b"a,b,c\n1,2,3\n4,5,6\n")
    assert "no numeric x,y columns" in message and "'a'" in message


def test_three_columns_without_header():
    assert "3 columns" in refused(b"1,2,3\n4,5,6\n")


def test_text_in_a_data_cell_names_line_and_column():
    message = refused(b"x,y\n1,2\n3,abc\n")
    assert "line 3" in message and "column y" in message and "'abc'" in message


def test_mixed_first_row_is_data_not_header():
    message = refused(b"1,abc\n3,4\n")
    assert "line 1" in message and "'abc'" in message


@pytest.mark.parametrize("bad", [b"nan", b"inf", b"-Infinity"])
def test_not_finite(bad):
    message = refused(b"x,y\n1,2\n" + bad + b",4\n")
    assert "not a finite number" in message and "line 3" in message


def test_out_of_range_coordinate():
    assert "out of range" in refused(b"x,y\n1,2\n3,1e9\n")


def test_short_row():
    assert "line 3 has 1 column" in refused(b"x,y\n1,2\n3\n")


def test_too_few_points():
    assert "at least 2" in refused(b"x,y\n1,2\n")


def test_too_many_rows():
    rows = b"".join(b"%d,%d\n" % (i, i) for i in range(MAX_POINTS + 1))
    assert f"at most {MAX_POINTS:,} points" in refused(rows)


def test_most_rows_allowed_is_accepted():
    rows = b"".join(b"%d,%d\n" % (i % 100, i // 100) for i in range(MAX_POINTS))
    assert len(parse_points(rows)) == MAX_POINTS


def test_too_large_in_bytes():
    data = b"x,y\n" + b"1," + b"0" * MAX_CSV_BYTES + b"\n2,3\n"
    assert "bytes" in refused(data)
