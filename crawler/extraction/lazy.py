"""``cached_property`` for the page objects: the standard one, without the lock Python 3.11 takes on every first read."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

T = TypeVar("T")

if TYPE_CHECKING or sys.version_info < (3, 12):

    class cached_property(Generic[T]):  # noqa: N801 - a drop-in for functools.cached_property
        """Computed on first read, then kept in the instance's ``__dict__`` (which then wins).

        ``functools.cached_property`` before Python 3.12 serialises every first read through one
        lock per property (dropped in 3.12 as a design error); a page object is read by one thread,
        and it reads dozens of these per page.
        """

        def __init__(self, func: Callable[[Any], T]) -> None:
            self.func = func
            self.name = func.__name__
            self.__doc__ = func.__doc__

        def __set_name__(self, owner: type, name: str) -> None:
            self.name = name

        @overload
        def __get__(self, instance: None, owner: type | None = None) -> cached_property[T]: ...

        @overload
        def __get__(self, instance: object, owner: type | None = None) -> T: ...

        def __get__(self, instance: object | None, owner: type | None = None) -> T | cached_property[T]:
            if instance is None:
                return self
            value = self.func(instance)
            instance.__dict__[self.name] = value
            return value

else:  # pragma: no cover - Python 3.12+
    from functools import cached_property
