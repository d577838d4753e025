"""Related articles by shared tags, counted for all candidates at once with one bit per article.

Articles are numbered by rank (0 = newest). A tag is a mask: bit r is set when the article of
rank r carries it. For one article, adding the masks of its tags as bit-sliced counters gives every
other article's number of shared tags in a few big-integer operations (each a C loop over N/64
words), so ranking all N articles costs O(N * tags * log(tags)) of those, never a Python loop
over pairs of articles.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def mask_of(ranks: Iterable[int]) -> int:
    """The mask with the bits `ranks` set (built in a bytearray: OR-ing bits into a growing
    integer one at a time would copy it every time)."""
    buffer = bytearray()
    for rank in ranks:
        byte = rank >> 3
        if byte >= len(buffer):
            buffer.extend(bytes(byte + 1 - len(buffer)))
        buffer[byte] |= 1 << (rank & 7)
    return int.from_bytes(buffer, "little")


def _counts(masks: Sequence[int]) -> list[int]:
    """Bit-sliced sums of `masks`: bit r of slices[i] is bit i of how many masks have bit r."""
    slices: list[int] = []
    for carry in masks:
        for i, bits in enumerate(slices):
            if not carry:
                break
            slices[i], carry = bits ^ carry, bits & carry
        if carry:
            slices.append(carry)
    return slices


def ranked_by_shared_tags(tag_masks: Sequence[int], allowed: int, limit: int) -> list[int]:
    """Ranks of up to `limit` articles of `allowed` (a mask) that share at least one of the tags
    `tag_masks`: most shared tags first, then lowest rank (newest) first.

    Each mask must be a distinct tag, so the count of masks holding a bit is a number of shared tags.
    """
    if limit <= 0 or not tag_masks:
        return []
    slices = _counts(tag_masks)
    found: list[int] = []
    for score in range(len(tag_masks), 0, -1):
        if score >> len(slices):
            continue  # more than the counters can hold: no article has that many tags in common
        exactly = allowed
        for i, bits in enumerate(slices):
            exactly &= bits if score >> i & 1 else ~bits
            if not exactly:
                break
        while exactly:
            lowest = exactly & -exactly
            found.append(lowest.bit_length() - 1)
            if len(found) == limit:
                return found
            exactly ^= lowest
    return found
