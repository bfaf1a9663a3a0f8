"""Checkers for the lessons' exercises, one module per lesson, and the policy they share.

A checker takes the learner's answer (usually a function), tries it on cases chosen so that the
usual slips show, and either prints ``Correct! ...`` and returns ``None``, or raises
:class:`ExerciseFailed` whose message says what is wrong (a wrong shape, a wrong order, an
off-by-one) without giving the answer away. An unattempted exercise (its stub still raises
``NotImplementedError``) raises :class:`ExerciseNotAttempted`. In a notebook both show as one
short ``Not yet: ...`` line, with no traceback through the checker's code.

The shared policy, used by every lesson module:

- :func:`attempt` calls the learner's function: an unfilled stub, an exception of any other kind
  and a result of the wrong type each become a ``Not yet`` message naming what happened.
- :func:`as_tensor`, :func:`as_int` and :func:`close` accept an answer whatever its type (torch,
  numpy, a Python number) and dtype (float32 or float64), with a tolerance set by the lower precision.
- :func:`forbid` refuses the shortcut an exercise asks you to rebuild (a torch function under any
  alias, a layer that calls it, or the package's own implementation), the same way in every lesson.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import types
import warnings
from collections.abc import Callable, Iterable
from numbers import Integral, Real
from typing import Any, NoReturn

import numpy as np
import torch
import torch.nn.functional as F
from torch.overrides import TorchFunctionMode

__all__ = [
    "ExerciseFailed",
    "ExerciseNotAttempted",
    "as_int",
    "as_tensor",
    "attempt",
    "close",
    "fail",
    "forbid",
    "max_difference",
    "passed",
]


class _ShortMessage:
    """IPython shows ``_render_traceback_()`` instead of a traceback: just the message."""

    def _render_traceback_(self) -> list[str]:
        return str(self).splitlines() or [type(self).__name__]


class ExerciseFailed(_ShortMessage, AssertionError):
    """The answer is wrong; the message (``Not yet: ...``) says how, without giving the answer."""


class ExerciseNotAttempted(_ShortMessage, NotImplementedError):
    """The exercise's stub still raises ``NotImplementedError``."""


#: What a check says while the exercise's stub still raises ``NotImplementedError``.
NOT_ATTEMPTED = (
    "This exercise is not done yet: replace `raise NotImplementedError` in the cell above with your code, "
    "run that cell, then run this check again"
)


def passed(message: str) -> None:
    """Print a friendly verdict for a correct answer (and return nothing, so no stray ``True``)."""
    print(f"Correct! {message}")


def fail(message: str) -> NoReturn:
    """Reject an answer with a message that says what is wrong."""
    raise ExerciseFailed(f"Not yet: {message}")


# --- calling the learner's code ---------------------------------------------------------------------


def _type_name(value: object) -> str:
    kind = type(value)
    module = kind.__module__
    if module == "builtins":
        return kind.__name__
    if module.startswith("torch.nn."):  # torch.nn.modules.linear.Linear -> torch.nn.Linear
        return f"torch.nn.{kind.__name__}"
    return f"{module.split('.')[0]}.{kind.__name__}"


def a_type(value: object) -> str:
    """The value's type with its article, as a message says it: "an int", "a list", "None"."""
    if value is None:
        return "None"
    return _with_article(_type_name(value))


def _expected_name(expected: type | tuple[type, ...]) -> str:
    kinds = expected if isinstance(expected, tuple) else (expected,)
    names = ["torch.Tensor" if kind is torch.Tensor else kind.__name__ for kind in kinds]
    return " or ".join(names)


def _with_article(name: str) -> str:
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


def _first_line(error: BaseException, limit: int = 200) -> str:
    text = str(error).strip().splitlines()
    line = text[0] if text else ""
    return line if len(line) <= limit else line[: limit - 3] + "..."


def attempt(
    answer: Callable[..., Any],
    *args: Any,
    returns: type | tuple[type, ...] | None = None,
    hint: str | Callable[[Exception], str | None] | None = None,
    **kwargs: Any,
) -> Any:
    """Call the learner's ``answer(*args, **kwargs)`` and return its result.

    - a stub that still raises ``NotImplementedError`` -> :class:`ExerciseNotAttempted`;
    - any other exception -> ``Not yet: your function raised ZeroDivisionError: division by zero``
      (type and message, no traceback), followed by ``hint`` (a sentence, or a function of the error
      returning one or ``None``);
    - ``returns`` given and the result not an instance of it -> a message naming the type received
      and the type expected.
    """
    if not callable(answer):
        fail(f"pass your function itself, not its result (got {a_type(answer)})")
    try:
        with warnings.catch_warnings():  # torch's note on a slip (e.g. float() of a loss) is not the checker's message
            warnings.filterwarnings("ignore", "Converting a tensor with requires_grad=True", UserWarning)
            result = answer(*args, **kwargs)
    except ExerciseFailed:  # e.g. a forbidden shortcut, already explained
        raise
    except NotImplementedError:
        raise ExerciseNotAttempted(NOT_ATTEMPTED) from None
    except Exception as error:  # the learner's bug, named, not a traceback through the checker
        extra = hint(error) if callable(hint) else hint
        message = f"your function raised {type(error).__name__}: {_first_line(error)}"
        fail(f"{message.rstrip('.')}. {extra}" if extra else message)
    if returns is not None and not isinstance(result, returns):
        fail(f"your function returned {a_type(result)}; return {_with_article(_expected_name(returns))}")
    return result


# --- values of any type -----------------------------------------------------------------------------


def as_tensor(value: object, what: str = "your answer") -> torch.Tensor:
    """``value`` (a torch tensor, numpy array or scalar, Python number, or nested list) as a tensor.

    Other types raise :class:`ExerciseFailed` naming the type received.
    """
    if isinstance(value, torch.Tensor):
        return value.detach()
    if isinstance(value, (np.ndarray, np.generic, Real, list, tuple)) and not isinstance(value, (bool, np.bool_)):
        try:
            return torch.as_tensor(np.asarray(value))
        except (TypeError, ValueError, RuntimeError):
            pass
    fail(f"{what} is {a_type(value)}; return a torch.Tensor (a numpy array or a number also works)")


def as_int(value: object, what: str = "your answer", *, integral_floats: bool = False) -> int:
    """``value`` as an ``int``: accepts ``int``, numpy integers and one-element integer tensors or
    arrays; floats (``2.0``) only with ``integral_floats=True`` and only when whole."""
    one_number = (isinstance(value, torch.Tensor) and value.numel() == 1) or (
        isinstance(value, np.ndarray) and value.size == 1
    )
    if one_number or isinstance(value, np.generic):
        value = value.item()  # type: ignore[union-attr]
    elif isinstance(value, (torch.Tensor, np.ndarray)):
        fail(f"{what} is {a_type(value)} of shape {tuple(value.shape)}; return one whole number (an int)")
    if isinstance(value, bool):
        fail(f"{what} is a bool ({value!r}); return a whole number (an int)")
    if isinstance(value, Integral):
        return int(value)
    if isinstance(value, float):
        if integral_floats and value.is_integer():
            return int(value)
        hint = " (use // rather than /, or int(...))" if value.is_integer() else ""
        fail(f"{what} is the float {value!r}; return a whole number (an int){hint}")
    fail(f"{what} is {a_type(value)} ({value!r:.60}); return a whole number (an int)")


def _tolerance(*dtypes: torch.dtype) -> tuple[float, float]:
    """``(rtol, atol)`` for comparing in float64: set by the least precise floating dtype."""
    floats = [dtype for dtype in dtypes if dtype.is_floating_point or dtype.is_complex]
    if not floats or all(dtype in (torch.float64, torch.complex128) for dtype in floats):
        return 1e-7, 1e-9
    if any(dtype in (torch.float16, torch.bfloat16) for dtype in floats):
        return 1e-2, 1e-3
    return 1e-4, 1e-5  # float32


def max_difference(answer: object, expected: torch.Tensor) -> float:
    """The largest absolute difference, in float64 (``inf`` if the shapes differ)."""
    mine = as_tensor(answer)
    if tuple(mine.shape) != tuple(expected.shape):
        return float("inf")
    if mine.numel() == 0:
        return 0.0
    return (mine.to(torch.float64) - expected.detach().to(torch.float64)).abs().max().item()


def close(answer: object, expected: torch.Tensor, *, rtol: float | None = None, atol: float | None = None) -> bool:
    """Same shape and values, compared in float64 with a tolerance set by the lower precision.

    A float64 answer against a float32 reference passes if it is right to float32 precision;
    integer and bool tensors must match exactly. ``answer`` may be any type :func:`as_tensor` takes.
    """
    try:
        mine = as_tensor(answer)
    except ExerciseFailed:
        return False
    expected = expected.detach()
    if tuple(mine.shape) != tuple(expected.shape):
        return False
    default_rtol, default_atol = _tolerance(mine.dtype, expected.dtype)
    rtol = default_rtol if rtol is None else rtol
    atol = default_atol if atol is None else atol
    if mine.dtype.is_complex or expected.dtype.is_complex:
        return False
    return torch.allclose(mine.to(torch.float64), expected.to(torch.float64), rtol=rtol, atol=atol, equal_nan=False)


# --- forbidden shortcuts --------------------------------------------------------------------------------

#: Every alias under which a torch function can be reached: the public function, its C binding,
#: and the aten operators it dispatches to (``torch.ops.aten.gelu`` included).
_TORCH_ALIASES: dict[Callable[..., Any], tuple[Any, ...]] = {
    F.gelu: (torch._C._nn.gelu, "aten::gelu"),
    F.layer_norm: (torch.layer_norm, torch.native_layer_norm, "aten::layer_norm", "aten::native_layer_norm"),
    F.group_norm: (torch.group_norm, torch.native_group_norm, "aten::group_norm", "aten::native_group_norm"),
    F.instance_norm: (torch.instance_norm, "aten::instance_norm"),
    F.scaled_dot_product_attention: (
        torch._C._nn.scaled_dot_product_attention,
        "aten::scaled_dot_product_attention",
        "aten::_scaled_dot_product_attention_math",
        "aten::_scaled_dot_product_flash_attention_for_cpu",
    ),
    F.multi_head_attention_forward: (),
    F.unfold: (torch._C._nn.im2col, "aten::im2col"),
    F.fold: (torch._C._nn.col2im, "aten::col2im"),
    torch.autograd.grad: (),
    torch.autograd.backward: (torch.Tensor.backward,),
}


def _display_name(target: object) -> str:
    if isinstance(target, str):
        return target
    module = getattr(target, "__module__", None) or ""
    name = getattr(target, "__qualname__", None) or getattr(target, "__name__", repr(target))
    if module.startswith("torch.nn.functional") or module == "torch._C._nn":
        return f"torch.nn.functional.{getattr(target, '__name__', name)}"
    return f"{module}.{name}" if module else name


def _op_name(func: object) -> str | None:
    """``aten::gelu`` for ``torch.ops.aten.gelu`` and ``torch.ops.aten.gelu.default``."""
    if isinstance(func, torch._ops.OpOverload):
        return func._schema.name
    if isinstance(func, torch._ops.OpOverloadPacket):
        return func._qualified_op_name
    return None


def _code_objects(target: object) -> list[types.CodeType]:
    """The Python code a target runs: a function's, a method's, or a class's own methods'."""
    if isinstance(target, type):
        members = (getattr(value, "__func__", value) for value in vars(target).values())
        return [member.__code__ for member in members if isinstance(member, types.FunctionType)]
    function = getattr(target, "__func__", target)
    code = getattr(function, "__code__", None)
    return [code] if isinstance(code, types.CodeType) else []


def _module_directory(name: str) -> str | None:
    spec = importlib.util.find_spec(name)
    if spec is None:
        return None
    if spec.submodule_search_locations:
        return os.path.join(next(iter(spec.submodule_search_locations)), "")
    return spec.origin


class forbid:  # used like a function: ``with forbid(F.gelu, reason="the GELU"):``
    """Refuse, while the ``with`` block runs, every call to ``targets``: the shortcut an exercise
    asks the learner to build ``reason`` without.

    A target is a torch function (caught with a :class:`~torch.overrides.TorchFunctionMode` under
    every alias: ``F.gelu``, ``torch._C._nn.gelu``, ``nn.GELU``, ``torch.ops.aten.gelu``), a Python
    function, method or class (the package's own implementations; caught by a profiler on their code
    objects, however they were imported), or a module name such as ``"einops"`` (any of its code).
    Only the learner's call should run inside the block; the checker's reference computations stay
    outside. On leaving the block after a forbidden call (even one the learner caught), it raises
    ``Not yet: this exercise asks you to build <reason> yourself; your function called <name>``.
    """

    def __init__(self, *targets: object, reason: str) -> None:
        self.reason = reason
        self._functions: dict[object, str] = {}
        self._ops: dict[str, str] = {}
        self._codes: dict[types.CodeType, str] = {}
        self._directories: dict[str, str] = {}
        for target in targets:
            self._add(target)
        self._called: str | None = None
        self._previous_profile: Any = None
        self._mode: TorchFunctionMode | None = None

    def _add(self, target: object) -> None:
        name = _display_name(target)
        if isinstance(target, str):
            directory = _module_directory(target)
            if directory is None:
                return  # not installed: nothing to call
            self._directories[directory] = target
            return
        self._functions[target] = name
        for alias in _TORCH_ALIASES.get(target, ()):  # type: ignore[call-overload]
            if isinstance(alias, str):
                self._ops[alias] = name
            else:
                self._functions[alias] = name
                for code in _code_objects(alias):
                    self._codes[code] = name
        for code in _code_objects(target):
            self._codes.setdefault(code, name)

    # -- what counts as a forbidden call
    def _match_function(self, func: object) -> str | None:
        try:
            if func in self._functions:
                return self._functions[func]
        except TypeError:  # unhashable
            return None
        op = _op_name(func)
        return self._ops.get(op) if op is not None else None

    def _match_code(self, frame: types.FrameType) -> str | None:
        code = frame.f_code
        if code in self._codes:
            return self._codes[code]
        for directory, module in self._directories.items():
            if code.co_filename.startswith(directory):
                where = frame.f_globals.get("__name__", module)
                public = getattr(sys.modules.get(module), code.co_qualname, None)  # einops.rearrange
                return f"{module if getattr(public, '__code__', None) is code else where}.{code.co_qualname}"
        return None

    def _record(self, name: str) -> None:
        if self._called is None:
            self._called = name

    # -- the two watchers
    def _profile(self, frame: types.FrameType, event: str, arg: Any) -> None:
        if event == "call":
            name = self._match_code(frame)
        elif event == "c_call":
            name = self._match_function(arg)
        else:
            name = None
        if name is not None:
            self._record(name)
        if self._previous_profile is not None:
            self._previous_profile(frame, event, arg)

    def _torch_mode(self) -> TorchFunctionMode:
        watcher = self

        class _Refuse(TorchFunctionMode):
            def __torch_function__(self, func, types_, args=(), kwargs=None):  # type: ignore[no-untyped-def]
                name = watcher._match_function(func)
                if name is not None:
                    watcher._record(name)
                    raise watcher._error()
                return func(*args, **(kwargs or {}))

        return _Refuse()

    def _error(self) -> ExerciseFailed:
        return ExerciseFailed(
            f"Not yet: this exercise asks you to build {self.reason} yourself; your function called {self._called}"
        )

    def __enter__(self) -> forbid:
        self._called = None
        self._previous_profile = sys.getprofile()
        self._mode = self._torch_mode()
        self._mode.__enter__()
        sys.setprofile(self._profile)
        return self

    def __exit__(self, kind: object, error: object, traceback: object) -> None:
        sys.setprofile(self._previous_profile)
        self._previous_profile = None
        if self._mode is not None:
            self._mode.__exit__(None, None, None)
            self._mode = None
        if self._called is not None:
            raise self._error() from None

    def __call__(self, answer: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``attempt(answer, *args, **kwargs)`` with the shortcut refused."""
        with self:
            return attempt(answer, *args, **kwargs)

    @property
    def names(self) -> Iterable[str]:
        """The names this refuses, for messages and tests."""
        return sorted({*self._functions.values(), *self._codes.values(), *self._directories.values()})
