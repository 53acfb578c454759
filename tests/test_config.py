"""Config loading: strict keys, clear messages, TOML errors name the file."""

from pathlib import Path

import pytest

from topics.config import BuildConfig, ConfigError, from_mapping, load_build_config, to_dict


def test_defaults_are_the_documented_ones():
    config = BuildConfig()
    assert config.raw == ("raw",)
    assert config.stopwords == ("topics:stopwords/general.txt", "topics:stopwords/speech.txt")
    assert config.out == "build/corpus"
    assert config.split == "auto"


def test_unknown_key_names_key_and_allowed_ones():
    with pytest.raises(ConfigError, match=r"unknown setting 'corpus.splitt'.*allowed.*split"):
        from_mapping(BuildConfig, {"splitt": "none"}, prefix="corpus")


def test_bad_choice_names_value_and_allowed_values():
    with pytest.raises(ConfigError, match=r"corpus.split = 'sentences' is not allowed.*'auto', 'none'"):
        BuildConfig(split="sentences")


def test_wrong_type_is_reported_with_key():
    with pytest.raises(ConfigError, match=r"corpus.no_below = 'two' must be a whole number"):
        from_mapping(BuildConfig, {"no_below": "two"}, prefix="corpus")


def test_out_of_range_value():
    with pytest.raises(ConfigError, match=r"corpus.no_above = 1.5 is out of range"):
        from_mapping(BuildConfig, {"no_above": 1.5}, prefix="corpus")


def test_lists_become_tuples_and_round_trip(tmp_path):
    path = tmp_path / "build.toml"
    path.write_text('[corpus]\nraw = ["a", "b"]\nsplit = "none"\n', encoding="utf-8")
    config = load_build_config(path, out="x")
    # paths in the file are relative to the file; on the command line, to the current folder
    assert config.raw == (str(tmp_path / "a"), str(tmp_path / "b")) and config.split == "none"
    assert config.out == str(Path.cwd() / "x")
    assert config.cache_dir == str(tmp_path / "build" / "cache")  # a default, from the file's folder
    assert config.stopwords == ("topics:stopwords/general.txt", "topics:stopwords/speech.txt")  # packaged
    assert from_mapping(BuildConfig, to_dict(config)) == config


def test_cli_overrides_that_were_not_given_keep_the_file_value(tmp_path):
    path = tmp_path / "build.toml"
    path.write_text('split = "none"\n', encoding="utf-8")
    assert load_build_config(path, split=None).split == "none"


def test_invalid_toml_names_the_file(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("split = \n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"broken.toml: invalid TOML"):
        load_build_config(path)


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match=r"config file not found"):
        load_build_config(tmp_path / "nope.toml")
