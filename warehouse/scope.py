"""Row-level scope: the accounts a signed-in user may see, applied to every query in one place (BaseReader).

A customer-success manager can be scoped to the accounts whose csm_owner they are (docs/security.md). The scope is
not a filter the user chooses: it is set per request by the sign-in gate (dashapp/auth) from the signed-in user,
held in a context variable, and bound by the reader to every query as :scope_csm_owner (NULL: every account). The
SQL applies it in sql/snippets/customer_in_view.sql (customers joined as `dims`) and
sql/snippets/customers_in_scope.sql (queries of one account or a list of accounts); a query that takes no
:scope_csm_owner is refused while a scope is set, unless it is one of GLOBAL_QUERIES (no account's data in it).

Fail closed: a server with sign-in on calls require_scope(); from then on a query run where no scope was set (a
thread that did not inherit the request's context) raises ScopeError instead of reading every account.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass

SCOPE_PARAMETER = "scope_csm_owner"
# Queries without any account's data: they may run under a scope without applying it.
GLOBAL_QUERIES = frozenset({
    "filters/date_bounds",        # the first and last activity dates: the range "All time" means
    "glossary/categories",        # the definitions' categories
    "loads/load_history",         # the loads (files, row counts), shown to admins
    "usage/feature_list",         # the product's feature names
    "churn/model_as_of",          # the churn model's reference date
    "churn/churn_calibration",    # the churn model's quality, over the whole training set (no account shown)
    "churn/churn_evaluation",
    "churn/features_at_cutoff",   # the churn model's training data: read by the load, never by a user
})


class ScopeError(RuntimeError):
    """A query would run without the account scope it needs."""


@dataclass(frozen=True)
class Scope:
    csm_owner: str | None = None     # the accounts whose csm_owner this is; None: every account

    @property
    def restricted(self) -> bool:
        return self.csm_owner is not None

    def key(self) -> str:
        """For caches of results computed from scoped queries (clusterings, team profiles)."""
        return "all" if self.csm_owner is None else f"csm={self.csm_owner}"


ALL = Scope()
_current: ContextVar[Scope | None] = ContextVar("customer_insight_scope", default=None)
_required = False


def require_scope(on: bool = True) -> None:
    """From now on, in this process, a query needs a scope set (the server with sign-in on)."""
    global _required
    _required = on


def set_scope(scope: Scope) -> Token:
    return _current.set(scope)


def reset_scope(token: Token) -> None:
    _current.reset(token)


@contextmanager
def scoped(scope: Scope) -> Iterator[None]:
    token = _current.set(scope)
    try:
        yield
    finally:
        _current.reset(token)


def current_scope() -> Scope:
    """The scope of this request or job; every account when none was set and none is required."""
    scope = _current.get()
    if scope is None:
        if _required:
            raise ScopeError("no account scope was set for this query (sign-in is on): refused rather than reading "
                             "every account")
        return ALL
    return scope
