"""Registered functions whose settings are written once, in another
function's signature, and given to them through ``__signature__`` (which
spaCy's config validation, ``inspect`` and ``help()`` read): a new version
that adds or changes a setting or two says only that, and the released
signature it extends stays the one written list.
"""
import inspect
from types import SimpleNamespace
from typing import Any, Callable, Dict, Tuple


def bind_settings(func: Callable, args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> SimpleNamespace:
    """``func``'s settings, as its ``__signature__`` names them, from a call's
    arguments (positional or by name), defaults filled in. An unknown or
    missing setting raises the TypeError a plain call would."""
    bound = inspect.signature(func).bind(*args, **kwargs)
    bound.apply_defaults()
    return SimpleNamespace(**bound.arguments)


def setting(name: str, annotation: Any, default: Any = inspect.Parameter.empty) -> inspect.Parameter:
    """One setting for a composed signature (passed by position or name)."""
    return inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=default, annotation=annotation)
