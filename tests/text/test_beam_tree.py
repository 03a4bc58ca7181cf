"""lib.text.sampling.Sampler.beam_search_tree: the traced search is the search, and its
tree holds what the drawing shows (lib.text.drawing.draw_beam_tree)."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest

from lib.text.corpus import Vocabulary
from lib.text.drawing import draw_beam_tree
from lib.text.sampling import Sampler
from tests.text.tiny import sharp_char_model

VOCAB = Vocabulary("abcdefgh \n")


@pytest.fixture(scope="module")
def sampler():
    return Sampler(sharp_char_model(VOCAB))


@pytest.mark.parametrize(
    "prompt, length, width, branching",
    [("cab", 6, 1, None), ("cab", 6, 2, None), ("he", 5, 3, 4), ("a\n", 12, 4, 2)],
)
def test_the_traced_search_returns_what_beam_search_returns(
    sampler, prompt, length, width, branching
):
    tree = sampler.beam_search_tree(prompt, length, width, branching)
    assert tree.beams == sampler.beam_search(prompt, length, beam_width=width)
    path = [tree.nodes[i] for i in tree.best_path]
    assert path[0].step == 0 and path[0].char == prompt and path[0].parent == -1
    assert "".join(node.char for node in path[1:]) == tree.beams[0].text
    assert path[-1].log_prob == tree.beams[0].log_prob
    assert all(node.kept for node in path)


def test_each_step_keeps_the_beam_width_best_candidates(sampler):
    width, length = 3, 6
    tree = sampler.beam_search_tree("he", length, width)
    for step in range(1, length + 1):
        nodes = [node for node in tree.nodes if node.step == step]
        kept = [node for node in nodes if node.kept]
        pruned = [node for node in nodes if not node.kept]
        # 1 prefix at step 1, `width` after; each shows its `branching` best children
        assert len(nodes) == (1 if step == 1 else width) * tree.branching
        assert len(kept) == width
        assert min(n.log_prob for n in kept) >= max(
            (n.log_prob for n in pruned), default=-math.inf
        )
        # only kept prefixes are extended
        assert all(tree.nodes[n.parent].kept for n in nodes)
        assert all(tree.nodes[n.parent].step == step - 1 for n in nodes)
    finals = sorted(
        (n.log_prob for n in tree.nodes if n.step == length and n.kept), reverse=True
    )
    assert finals == [b.log_prob for b in tree.beams]


def test_a_child_adds_its_characters_log_probability(sampler):
    tree = sampler.beam_search_tree("cab", 4, 2, branching=3)
    for node in tree.nodes[1:]:
        text, i = node.char, node.parent
        while i > 0:
            text, i = tree.nodes[i].char + text, tree.nodes[i].parent
        assert node.log_prob == pytest.approx(sampler.log_prob("cab", text), abs=1e-4)


def test_a_narrow_branching_still_holds_every_kept_candidate(sampler):
    tree = sampler.beam_search_tree("cab", 8, 4, branching=1)
    assert tree.beams == sampler.beam_search("cab", 8, beam_width=4)
    for step in range(1, 9):
        assert sum(n.kept for n in tree.nodes if n.step == step) == 4


def test_bad_branching_is_a_clear_error(sampler):
    with pytest.raises(ValueError, match="branching"):
        sampler.beam_search_tree("a", 3, 2, branching=0)


def test_the_drawing_has_one_box_per_node(sampler):
    tree = sampler.beam_search_tree("cab", 4, 2)
    fig = draw_beam_tree(tree)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.texts]
    assert all(
        f"{n.log_prob:.2f}".replace("-", "\N{MINUS SIGN}") in " ".join(labels)
        for n in tree.nodes[1:]
    )
    assert len([t for t in ax.texts if t.get_bbox_patch() is not None]) == len(
        tree.nodes
    )
    assert fig.get_facecolor()[:3] == (1.0, 1.0, 1.0)
    plt.close(fig)
