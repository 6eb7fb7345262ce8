"""Names given with ``-s`` that no setting has: a typo of a ``BS_`` setting, or a setting's name not in upper case."""

from __future__ import annotations

import argparse
import difflib
from collections.abc import Collection

from scrapy.exceptions import UsageError
from scrapy.settings import BaseSettings
from scrapy.utils.conf import arglist_to_dict


def unknown_setting_problem(name: str, known: Collection[str]) -> str | None:
    """What is wrong with ``-s NAME=…`` for a name no setting has: a ``BS_`` name the project does not
    have (a typo: the command went on with the default, without a word), or a known name not in upper case.

    Other names may be settings of one's own (read by one's own components), as in any Scrapy project.
    """
    if name in known:
        return None
    upper = name.upper()
    if upper in known:
        return f"-s {name}=…: setting names are upper-case; did you mean {upper}?"
    if not upper.startswith("BS_"):
        return None
    close = difflib.get_close_matches(upper, sorted(k for k in known if k.startswith("BS_")), n=1, cutoff=0.7)
    hint = f"did you mean {close[0]}?" if close else "see the README's Settings table"
    return f"-s {name}=…: no setting of the project has this name; {hint}"


def check_setting_names(settings: BaseSettings, opts: argparse.Namespace, known: Collection[str]) -> None:
    """Raise :class:`UsageError` for the first ``-s`` name no setting has (``known``: the names before ``-s``).

    For the commands that read the settings without running a spider (``runs``, ``report``, ``redisclear``):
    ``redisclear --seen -s BS_REDIS_PREFX=test`` deleted the seen-store of the default prefix.
    """
    try:
        given = arglist_to_dict(getattr(opts, "set", None) or [])
    except ValueError:
        return  # Scrapy's own usage error
    for name in given:
        problem = unknown_setting_problem(name, known)
        if problem:
            raise UsageError(problem)
