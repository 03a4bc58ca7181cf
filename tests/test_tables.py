import pytest

from lib.display import markdown_table


def test_markdown_table():
    assert markdown_table(["a", "b"], [[1, 2.5]]) == "| a | b |\n|---|---|\n| 1 | 2.5 |"


def test_ragged_rows_are_an_error():
    with pytest.raises(ValueError, match="2 cells"):
        markdown_table(["a", "b"], [[1]])


def test_glue_shows_the_value_without_myst_nb(monkeypatch, capsys):
    import builtins

    from lib.display import glue
    real_import = builtins.__import__

    def no_myst_nb(name, *args, **kwargs):
        if name == "myst_nb":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_myst_nb)
    glue("answer", 42)
    glue("hidden", 7, display=False)
    assert capsys.readouterr().out.split() == ["42"]
