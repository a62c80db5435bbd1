"""Online extras download only when the learner asks for them, never in fast mode."""
import pytest

from course_utils import AssetNotFoundError, extras, registry


def test_asked_for_reads_the_flag_and_the_environment():
    assert not extras.asked_for("clip-vit-b-32", environ={})
    assert extras.asked_for("clip-vit-b-32", opt_in=True, environ={})
    for value in ("1", "true", "YES", "all", "stsb, clip-vit-b-32"):
        assert extras.asked_for("clip-vit-b-32", environ={extras.ENV_VAR: value}), value
    for value in ("0", "", "stsb", "no"):
        assert not extras.asked_for("clip-vit-b-32", environ={extras.ENV_VAR: value}), value
    with pytest.raises(TypeError, match="opt_in must be a bool"):
        extras.asked_for("clip-vit-b-32", opt_in="yes", environ={})


def test_not_asked_for_means_no_download(cache, monkeypatch):
    monkeypatch.delenv(extras.ENV_VAR, raising=False)
    monkeypatch.setattr(registry, "fetch", lambda name: pytest.fail("must not download"))
    monkeypatch.setattr(extras, "fetch", lambda name: pytest.fail("must not download"))
    with pytest.raises(AssetNotFoundError, match="set USE_PRETRAINED_CLIP = True .*COURSE_ONLINE_EXTRAS=1"):
        extras.fetch_extra("clip-vit-b-32", flag="USE_PRETRAINED_CLIP")
    with pytest.raises(AssetNotFoundError, match="fast mode never downloads"):
        extras.fetch_extra("clip-vit-b-32", opt_in=True, fast=True)


def test_asked_for_downloads_and_a_cached_copy_needs_no_flag(cache, monkeypatch):
    monkeypatch.delenv(extras.ENV_VAR, raising=False)
    calls = []
    monkeypatch.setattr(extras, "fetch", lambda name: calls.append(name) or cache / name)
    assert extras.fetch_extra("clip-vit-b-32", opt_in=True) == cache / "clip-vit-b-32"
    monkeypatch.setenv(extras.ENV_VAR, "1")
    extras.fetch_extra("clip-vit-b-32")
    assert calls == ["clip-vit-b-32", "clip-vit-b-32"]
    folder = registry.cached_path(registry.get_asset("clip-vit-b-32"))
    folder.mkdir(parents=True)
    monkeypatch.delenv(extras.ENV_VAR)
    assert extras.fetch_extra("clip-vit-b-32") == folder and len(calls) == 2
