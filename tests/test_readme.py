"""The README runs: its tour's output is what its commands print today."""

from tools.readme_tour import README, masked, render


def test_the_readme_tour_is_what_its_commands_print() -> None:
    current = README.read_text(encoding="utf-8")
    assert masked(render(current)) == masked(current), "README.md's tour is out of date: run `make readme`"


def test_the_readme_gives_a_newcomer_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    assert "make run" in text and "make test" in text
