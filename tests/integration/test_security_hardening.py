"""Issue 19: the findings of the external security review, one or more tests each.

Each test failed before its fix. They are grouped by the review's finding number.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.utils import timezone

from tests.conftest import FIXTURE_CONTENT, ROOT

pytestmark = pytest.mark.django_db

GUIDE = "/interactions/natalizumab-and-ocrelizumab/"
TOPIC = "/topics/natalizumab-highly-active-rrms/"


# --- 8: guide page blanked by content ---------------------------------------------------------

HOSTILE_TEXT = '<!--<script> "quoted" & </script> line\u2028separator\u2029end'


def _set_patient_management(checker, text: str) -> None:
    from medref.knowledge.models import Interaction, KnowledgeBaseState

    updated = Interaction.objects.filter(
        a_ingredient__slug__in=["natalizumab", "ocrelizumab"],
        b_ingredient__slug__in=["natalizumab", "ocrelizumab"],
    ).update(patient_management=text)
    assert updated
    KnowledgeBaseState.bump()
    checker.reset()


def test_json_ld_escapes_markup_and_line_separators_from_content(client, checker):
    _set_patient_management(checker, HOSTILE_TEXT)

    html = client.get(GUIDE).content.decode()

    opening = '<script type="application/ld+json">'
    block = html.split(opening, 1)[1].split("</script>", 1)[0]
    for raw in ("<", ">", "&", "\u2028", "\u2029"):
        assert raw not in block
    faq = next(n for n in json.loads(block)["@graph"] if n["@type"] == "FAQPage")
    assert any(HOSTILE_TEXT in q["acceptedAnswer"]["text"] for q in faq["mainEntity"])
    # Nothing in the block can swallow the rest of the page: the body follows it intact.
    assert html.count(opening) == 1 and '<main id="main"' in html.split(block, 1)[1]


def test_escape_script_data_round_trips_through_json():
    from medref.guides.pages import escape_script_data

    text = json.dumps({"t": HOSTILE_TEXT}, ensure_ascii=False)

    escaped = escape_script_data(text)

    assert re.search(r"[<>&\u2028\u2029]", escaped) is None
    assert json.loads(escaped) == {"t": HOSTILE_TEXT}


# --- 6: slow requests ---------------------------------------------------------------------------


@pytest.fixture
def count_name_lookups(monkeypatch):
    """How many times the guide views fall back to name resolution."""
    from medref.guides import views

    calls = []
    real = views._one_ingredient

    def counting(index, text):
        calls.append(text)
        return real(index, text)

    monkeypatch.setattr(views, "_one_ingredient", counting)
    return calls


def test_pair_address_of_many_words_is_refused_without_name_lookups(
    client, checker, count_name_lookups
):
    path = "/interactions/" + "-and-".join(["ab"] * 571) + "/"  # the review's 4 KB address

    response = client.get(path)

    assert response.status_code == 404
    assert count_name_lookups == []


def test_pair_address_with_too_many_separators_is_refused_without_name_lookups(
    client, checker, count_name_lookups
):
    path = "/interactions/" + "-and-".join(["a"] * 30) + "/"  # short, but 29 possible cuts

    response = client.get(path)

    assert response.status_code == 404
    assert count_name_lookups == []


def test_pair_address_may_hold_and_inside_a_name(checker):
    from medref.guides.views import _pair_cuts

    cuts = _pair_cuts("measles-mumps-and-rubella-vaccine-live-and-prednisolone")

    assert cuts == [13, 38]


def test_search_words_are_distinct_and_capped():
    from medref.reference.search import MAX_WORDS, search_words

    assert search_words("a " * 12) == ["a"]
    assert search_words("Warfarin warfarin WARFARIN aspirin") == ["warfarin", "aspirin"]
    assert len(search_words(" ".join(f"word{n}" for n in range(30)))) == MAX_WORDS


def test_search_of_a_repeated_short_word_asks_the_index_once_without_a_prefix(client, checker):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "sqlite":
        pytest.skip("the FTS5 expression is SQLite's")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/search/", {"q": " ".join(["a"] * 12)})

    assert response.status_code == 200
    fts = [q["sql"] for q in queries if "MATCH" in q["sql"]]
    assert len(fts) == 1
    assert "'\"a\"'" in fts[0] and '"a"*' not in fts[0]


# --- 7: production configuration -----------------------------------------------------------------


def _run(args: list[str], env: dict, timeout: int = 180) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )


def _env(var: Path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "MEDREF_"))}
    env.update({"MEDREF_VAR_DIR": str(var), "DATABASE_URL": "", **extra})
    return env


def _production(var: Path, **extra: str) -> dict:
    settings = {
        "MEDREF_PRODUCTION": "1",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "medref.example.org",
    }
    return _env(var, **{**settings, **extra})


def _said(result: subprocess.CompletedProcess) -> str:
    """stderr with the console's line wrapping undone."""
    return " ".join(result.stderr.split())


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("x", "at least 50"),
        ("ab" * 40, "different characters"),
        ("django-insecure-" + secrets.token_urlsafe(50), "generated for development"),
    ],
)
def test_production_refuses_a_weak_secret_key_with_the_reason(tmp_path, key, reason):
    result = _run(["-m", "medref.cli", "manage", "check"], _production(tmp_path, SECRET_KEY=key))

    assert result.returncode == 2
    assert "SECRET_KEY" in _said(result) and reason in _said(result)
    assert "Traceback" not in result.stderr


_PROTO_PROBE = (
    "import os, django; os.environ['DJANGO_SETTINGS_MODULE']='medref.config.settings'; django.setup()\n"
    "from django.test import Client\n"
    "from django.test.utils import setup_test_environment; setup_test_environment()\n"
    "from django.core.management import call_command; call_command('collectstatic', interactive=False, verbosity=0)\n"
    "c = Client(HTTP_HOST='medref.example.org')\n"
    "print(c.get('/', HTTP_X_FORWARDED_PROTO='https').status_code)\n"
    "print(c.get('/', HTTP_X_FORWARDED_PROTO='https', REMOTE_ADDR='203.0.113.9').status_code)\n"
)


def test_production_ignores_a_forged_forwarded_proto_header(tmp_path):
    result = _run(["-c", _PROTO_PROBE], _production(tmp_path))

    # Plain HTTP claiming to be HTTPS is still redirected to HTTPS.
    assert result.stdout.split() == ["301", "301"], result.stderr[-2000:]


def test_production_believes_forwarded_proto_only_from_a_trusted_proxy(tmp_path):
    env = _production(tmp_path, MEDREF_TRUSTED_PROXIES="127.0.0.1, 10.0.0.0/8")

    result = _run(["-c", _PROTO_PROBE], env)

    # The test client's address is 127.0.0.1 (a proxy); 203.0.113.9 is a direct client.
    assert result.stdout.split() == ["200", "301"], result.stderr[-2000:]


def test_client_address_is_the_last_hop_before_our_proxies():
    from medref.config.proxy import client_from_forwarded_for

    proxies = (ipaddress.ip_network("10.0.0.0/8"),)

    assert client_from_forwarded_for("1.2.3.4, 198.51.100.7, 10.0.0.2", proxies) == "198.51.100.7"
    assert client_from_forwarded_for("198.51.100.7", proxies) == "198.51.100.7"
    assert client_from_forwarded_for("garbage, 10.0.0.2", proxies) is None
    assert client_from_forwarded_for("", proxies) is None


def test_a_bad_trusted_proxies_value_is_a_configuration_error(tmp_path):
    result = _run(
        ["-m", "medref.cli", "manage", "check"], _env(tmp_path, MEDREF_TRUSTED_PROXIES="proxy")
    )

    assert result.returncode == 2 and "MEDREF_TRUSTED_PROXIES" in _said(result)


def test_meter_prune_deletes_only_entries_older_than_the_window(fixture_content, capsys):
    import uuid

    from django.conf import settings
    from django.utils import timezone

    from medref.accounts.models import MeterEntry
    from medref.cli import main

    now = timezone.now()
    days = settings.MEDREF_FREE_PAGES_DAYS
    old = MeterEntry.objects.create(
        visitor=uuid.uuid4(), topic_uid=uuid.uuid4(), first_read_at=now - timedelta(days=days + 1)
    )
    recent = MeterEntry.objects.create(
        visitor=uuid.uuid4(), topic_uid=uuid.uuid4(), first_read_at=now - timedelta(days=days - 1)
    )

    assert main(["meter", "prune", "--dry-run"]) == 0
    assert MeterEntry.objects.count() == 2
    assert main(["meter", "prune"]) == 0

    assert list(MeterEntry.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not MeterEntry.objects.filter(pk=old.pk).exists()
    assert "deleted 1 entries" in capsys.readouterr().out


@pytest.fixture(scope="module")
def site_with_data(tmp_path_factory):
    """A medref database with the fixture content, and a backup of it."""
    var = tmp_path_factory.mktemp("restore-var")
    env = _env(var)
    setup = _run(["-m", "medref.cli", "setup", "--content", str(FIXTURE_CONTENT)], env)
    assert setup.returncode == 0, setup.stderr[-2000:]
    backup_file = var.parent / f"{var.name}-good.sqlite3"
    made = _run(["-m", "medref.cli", "backup", str(backup_file)], env)
    assert made.returncode == 0, made.stderr[-2000:]
    return var, backup_file


def _interactions(var: Path) -> int:
    with closing(sqlite3.connect(var / "medref.sqlite3")) as db:
        return db.execute("SELECT count(*) FROM knowledge_interaction").fetchone()[0]


def test_restore_refuses_a_file_that_only_looks_like_medref(site_with_data, tmp_path):
    var, _ = site_with_data
    before = _interactions(var)
    fake = tmp_path / "fake.sqlite3"
    with closing(sqlite3.connect(fake)) as db:
        db.execute("CREATE TABLE knowledge_interaction (id integer)")
        db.commit()

    result = _run(["-m", "medref.cli", "restore", str(fake), "--force"], _env(var))

    assert result.returncode == 1 and "not a medref database" in _said(result)
    assert _interactions(var) == before > 0


def test_restore_refuses_a_backup_from_a_newer_schema(site_with_data, tmp_path):
    var, good = site_with_data
    newer = tmp_path / "newer.sqlite3"
    shutil.copy(good, newer)
    with closing(sqlite3.connect(newer)) as db:
        db.execute(
            "INSERT INTO django_migrations (app, name, applied) "
            "VALUES ('knowledge', '9999_from_the_future', '2100-01-01')"
        )
        db.commit()

    result = _run(["-m", "medref.cli", "restore", str(newer), "--force"], _env(var))

    assert result.returncode == 1 and "newer medref" in _said(result)


def test_restore_needs_force_only_over_a_database_with_data(site_with_data, tmp_path):
    _, good = site_with_data
    empty = tmp_path / "empty-var"
    migrated = _run(["-m", "medref.cli", "manage", "migrate", "-v0"], _env(empty))
    assert migrated.returncode == 0, migrated.stderr[-2000:]

    into_empty = _run(["-m", "medref.cli", "restore", str(good)], _env(empty))
    over_data = _run(["-m", "medref.cli", "restore", str(good)], _env(empty))

    assert into_empty.returncode == 0, into_empty.stderr[-2000:]
    assert _interactions(empty) > 0 and not (empty / "backups").exists()
    assert over_data.returncode == 1 and "--force" in _said(over_data)


def test_restore_over_data_with_force_backs_the_data_up_first(site_with_data, tmp_path):
    var, good = site_with_data
    emptied = tmp_path / "emptied.sqlite3"
    shutil.copy(good, emptied)
    with closing(sqlite3.connect(emptied)) as db:
        db.execute("DELETE FROM knowledge_interaction")
        db.commit()
    before = _interactions(var)

    refused = _run(["-m", "medref.cli", "restore", str(emptied)], _env(var))

    assert refused.returncode == 1 and "--force" in _said(refused)
    assert _interactions(var) == before > 0

    forced = _run(["-m", "medref.cli", "restore", str(emptied), "--force"], _env(var))

    assert forced.returncode == 0, forced.stderr[-2000:]
    assert _interactions(var) == 0
    (safety,) = (var / "backups").glob("before-restore-*.sqlite3")
    with closing(sqlite3.connect(safety)) as db:
        assert db.execute("SELECT count(*) FROM knowledge_interaction").fetchone()[0] == before
    _run(["-m", "medref.cli", "restore", str(safety), "--force"], _env(var))  # for later tests


def test_too_long_text_is_refused_before_the_database_on_every_backend(client, fixture_content):
    from django.contrib.auth.models import Group, User

    from medref.editorial.models import Revision

    author = User.objects.create_user("w@example.org", "w@example.org", "author-long-pass-1")
    author.groups.add(Group.objects.get_or_create(name="Authors")[0])
    client.force_login(author)

    response = client.post(
        "/editorial/topics/natalizumab-highly-active-rrms/",
        {"body": "New overview.", "change_note": "n" * 501},
    )

    assert response.status_code == 400 and "500" in response.content.decode()
    assert not Revision.objects.filter(change_note__startswith="nnn").exists()


def test_text_length_guard_names_the_model_and_field(fixture_content):
    from django.contrib.auth.models import User

    from medref.accounts.models import Profile
    from medref.config.lengths import FieldTooLong

    user = User.objects.create_user("r@example.org", "r@example.org", "reg-long-pass-1")

    with pytest.raises(FieldTooLong, match="registration number"):
        Profile.objects.create(user=user, profession="doctor", registration_number="9" * 41)


# --- 2: single-use verification and reset links -------------------------------------------------

MEMORY_MAIL = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD = "correct-horse-battery-7"


def _sign_up(client, email="ana@example.org", **extra):
    return client.post(
        "/accounts/signup/",
        {"email": email, "password": PASSWORD, "profession": "pharmacist"},
        **extra,
    )


def _link(message, pattern: str) -> str:
    return re.search(rf"http://testserver({pattern})", message.body).group(1)


@override_settings(EMAIL_BACKEND=MEMORY_MAIL)
def test_verification_link_works_once(client, fixture_content):
    _sign_up(client)
    link = _link(mail.outbox[0], r"/accounts/verify/\S+/")

    first = client.get(link)
    again = client.get(link)

    assert first.status_code == 302
    assert again.status_code == 400


@override_settings(EMAIL_BACKEND=MEMORY_MAIL)
def test_verification_link_does_not_reactivate_an_account_an_administrator_deactivated(
    client, fixture_content, django_user_model
):
    _sign_up(client)
    link = _link(mail.outbox[0], r"/accounts/verify/\S+/")
    client.get(link)
    django_user_model.objects.filter(username="ana@example.org").update(is_active=False)

    response = client.get(link)

    assert response.status_code == 400
    assert django_user_model.objects.get(username="ana@example.org").is_active is False


@override_settings(EMAIL_BACKEND=MEMORY_MAIL)
def test_reset_link_works_once_and_not_after_the_account_is_deactivated(
    client, fixture_content, django_user_model
):
    used = django_user_model.objects.create_user("d@example.org", "d@example.org", PASSWORD)
    deactivated = django_user_model.objects.create_user("e@example.org", "e@example.org", PASSWORD)
    client.post("/accounts/password-reset/", {"email": used.email})
    client.post("/accounts/password-reset/", {"email": deactivated.email})
    used_link, deactivated_link = (_link(m, r"/accounts/reset/\S+/") for m in mail.outbox)
    new = {"new_password1": "brand-new-pass-phrase-4", "new_password2": "brand-new-pass-phrase-4"}
    client.post(client.get(used_link)["Location"], new)
    deactivated.is_active = False
    deactivated.save()

    reused = Client().get(used_link, follow=True)
    after_deactivation = Client().get(deactivated_link, follow=True)

    assert reused.context["validlink"] is False
    assert after_deactivation.context["validlink"] is False
    assert "no longer valid" in after_deactivation.content.decode()


# --- 3: account emails ----------------------------------------------------------------------


@override_settings(EMAIL_BACKEND=MEMORY_MAIL)
def test_signup_answers_the_same_for_a_new_and_an_existing_address(client, fixture_content):
    new = _sign_up(client)
    existing = _sign_up(Client(), email="ANA@example.org")

    assert existing.status_code == new.status_code == 200
    assert existing.content == new.content


@override_settings(EMAIL_BACKEND=MEMORY_MAIL)
def test_signup_with_an_existing_address_emails_its_owner(
    client, fixture_content, django_user_model
):
    django_user_model.objects.create_user("c@example.org", "c@example.org", PASSWORD)

    _sign_up(client, email="c@example.org")

    (notice,) = mail.outbox
    assert notice.to == ["c@example.org"] and "already has one" in notice.body
    assert "/accounts/password-reset/" in notice.body
    assert django_user_model.objects.filter(username="c@example.org").count() == 1


@override_settings(EMAIL_BACKEND=MEMORY_MAIL, MEDREF_EMAILS_PER_ADDRESS=3)
def test_password_reset_emails_are_limited_per_address_whether_or_not_it_has_an_account(
    client, fixture_content, django_user_model
):
    django_user_model.objects.create_user("d@example.org", "d@example.org", PASSWORD)

    known = [client.post("/accounts/password-reset/", {"email": "d@example.org"}) for _ in range(5)]
    unknown = [
        client.post("/accounts/password-reset/", {"email": "x@example.org"}) for _ in range(5)
    ]

    assert len(mail.outbox) == 3
    assert [r.status_code for r in known] == [302, 302, 302, 429, 429]
    assert [r.status_code for r in unknown] == [302, 302, 302, 429, 429]


@override_settings(EMAIL_BACKEND=MEMORY_MAIL, MEDREF_EMAILS_PER_IP=2)
def test_signup_and_reset_emails_are_limited_per_client_address(client, fixture_content):
    first = _sign_up(client, email="one@example.org", REMOTE_ADDR="198.51.100.4")
    second = client.post(
        "/accounts/password-reset/", {"email": "two@example.org"}, REMOTE_ADDR="198.51.100.4"
    )
    third = _sign_up(client, email="three@example.org", REMOTE_ADDR="198.51.100.4")
    elsewhere = _sign_up(client, email="four@example.org", REMOTE_ADDR="203.0.113.8")

    assert [first.status_code, second.status_code, third.status_code] == [200, 302, 429]
    assert elsewhere.status_code == 200


# --- 4: deleting an account deletes every personal row --------------------------------------


def _rows_about(user, visitor) -> dict[str, int]:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.sessions.models import Session

    from medref.accounts.models import EmailRequest, MeterEntry, Profile
    from medref.accounts.throttle import address_key
    from medref.annotations.models import Annotation

    name = user.username
    sessions = [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id")]
    return {
        "profile": Profile.objects.filter(user_id=user.pk).count(),
        "annotations": Annotation.objects.filter(user_id=user.pk).count(),
        "axes attempts": AccessAttempt.objects.filter(username__iexact=name).count(),
        "axes failures": AccessFailureLog.objects.filter(username__iexact=name).count(),
        "axes log": AccessLog.objects.filter(username__iexact=name).count(),
        "sessions": sum(s.get_decoded()["_auth_user_id"] == str(user.pk) for s in sessions),
        "email requests": EmailRequest.objects.filter(address_key=address_key(name)).count(),
        "meter entries": MeterEntry.objects.filter(visitor=visitor).count(),
    }


@override_settings(EMAIL_BACKEND=MEMORY_MAIL, AXES_ENABLE_ACCESS_FAILURE_LOG=True)
def test_deleting_the_account_removes_every_personal_row(
    hcp_client, fixture_content, django_user_model
):
    from medref.accounts.models import MeterEntry

    email = "del@example.org"
    _sign_up(hcp_client, email=email)
    hcp_client.get(_link(mail.outbox[0], r"/accounts/verify/\S+/"))
    hcp_client.get("/topics/natalizumab-highly-active-rrms/")  # read before signing in: metered
    (visitor,) = MeterEntry.objects.values_list("visitor", flat=True)  # this browser's id
    _sign_in(Client(), email, "wrong", REMOTE_ADDR="198.51.100.3")  # kept: not reset by success
    hcp_client.post("/accounts/login/", {"username": email, "password": PASSWORD})
    other_device = Client()
    other_device.post("/accounts/login/", {"username": email, "password": PASSWORD})
    hcp_client.post(f"{TOPIC}annotations/", {"text": "mine"})
    user = django_user_model.objects.get(username=email)
    before = _rows_about(user, visitor)
    assert all(before.values()), before  # the test covers every kind of row

    hcp_client.post("/accounts/delete/", {"password": PASSWORD})

    assert not django_user_model.objects.filter(username=email).exists()
    assert _rows_about(user, visitor) == dict.fromkeys(before, 0)


# --- 5: search respects the meter -----------------------------------------------------------


@pytest.fixture
def secret_topics(fixture_content):
    from medref.reference.models import Topic
    from medref.reference.search import rebuild_index
    from medref.sources.models import Source

    source = Source.objects.get(key="medref-curated")
    for n in (1, 2):
        Topic.objects.create(
            slug=f"secret-{n}",
            title=f"Secret topic {n}",
            authors="team",
            source=source,
            body=f"Opening words of topic {n}.\n\nHidden zebrafish paragraph {n} of the text.",
            last_edited=timezone.now().date(),
        )
    rebuild_index()


@override_settings(MEDREF_FREE_PAGES=1)
def test_search_snippets_quote_a_locked_topic_only_up_to_its_first_paragraph(
    hcp_client, secret_topics
):
    hcp_client.get("/topics/secret-1/")  # the one free page: secret-2 is now locked

    html = hcp_client.get("/search/", {"q": "zebrafish"}).content.decode()

    assert 'href="/topics/secret-2/"' in html and "Opening words of topic 2" in html
    assert "paragraph 2" not in html
    # A topic the reader has opened may be quoted in full: re-reading it is free.
    assert "Hidden <mark>zebrafish</mark> paragraph 1" in html


def test_search_snippets_are_whole_for_signed_in_readers_only(
    client, secret_topics, django_user_model
):
    anonymous = client.get("/search/", {"q": "zebrafish"}).content.decode()
    client.force_login(django_user_model.objects.create_user("s@example.org", "s@example.org"))
    signed_in = client.get("/search/", {"q": "zebrafish"}).content.decode()

    assert "Opening words of topic 1" in anonymous and "Opening words of topic 2" in anonymous
    assert "paragraph 1" not in anonymous and "paragraph 2" not in anonymous
    assert "Hidden <mark>zebrafish</mark> paragraph 2" in signed_in


# --- 1: lockout as a weapon -----------------------------------------------------------------


def _sign_in(client, email, password, **extra):
    return client.post("/accounts/login/", {"username": email, "password": password}, **extra)


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@override_settings(EMAIL_BACKEND=MEMORY_MAIL, MEDREF_LOGIN_FAILURE_LIMIT=3)
def test_failed_sign_ins_by_a_stranger_do_not_lock_the_owner_out(
    client, fixture_content, django_user_model
):
    django_user_model.objects.create_user("alice@x.org", "alice@x.org", PASSWORD)
    stranger = Client()
    for _ in range(10):
        _sign_in(stranger, "alice@x.org", "guess")

    answer = _sign_in(client, "alice@x.org", PASSWORD)
    link = _link(mail.outbox[0], r"/accounts/sign-in/\S+/")
    confirm_page = client.get(link)
    finished = client.post(link)

    assert answer.status_code == 200 and "Check your email" in answer.content.decode()
    assert confirm_page.status_code == 200
    assert finished.status_code == 302 and _signed_in(client)
    assert Client().post(link).status_code == 400  # the link worked once
    assert _signed_in(_sign_in_client("alice@x.org"))  # and the failures are forgotten


def _sign_in_client(email) -> Client:
    fresh = Client()
    _sign_in(fresh, email, PASSWORD)
    return fresh


@override_settings(EMAIL_BACKEND=MEMORY_MAIL, MEDREF_LOGIN_FAILURE_LIMIT=3)
def test_past_the_limit_right_and_wrong_passwords_get_the_same_answer(
    client, fixture_content, django_user_model
):
    django_user_model.objects.create_user("bob@x.org", "bob@x.org", PASSWORD)
    for _ in range(3):
        _sign_in(client, "bob@x.org", "guess")

    wrong = _sign_in(Client(), "bob@x.org", "another-guess")
    right = _sign_in(Client(), "bob@x.org", PASSWORD)

    assert wrong.status_code == right.status_code == 200
    assert wrong.content == right.content
    assert len(mail.outbox) == 1  # only the right password sends the link


@override_settings(
    EMAIL_BACKEND=MEMORY_MAIL, MEDREF_LOGIN_FAILURE_LIMIT=50, MEDREF_LOGIN_IP_FAILURE_LIMIT=4
)
def test_failures_across_accounts_from_one_address_need_an_emailed_link_from_there(
    client, fixture_content, django_user_model
):
    django_user_model.objects.create_user("carol@x.org", "carol@x.org", PASSWORD)
    for n in range(4):
        _sign_in(Client(), f"user{n}@x.org", "guess", REMOTE_ADDR="198.51.100.1")

    from_there = Client()
    _sign_in(from_there, "carol@x.org", PASSWORD, REMOTE_ADDR="198.51.100.1")
    from_elsewhere = Client()
    _sign_in(from_elsewhere, "carol@x.org", PASSWORD, REMOTE_ADDR="203.0.113.50")

    assert not _signed_in(from_there) and len(mail.outbox) == 1
    assert _signed_in(from_elsewhere)


def test_sign_in_records_the_client_behind_a_trusted_proxy(fixture_content, django_user_model):
    from axes.models import AccessAttempt

    with override_settings(MEDREF_TRUSTED_PROXIES=(ipaddress.ip_network("127.0.0.1/32"),)):
        _sign_in(
            Client(),
            "dan@x.org",
            "guess",
            HTTP_X_FORWARDED_FOR="192.0.2.1, 198.51.100.77",  # the first hop is the client's say
        )
    _sign_in(Client(), "dan@x.org", "guess", HTTP_X_FORWARDED_FOR="198.51.100.99")

    addresses = sorted(AccessAttempt.objects.values_list("ip_address", flat=True))
    assert addresses == ["127.0.0.1", "198.51.100.77"]
