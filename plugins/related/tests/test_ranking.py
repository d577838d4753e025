"""Ranking by shared tags with bit masks, checked against a plain count over every pair."""

from hypothesis import given, strategies as st

from plugins.related.ranking import mask_of, ranked_by_shared_tags


def test_mask_of_sets_exactly_the_given_bits():
    assert mask_of([]) == 0
    assert mask_of([0, 3, 17, 3]) == (1 << 0) | (1 << 3) | (1 << 17)


def test_most_shared_tags_first_then_lowest_rank():
    ports, storms, ferries = mask_of([0, 2, 5]), mask_of([1, 2, 4, 5]), mask_of([3, 5])
    everyone = mask_of(range(6))
    assert ranked_by_shared_tags([ports, storms, ferries], everyone, 10) == [5, 2, 0, 1, 3, 4]
    assert ranked_by_shared_tags([ports, storms, ferries], everyone, 3) == [5, 2, 0]


def test_only_allowed_articles_and_nothing_without_a_shared_tag():
    ports = mask_of([0, 2, 5])
    assert ranked_by_shared_tags([ports], mask_of([1, 2, 3, 4]), 10) == [2]
    assert ranked_by_shared_tags([], mask_of(range(6)), 10) == []
    assert ranked_by_shared_tags([ports], mask_of(range(6)), 0) == []


def brute_force(tag_sets: list[set[int]], allowed: set[int], limit: int) -> list[int]:
    scores = {rank: sum(rank in tag for tag in tag_sets) for rank in allowed}
    return sorted((rank for rank, score in scores.items() if score), key=lambda r: (-scores[r], r))[:limit]


@given(st.lists(st.sets(st.integers(0, 150)), max_size=9), st.sets(st.integers(0, 150)),
       st.integers(0, 12))
def test_agrees_with_counting_every_pair(tag_sets, allowed, limit):
    masks = [mask_of(tag) for tag in tag_sets]
    assert ranked_by_shared_tags(masks, mask_of(allowed), limit) == brute_force(tag_sets, allowed, limit)
