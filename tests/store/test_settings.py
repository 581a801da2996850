import pytest

from store.settings import Settings, SettingsError


def test_the_default_store_is_a_sqlite_file() -> None:
    settings = Settings.from_env({})
    assert settings.eventsourcing_env() == {"PERSISTENCE_MODULE": "eventsourcing.sqlite",
                                            "SQLITE_DBNAME": "./incidentlog.db"}


def test_a_postgresql_url_selects_postgresql() -> None:
    env = Settings.from_env({"INCIDENTLOG_STORE": "postgresql://me:s%40cret@db:6543/log?schema=ops"}
                            ).eventsourcing_env()
    assert env["PERSISTENCE_MODULE"] == "eventsourcing.postgres"
    assert (env["POSTGRES_HOST"], env["POSTGRES_PORT"], env["POSTGRES_DBNAME"]) == ("db", "6543", "log")
    assert (env["POSTGRES_USER"], env["POSTGRES_PASSWORD"], env["POSTGRES_SCHEMA"]) == ("me", "s@cret", "ops")


def test_the_store_description_never_shows_the_password() -> None:
    settings = Settings.from_env({"INCIDENTLOG_STORE": "postgresql://me:secret@db/log"})
    assert "secret" not in settings.describe_store()


@pytest.mark.parametrize("env", [{"INCIDENTLOG_MAX_BODY_BYTES": "lots"},
                                 {"INCIDENTLOG_MAX_BATCH_EVENTS": "0"},
                                 {"INCIDENTLOG_LOG_FORMAT": "xml"}])
def test_nonsense_settings_are_refused(env: dict[str, str]) -> None:
    with pytest.raises(SettingsError):
        Settings.from_env(env)


def test_a_postgresql_url_must_name_a_database() -> None:
    with pytest.raises(SettingsError):
        Settings.from_env({"INCIDENTLOG_STORE": "postgresql://db"}).eventsourcing_env()


@pytest.mark.parametrize(("raw", "open_reads"), [("", False), ("1", True), ("true", True), ("0", False)])
def test_open_reads_are_off_unless_asked_for(raw: str, open_reads: bool) -> None:
    assert Settings.from_env({"INCIDENTLOG_OPEN_READS": raw}).open_reads is open_reads
    assert Settings.from_env({}).open_reads is False


def test_open_reads_must_be_a_yes_or_a_no() -> None:
    with pytest.raises(SettingsError, match="INCIDENTLOG_OPEN_READS"):
        Settings.from_env({"INCIDENTLOG_OPEN_READS": "maybe"})


def test_the_store_timeout_also_bounds_each_wait_for_a_postgres_connection() -> None:
    settings = Settings.from_env({"INCIDENTLOG_STORE": "postgresql://db/log",
                                  "INCIDENTLOG_STORE_TIMEOUT_SECONDS": "1.5"})

    assert settings.store_timeout_seconds == 1.5
    assert settings.eventsourcing_env()["POSTGRES_CONNECT_TIMEOUT"] == "2"  # whole seconds, rounded up
    assert Settings.from_env({}).store_timeout_seconds == 3.0


@pytest.mark.parametrize("raw", ["0", "-1", "soon"])
def test_the_store_timeout_must_be_a_positive_number_of_seconds(raw: str) -> None:
    with pytest.raises(SettingsError, match="INCIDENTLOG_STORE_TIMEOUT_SECONDS"):
        Settings.from_env({"INCIDENTLOG_STORE_TIMEOUT_SECONDS": raw})


def test_how_long_a_log_a_process_holds_is_a_whole_number_zero_for_never() -> None:
    assert Settings.from_env({}).memory_events == 250_000
    assert Settings.from_env({"INCIDENTLOG_MEMORY_EVENTS": "0"}).memory_events == 0
    for raw in ("-1", "lots", "1.5"):
        with pytest.raises(SettingsError, match="INCIDENTLOG_MEMORY_EVENTS"):
            Settings.from_env({"INCIDENTLOG_MEMORY_EVENTS": raw})


def test_the_views_catch_up_is_off_unless_asked_and_takes_seconds() -> None:
    assert Settings.from_env({}).views_catch_up_seconds == 0.0
    assert Settings.from_env({"INCIDENTLOG_VIEWS_CATCH_UP_SECONDS": "2.5"}).views_catch_up_seconds == 2.5
    for raw in ("-1", "often", "inf"):
        with pytest.raises(SettingsError, match="INCIDENTLOG_VIEWS_CATCH_UP_SECONDS"):
            Settings.from_env({"INCIDENTLOG_VIEWS_CATCH_UP_SECONDS": raw})
