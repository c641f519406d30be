"""What an outcome found, as the mission page, the TRM page and the TRM pack list it: one phrase a
kind of find, only the kinds found, in the order of the outcome form."""

from decimal import Decimal

from django.template.loader import render_to_string

from tasking.models import Outcome


def test_each_kind_found_is_one_phrase_in_the_form_order():
    outcome = Outcome(
        arrests=2, firearms=1, ammunition_rounds=20, knives_weapons=3,
        drugs_class_a_grams=Decimal("12.50"), drugs_class_b_grams=Decimal("3.00"),
        drugs_class_c_grams=Decimal("0.25"), cash_gbp=Decimal("1520.00"), vehicles=1, other_finds="Scales",
    )  # fmt: skip

    assert outcome.finds == [
        "2 arrests", "1 firearm", "20 rounds", "3 knives/weapons", "Class A 12.50 g", "Class B 3 g",
        "Class C 0.25 g", "£1520 cash", "1 vehicle/parts", "Scales",
    ]  # fmt: skip


def test_single_and_several_are_worded_apart_and_nothing_found_lists_nothing():
    assert Outcome(arrests=1, firearms=2, vehicles=2, cash_gbp=Decimal("99.49")).finds == [
        "1 arrest", "2 firearms", "£99.49 cash", "2 vehicles/parts",
    ]  # fmt: skip
    assert Outcome().finds == []
    assert Outcome(other_finds="  ").finds == []  # blank, as the outcome's has_finds reads it


def test_the_list_is_rendered_escaped():
    html = render_to_string("tasking/_finds.html", {"outcome": Outcome(arrests=1, other_finds="<b>bags</b>")})

    assert html.strip() == '<ul class="finds"><li>1 arrest</li><li>&lt;b&gt;bags&lt;/b&gt;</li></ul>'
