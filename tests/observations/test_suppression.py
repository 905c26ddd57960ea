"""Primary and complementary suppression over sum relations (no database)."""

from __future__ import annotations

from app.observations.suppression import Relation, suppress


def test_a_single_small_count_takes_its_smallest_published_sibling_with_it() -> None:
    counts = {"msoa": 40.0, "a": 2.0, "b": 9.0, "c": 12.0, "d": 17.0}
    found = suppress(counts, [Relation("msoa", ("a", "b", "c", "d"))], 5)
    assert found.cells == {"a", "b"}  # msoa - c - d would otherwise give a


def test_hidden_cells_that_sum_below_the_threshold_take_one_more() -> None:
    counts = {"msoa": 30.0, "a": 0.0, "b": 1.0, "c": 6.0, "d": 23.0}
    found = suppress(counts, [Relation("msoa", ("a", "b", "c", "d"))], 5)
    assert found.cells == {"a", "b", "c"}  # a + b = 1 would say both are tiny


def test_a_hidden_total_hides_one_of_its_members_and_its_sibling_up_the_tree() -> None:
    counts = {"city": 100.0, "m1": 3.0, "m2": 50.0, "m3": 47.0, "a": 1.0, "b": 2.0,
              "c": 20.0, "d": 30.0}  # fmt: skip
    relations = [
        Relation("city", ("m1", "m2", "m3")),
        Relation("m1", ("a", "b")),
        Relation("m2", ("c", "d")),
    ]
    found = suppress(counts, relations, 5)
    # m1 is small: m3 goes with it; a and b are small; m3 has no members here.
    assert {"m1", "a", "b", "m3"} <= found.cells
    assert not {"city", "c", "d"} & found.cells
    # m2 is published and so are c and d: nothing there needed hiding.


def test_a_hidden_total_whose_members_are_all_published_hides_a_member() -> None:
    counts = {"m": 30.0, "a": 10.0, "b": 20.0}
    found = suppress(counts, [Relation("m", ("a", "b"))], 5, forced=["m"])
    assert found.cells == {"m", "a"}


def test_a_total_that_is_no_cell_is_withheld_when_its_members_cannot_protect_it() -> None:
    counts = {"only": 2.0}
    found = suppress(counts, [Relation("every lsoa", ("only",), cell_total=False)], 5)
    assert found.cells == {"only"}
    assert found.totals == {"every lsoa"}


def test_no_threshold_and_nothing_forced_hides_nothing() -> None:
    counts = {"m": 3.0, "a": 1.0, "b": 2.0}
    assert not suppress(counts, [Relation("m", ("a", "b"))], None).cells


def test_the_pattern_does_not_depend_on_the_order_relations_come_in() -> None:
    counts = {"city": 60.0, "m1": 30.0, "m2": 30.0, "a": 2.0, "b": 28.0, "c": 3.0, "d": 27.0}
    relations = [
        Relation("city", ("m1", "m2")),
        Relation("m1", ("a", "b")),
        Relation("m2", ("c", "d")),
    ]
    first = suppress(counts, relations, 5).cells
    assert first == suppress(counts, list(reversed(relations)), 5).cells
    assert first == {"a", "b", "c", "d"}
