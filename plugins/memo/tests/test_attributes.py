"""Articles' attribute dicts compacted once every plugin has set its attributes
(plugins/memo/attributes.py)."""

import sys
from types import SimpleNamespace

from plugins.memo.attributes import compact_attributes


class Item:
    pass


def item_with(count: int) -> Item:
    item = Item()
    for n in range(count):
        setattr(item, f"attribute_{n}", n)
    return item


def test_every_item_keeps_its_attributes_in_a_smaller_dict():
    items = [item_with(38) for _ in range(3)]
    before = [dict(vars(item)) for item in items]
    size = sys.getsizeof(vars(items[0]))
    generator = SimpleNamespace(articles=items[:1], translations=[], hidden_articles=items[1:2],
                                hidden_translations=[], drafts=items[2:], drafts_translations=[])
    compact_attributes([generator, SimpleNamespace(pages=[], hidden_pages=[])])
    assert [vars(item) for item in items] == before
    assert all(sys.getsizeof(vars(item)) < size * 0.6 for item in items)
    items[0].added_later = 1  # still an ordinary object
    assert items[0].added_later == 1 and items[0].attribute_37 == 37
