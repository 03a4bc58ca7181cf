import pytest

from lib.tables import markdown_table


def test_markdown_table():
    assert markdown_table(["a", "b"], [[1, 2.5]]) == "| a | b |\n|---|---|\n| 1 | 2.5 |"


def test_ragged_rows_are_an_error():
    with pytest.raises(ValueError, match="2 cells"):
        markdown_table(["a", "b"], [[1]])
