"""The list of equivalent Python mutants (``mutants-equivalent.txt``, read by
``make mutants-py``) stays true to the code: every entry names a mutation that the mutant
generator still makes at that line of that module, with a reason."""

from __future__ import annotations

from mutants import EQUIVALENT, TARGETS, mutants, source_of


def test_every_listed_equivalent_mutant_exists() -> None:
    entries = [
        line for line in EQUIVALENT.read_text().splitlines() if line.strip() and line[0] != "#"
    ]
    made: dict[str, set[tuple[int, str]]] = {}
    for entry in entries:
        place, describe, reason = (part.strip() for part in entry.split("|", 2))
        module, number = place.rsplit(":", 1)
        assert module in TARGETS and len(reason) > 20, entry
        if module not in made:
            source = source_of(module).read_text()
            made[module] = {(line, text) for line, text, _ in mutants(source)}
        assert (int(number), describe) in made[module], f"no longer made: {entry}"


def test_the_generator_makes_each_kind_of_mutant() -> None:
    source = "def f(a, b):\n    if a == b and not a:\n        return True\n    return 3\n"
    kinds = {describe for _, describe, _ in mutants(source)}
    assert kinds == {
        "Eq -> NotEq", "And -> Or", "not dropped", "condition negated", "True -> False", "3 -> 4"
    }  # fmt: skip
