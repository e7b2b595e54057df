"""Errors of spacing and punctuation: split and merged words, stray spaces and marks."""

import pyarrow as pa

from gensample.corruptions import spacing

VALUES = pa.array(["Mcdonald", "Mary Ann", "Jo", "", None, "2217 Maple Street", "a b"])


def test_split_word_adds_one_space_inside_a_word(rng):
    after = spacing.split_word(VALUES, rng).to_pylist()
    for old, new in zip(VALUES.to_pylist(), after, strict=True):
        if old is None or not any(len(word) >= 3 for word in old.split(" ")):
            assert new == old
            continue
        assert new.replace(" ", "") == old.replace(" ", "") and new.count(" ") == old.count(" ") + 1
        assert " " not in (new[:2], new[-1]) and "  " not in new


def test_merge_words_drops_one_space_between_words(rng):
    after = spacing.merge_words(VALUES, rng).to_pylist()
    assert after[:3] == ["Mcdonald", "MaryAnn", "Jo"] and after[3:5] == ["", None]
    assert after[5] in {"2217Maple Street", "2217 MapleStreet"} and after[6] == "ab"


def test_stray_spaces_and_marks_leave_the_words_alone(rng):
    spaced = spacing.add_stray_space(VALUES, rng).to_pylist()
    for new, old in zip(spaced, VALUES.to_pylist(), strict=True):
        assert new == old if not old else new.strip() == old and len(new) == len(old) + 1
    marked = spacing.add_stray_punctuation(VALUES, rng).to_pylist()
    for new, old in zip(marked, VALUES.to_pylist(), strict=True):
        if not old:
            assert new == old
            continue
        added = [i for i in range(len(new)) if new[:i] + new[i + 1 :] == old]
        assert added and new[added[0]] in ".-'"
