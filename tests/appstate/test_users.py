"""Users in the app-state database: names unique case-insensitively, argon2 hashes (never the password), the
lock-out after N wrong passwords (driven by the `now` parameter, no sleeping), disabled accounts, rehashing, and the
guard rails the command line and the admin page share (the last enabled admin, no admin disabling or demoting
themselves), the changes that end a user's sessions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, update

from appstate.db import AppStore
from appstate.tables import users
from appstate.users import (
    Failure,
    UserError,
    authenticate,
    count_users,
    create_user,
    generate_password,
    get_user,
    list_users,
    revoke_sessions,
    set_disabled,
    set_password,
    set_role,
    set_scope,
    unlock,
)

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def stored_hash(store: AppStore, name: str) -> str:
    with store.engine.begin() as conn:
        return conn.execute(select(users.c.password_hash).where(users.c.username == name)).scalar_one()


def login(store, name, password, now=T0):
    return authenticate(store, name, password, max_failures=3, lock_minutes=15, now=now)


def test_names_are_unique_whatever_their_case_and_the_password_is_only_hashed(store):
    made = create_user(store, "  Ann.Lee@Corp ", "correct horse", role="analyst", display_name="Ann Lee", now=T0)
    assert (made.username, made.display_name, made.role, made.csm_scope) == ("ann.lee@corp", "Ann Lee", "analyst",
                                                                            None)
    assert made.created_at == T0 and made.failed_logins == 0 and not made.disabled
    assert get_user(store, "ANN.LEE@corp") == made
    with pytest.raises(UserError, match="'ann.lee@corp' exists already"):
        create_user(store, "ann.LEE@corp", "another one")
    hashed = stored_hash(store, "ann.lee@corp")
    assert hashed.startswith("$argon2id$") and "correct horse" not in hashed
    assert "correct horse" not in repr(made) and "argon2" not in repr(made)  # a User carries no hash
    assert count_users(store) == 1


@pytest.mark.parametrize(("name", "password", "role", "message"), [
    ("", "long enough", "viewer", "a username is"),
    ("ann lee", "long enough", "viewer", "a username is"),
    ("-ann", "long enough", "viewer", "a username is"),
    ("ann", "short", "viewer", "at least 8 characters"),
    ("ann", "x" * 1025, "viewer", "at most 1024"),
    ("ann", "long enough", "boss", "role must be one of viewer, analyst, admin"),
])
def test_bad_users_are_refused_with_a_reason(store, name, password, role, message):
    with pytest.raises(UserError, match=message):
        create_user(store, name, password, role=role)
    assert list_users(store) == []


def test_the_right_password_signs_in_and_a_wrong_one_or_unknown_name_does_not(store):
    create_user(store, "ann", "correct horse")
    user, failure = login(store, "ANN", "correct horse", now=T0)
    assert failure is None and user.username == "ann" and user.last_login_at == T0
    assert login(store, "ann", "Correct horse")[1] is Failure.PASSWORD
    assert login(store, "bob", "correct horse") == (None, Failure.UNKNOWN)
    assert login(store, "ann", "")[1] is Failure.PASSWORD


def test_n_wrong_passwords_lock_the_account_for_m_minutes_even_for_the_right_password(store):
    create_user(store, "ann", "correct horse")
    for attempt in range(1, 3):
        user, failure = login(store, "ann", "guess", now=T0 + timedelta(seconds=attempt))
        assert failure is Failure.PASSWORD and user.failed_logins == attempt and user.locked_until is None
    user, failure = login(store, "ann", "guess", now=T0 + timedelta(seconds=3))  # the 3rd: locked for 15 minutes
    assert failure is Failure.PASSWORD and user.locked_until == T0 + timedelta(seconds=3, minutes=15)
    assert login(store, "ann", "correct horse", now=T0 + timedelta(minutes=15))[1] is Failure.LOCKED
    assert login(store, "ann", "correct horse", now=T0 + timedelta(minutes=15, seconds=2))[1] is Failure.LOCKED
    user, failure = login(store, "ann", "correct horse", now=T0 + timedelta(minutes=15, seconds=4))
    assert failure is None and user.failed_logins == 0 and user.locked_until is None


def test_a_success_resets_the_count_of_wrong_passwords(store):
    create_user(store, "ann", "correct horse")
    for _ in range(2):
        login(store, "ann", "guess")
    assert login(store, "ann", "correct horse")[1] is None
    for _ in range(2):
        login(store, "ann", "guess")
    assert login(store, "ann", "correct horse")[1] is None  # 2 + 2 wrong ones, never 3 in a row: not locked


def test_a_disabled_account_cannot_sign_in_until_enabled_and_its_sessions_end(store):
    epoch = create_user(store, "ann", "correct horse").session_epoch
    disabled = set_disabled(store, "ann", True)
    assert disabled.disabled and disabled.session_epoch == epoch + 1
    assert login(store, "ann", "correct horse")[1] is Failure.DISABLED
    assert login(store, "ann", "correct horse")[0].failed_logins == 0  # not counted as a wrong password
    assert not set_disabled(store, "ann", False).disabled
    assert login(store, "ann", "correct horse")[1] is None


def test_enabling_or_a_new_password_lifts_a_lock_out(store):
    create_user(store, "ann", "correct horse")
    for _ in range(3):
        login(store, "ann", "guess")
    assert login(store, "ann", "correct horse")[1] is Failure.LOCKED
    set_disabled(store, "ann", False)
    assert login(store, "ann", "correct horse")[1] is None
    for _ in range(3):
        login(store, "ann", "guess")
    before = get_user(store, "ann").session_epoch
    assert set_password(store, "ann", "battery staple").session_epoch == before + 1
    assert login(store, "ann", "battery staple")[1] is None
    assert login(store, "ann", "correct horse")[1] is Failure.PASSWORD


def test_role_scope_and_session_changes(store):
    ann = create_user(store, "ann", "correct horse", csm_scope=" Jane Doe ")
    assert ann.csm_scope == "Jane Doe" and ann.role == "viewer"
    assert not ann.can("analyst") and ann.can("viewer")
    promoted = set_role(store, "ANN", "admin")
    assert promoted.can("analyst") and promoted.session_epoch == ann.session_epoch + 1  # her open pages end
    assert set_role(store, "ann", "admin").session_epoch == ann.session_epoch + 1  # the same role: nothing ends
    assert set_scope(store, "ann", None).csm_scope is None
    assert set_scope(store, "ann", "  ").session_epoch == ann.session_epoch + 2  # still every account: no change
    revoke_sessions(store, ann.id)
    assert get_user(store, "ann").session_epoch == ann.session_epoch + 3
    for change in (lambda: set_role(store, "bob", "admin"), lambda: set_scope(store, "bob", "x"),
                   lambda: set_disabled(store, "bob", True), lambda: set_password(store, "bob", "long enough")):
        with pytest.raises(UserError, match="no user named 'bob'"):
            change()
    with pytest.raises(UserError, match="role must be"):
        set_role(store, "ann", "root")


def test_the_last_enabled_admin_can_be_neither_disabled_nor_demoted(store):
    create_user(store, "ada", "correct horse", role="admin")
    create_user(store, "vic", "correct horse")
    for change in (lambda: set_disabled(store, "ada", True), lambda: set_role(store, "ada", "analyst")):
        with pytest.raises(UserError, match="ada is the only enabled admin and cannot be (disabled|made an analyst): "
                                            "make another user an admin first"):
            change()
    assert (get_user(store, "ada").role, get_user(store, "ada").disabled) == ("admin", False)
    assert set_disabled(store, "vic", True).disabled  # others: as before
    set_role(store, "vic", "admin")  # a disabled admin does not count: ada is still the only enabled one
    with pytest.raises(UserError, match="only enabled admin"):
        set_role(store, "ada", "viewer")
    set_disabled(store, "vic", False)  # now two enabled admins: one of them may go
    assert set_role(store, "ada", "viewer").role == "viewer"
    with pytest.raises(UserError, match="vic is the only enabled admin and cannot be made a viewer"):
        set_role(store, "vic", "viewer")
    assert set_disabled(store, "ada", True).disabled  # not an admin any more


def test_an_admin_can_neither_disable_nor_demote_themselves(store):
    create_user(store, "ada", "correct horse", role="admin")
    create_user(store, "bea", "correct horse", role="admin")
    with pytest.raises(UserError, match="you cannot disable your own account"):
        set_disabled(store, "ada", True, by="ADA")
    with pytest.raises(UserError, match="you cannot take the admin role from yourself"):
        set_role(store, "ada", "viewer", by="ada")
    assert set_role(store, "ada", "admin", by="ada").role == "admin"  # no change is no demotion
    assert set_role(store, "ada", "viewer", by="bea").role == "viewer"  # another admin can
    assert set_disabled(store, "ada", True, by="bea").disabled


def test_unlock_lifts_a_lock_out_and_generated_passwords_are_long_and_random(store):
    create_user(store, "ann", "correct horse")
    for _ in range(3):
        login(store, "ann", "guess")
    assert login(store, "ann", "correct horse")[1] is Failure.LOCKED
    epoch = get_user(store, "ann").session_epoch
    unlocked = unlock(store, "ann")
    assert (unlocked.failed_logins, unlocked.locked_until, unlocked.session_epoch) == (0, None, epoch)
    assert login(store, "ann", "correct horse")[1] is None
    with pytest.raises(UserError, match="no user named 'bob'"):
        unlock(store, "bob")
    made = [generate_password() for _ in range(50)]
    assert len(set(made)) == 50
    assert all(len(p) == 19 and [len(g) for g in p.split("-")] == [4, 4, 4, 4] for p in made)
    assert not set("".join(made)) & set("0O1lI")  # no look-alikes
    set_password(store, "ann", made[0])
    assert login(store, "ann", made[0])[1] is None


def test_a_hash_made_with_older_parameters_is_replaced_at_the_next_sign_in(store):
    create_user(store, "ann", "correct horse")
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash("correct horse")
    with store.engine.begin() as conn:
        conn.execute(update(users).where(users.c.username == "ann").values(password_hash=weak))
    assert login(store, "ann", "Correct horse")[1] is Failure.PASSWORD
    assert stored_hash(store, "ann") == weak  # a wrong password changes nothing
    assert login(store, "ann", "correct horse")[1] is None
    renewed = stored_hash(store, "ann")
    assert renewed != weak and "m=65536,t=3,p=4" in renewed  # argon2-cffi 25's default parameters
    assert login(store, "ann", "correct horse")[1] is None


def test_users_lock_out_and_the_audit_log_on_a_postgresql_app_database(pg_database):
    from appstate import audit

    store = AppStore(pg_database("appstate_users"))
    create_user(store, "Ann", "correct horse", role="analyst")
    with pytest.raises(UserError, match="exists already"):
        create_user(store, "ANN", "correct horse")
    for second in range(3):
        login(store, "ann", "guess", now=T0 + timedelta(seconds=second))
    assert login(store, "ann", "correct horse", now=T0 + timedelta(minutes=15))[1] is Failure.LOCKED
    assert login(store, "ann", "correct horse", now=T0 + timedelta(minutes=15, seconds=3))[1] is None
    audit.record(store, "signin", username="ann", remote_addr="10.0.0.1", now=T0)
    audit.record(store, "schedule.add", username="ann", detail="x", now=T0 + timedelta(seconds=1))
    assert [(e.action, e.at) for e in audit.list_entries(store, action="schedule")] == [
        ("schedule.add", T0 + timedelta(seconds=1))]
    assert "".join(audit.csv_chunks(store)).count("\n") == 3
    create_user(store, "ada", "correct horse", role="admin")  # the guard rails' row locks (FOR UPDATE) on PostgreSQL
    with pytest.raises(UserError, match="ada is the only enabled admin"):
        set_disabled(store, "ada", True)
    assert set_role(store, "ann", "admin").role == "admin" and set_disabled(store, "ada", True).disabled
    store.close()
