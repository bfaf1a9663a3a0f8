"""Checkers for the lessons' exercises, one module per lesson.

A checker takes the learner's answer (usually a function), tries it, and either prints a
friendly "correct" verdict and returns ``True``, or raises :class:`ExerciseFailed` whose
message says what is wrong (a wrong shape, a wrong order, an off-by-one) without giving the
answer away. An unattempted exercise (its stub raises ``NotImplementedError``) raises
:class:`ExerciseNotAttempted`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn


class ExerciseFailed(AssertionError):
    """The answer is wrong; the message says how, without giving the answer."""


class ExerciseNotAttempted(NotImplementedError):
    """The exercise's stub still raises ``NotImplementedError``."""


def passed(message: str) -> bool:
    """Print a friendly verdict for a correct answer and return ``True``."""
    print(f"Correct! {message}")
    return True


def fail(message: str) -> NoReturn:
    """Reject an answer with a message that says what is wrong."""
    raise ExerciseFailed(f"Not yet: {message}")


def attempt(answer: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call the learner's function; turn an unfilled stub into a friendly message."""
    if not callable(answer):
        raise TypeError(f"pass your function itself, not its result (got {type(answer).__name__})")
    try:
        return answer(*args, **kwargs)
    except NotImplementedError:
        raise ExerciseNotAttempted(
            "this exercise is not done yet: replace `raise NotImplementedError` in the cell above "
            "with your code, run that cell, then run this check again"
        ) from None
